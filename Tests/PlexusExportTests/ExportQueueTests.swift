import Testing

@testable import PlexusExport

@Suite struct ExportQueueTests {
    /// A chunk of one record per number (its line).
    static func chunk(_ numbers: some Sequence<Int>) -> ExportChunk {
        var chunk = ExportChunk()
        for n in numbers {
            chunk.bytes += Array("\(n)\n".utf8)
            chunk.close()
        }
        return chunk
    }

    /// What a batch's bytes hold, back as numbers.
    static func numbers(_ batch: (count: Int, bytes: ArraySlice<UInt8>)) -> [Int] {
        let numbers = String(decoding: batch.bytes, as: UTF8.self).split(separator: "\n").compactMap { Int($0) }
        #expect(numbers.count == batch.count)
        return numbers
    }

    @Test func batchesLeaveInOrderAcrossChunksAndArrivalsAreCounted() {
        var queue = ExportQueue(capacity: 10)
        #expect(queue.push(Self.chunk(1...4)) == 0)
        #expect(Self.numbers(queue.take(max: 3)) == [1, 2, 3])
        queue.sent(3)
        queue.push(Self.chunk([5, 6]))
        #expect(Self.numbers(queue.take(max: 10)) == [4, 5, 6])
        #expect(queue.isEmpty && queue.take(max: 5).count == 0)
        #expect(queue.counts.queued == 6 && queue.counts.sent == 3 && queue.counts.dropped == 0)
    }

    /// A batch within one chunk is the chunk's own bytes, not a copy: its indices go on where
    /// the last batch's ended.
    @Test func aBatchWithinAChunkIsItsBytes() {
        var queue = ExportQueue(capacity: 10)
        queue.push(Self.chunk(1...6))
        let first = queue.take(max: 2)
        let second = queue.take(max: 2)
        #expect(first.bytes.startIndex == 0 && second.bytes.startIndex == first.bytes.endIndex)
        #expect(Self.numbers(second) == [3, 4] && Self.numbers(queue.take(max: 5)) == [5, 6])
    }

    /// Full: the oldest waiting go, never the batch being sent (it is out of the queue), and
    /// more than the capacity at once keeps the newest.
    @Test func aFullQueueDropsTheOldestAndCountsThem() {
        var queue = ExportQueue(capacity: 5)
        queue.push(Self.chunk(1...5))
        let inFlight = Self.numbers(queue.take(max: 2))
        #expect(queue.push(Self.chunk(6...9)) == 2)
        #expect(Self.numbers(queue.take(max: 10)) == [5, 6, 7, 8, 9])
        #expect(inFlight == [1, 2])
        #expect(queue.push(Self.chunk(100..<112)) == 7)
        #expect(Self.numbers(queue.take(max: 100)) == Array(107..<112))
        #expect(queue.counts.dropped == 9 && queue.counts.queued == 21 && queue.count == 0)
    }

    @Test func refusalsAreDroppedAndRetriesCountEachTime() {
        var queue = ExportQueue(capacity: 100)
        queue.push(Self.chunk(1...10))
        let batch = queue.take(max: 10)
        queue.retried(batch.count)
        queue.retried(batch.count)
        queue.refused(batch.count)
        var expected = ExportCounts()
        (expected.queued, expected.retried, expected.refused, expected.dropped) = (10, 20, 10, 10)
        #expect(queue.counts == expected)
    }

    /// A poll's chunk taken a batch at a time, many polls over: nothing lost or repeated, and
    /// the storage is let go of.
    @Test func longUseTakesEverythingOnce() {
        var queue = ExportQueue(capacity: 50_000)
        var next = 0
        for round in 0..<200 {
            queue.push(Self.chunk(round * 1000..<(round + 1) * 1000))
            while !queue.isEmpty {
                let got = Self.numbers(queue.take(max: 300))
                #expect(got == Array(next..<next + got.count))
                next += got.count
            }
        }
        #expect(next == 200_000 && queue.count == 0)
    }

    @Test func backoffDoublesToItsCapWithJitterAndResets() {
        var backoff = Backoff(minimum: 0.5, maximum: 5)
        #expect([0, 0, 0, 0, 0, 0].map { backoff.failed(jitter: $0) } == [0.5, 1, 2, 4, 5, 5])
        #expect(backoff.failed(jitter: 1) == 3.75)
        backoff.succeeded()
        #expect(backoff.failed(jitter: 0.5) == 0.4375)
        for _ in 0..<100 { _ = backoff.failed(jitter: 0) }
        #expect(backoff.failed(jitter: 0) == 5)
    }
}
