import PlexusCore
import Testing

/// The agent's recent history of one series: order, bounds, the wrap, and 12 bytes a value.
@Suite struct HistoryRingTests {
    @Test func keepsValuesInTimeOrderAndRefusesOldOrRepeatedTimes() {
        var ring = HistoryRing(capacity: 10)
        func add(_ time: Int64, _ value: Double) -> Bool { ring.append(time: time, value: value) }
        #expect(add(100, 1) && add(115, 2))
        #expect(!add(115, 9), "a second value for one time")
        #expect(!add(90, 9), "older than the newest")
        #expect(!add(0, 9) && !add(Int64(UInt32.max) + 1, 9))
        #expect(ring.entries() == [.init(time: 100, value: 1), .init(time: 115, value: 2)])
        #expect(ring.oldest?.time == 100 && ring.newest?.value == 2 && ring.count == 2)
    }

    @Test func aFullRingDropsTheOldestAndAnswersFromAnyTime() {
        var ring = HistoryRing(capacity: 5)
        for i in 1...12 { ring.append(time: Int64(i * 15), value: Double(i)) }
        #expect(ring.count == 5)
        #expect(ring.entries().map(\.value) == [8, 9, 10, 11, 12], "the five newest, oldest first, across the wrap")
        #expect(ring.entries(after: 150).map(\.time) == [165, 180])
        #expect(ring.entries(after: 151).map(\.time) == [165, 180], "after a time between two entries")
        #expect(ring.entries(after: 0).count == 5 && ring.entries(after: 180).isEmpty && ring.entries(after: 10_000).isEmpty)
        for start in 0..<6 {
            // Every rotation of the ring answers the same.
            var rotated = HistoryRing(capacity: 5)
            for i in 1...(5 + start) { rotated.append(time: Int64(i), value: Double(i)) }
            #expect(rotated.entries(after: Int64(start + 2)).map(\.time) == Array(Int64(start + 3)...Int64(start + 5)))
        }
    }

    @Test func aFullRingHoldsTwelveBytesAValue() {
        // An hour of a metric collected every 15 s: 240 values.
        var ring = HistoryRing(capacity: 240)
        for i in 1...1_000 { ring.append(time: Int64(1_795_543_200 + i * 15), value: Double(i) / 7) }
        #expect(ring.count == 240 && ring.bytes == 240 * 12, "\(ring.bytes) bytes")
        #expect(ring.entries().first?.time == Int64(1_795_543_200 + 761 * 15))
        // Part full, it holds no more than twice what it uses and never more than its capacity.
        var young = HistoryRing(capacity: 240)
        for i in 1...100 { young.append(time: Int64(i), value: 0) }
        #expect(young.bytes <= 200 * 12 && young.bytes >= 100 * 12)
    }
}
