import Testing

@testable import PlexusExport

@Suite struct ExportQueueTests {
    @Test func batchesLeaveInOrderAndArrivalsAreCounted() {
        var queue = ExportQueue<Int>(capacity: 10)
        #expect(queue.push(1...4) == 0)
        #expect(queue.take(max: 3) == [1, 2, 3])
        queue.sent(3)
        queue.push([5, 6])
        #expect(queue.take(max: 10) == [4, 5, 6])
        #expect(queue.isEmpty && queue.take(max: 5).isEmpty)
        #expect(queue.counts.queued == 6 && queue.counts.sent == 3 && queue.counts.dropped == 0)
    }

    /// Full: the oldest waiting go, never the batch being sent (it is out of the queue), and
    /// more than the capacity at once keeps the newest.
    @Test func aFullQueueDropsTheOldestAndCountsThem() {
        var queue = ExportQueue<Int>(capacity: 5)
        queue.push(1...5)
        let inFlight = queue.take(max: 2)
        #expect(queue.push(6...9) == 2)
        #expect(queue.take(max: 10) == [5, 6, 7, 8, 9])
        #expect(inFlight == [1, 2])
        #expect(queue.push(Array(100..<112)) == 7)
        #expect(queue.take(max: 100) == Array(107..<112))
        #expect(queue.counts.dropped == 9 && queue.counts.queued == 21)
    }

    @Test func refusalsAreDroppedAndRetriesCountEachTime() {
        var queue = ExportQueue<Int>(capacity: 100)
        queue.push(1...10)
        let batch = queue.take(max: 10)
        queue.retried(batch.count)
        queue.retried(batch.count)
        queue.refused(batch.count)
        var expected = ExportCounts()
        (expected.queued, expected.retried, expected.refused, expected.dropped) = (10, 20, 10, 10)
        #expect(queue.counts == expected)
    }

    /// Long use keeps the storage near what waits (taken items are let go of).
    @Test func storageIsReclaimed() {
        var queue = ExportQueue<Int>(capacity: 50_000)
        for round in 0..<200 {
            queue.push(Array(round * 1000..<(round + 1) * 1000))
            #expect(queue.take(max: 1000).first == round * 1000)
        }
        #expect(queue.count == 0)
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
