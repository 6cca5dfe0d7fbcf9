/// A destination's bounded queue of formatted values and its counts (`/status`, `/metrics`).
/// Polls put chunks in and never wait; the sender takes up to a batch of records, and reports
/// what became of them. Past the capacity (in records: values) the oldest waiting go (the
/// newest are what a store lacks most after an outage, and a remote-write receiver refuses
/// samples older than those it has). A batch being sent is out of the queue: retrying it
/// never races the values behind it.
public struct ExportQueue: Sendable {
    public let capacity: Int
    private var chunks: [ExportChunk] = []
    /// The first chunk still waiting in `chunks`, and how many of its records were taken.
    private var head = 0
    private var taken = 0
    public private(set) var count = 0
    public private(set) var counts = ExportCounts()
    /// The storage of the last chunk taken whole, for the next poll's writer to fill again: a
    /// poll's chunk is megabytes, and memory the allocator gets back between polls (the
    /// aggregator trims its heap after each) comes back zeroed page by page, in the kernel.
    private var spare = ExportChunk()

    public init(capacity: Int) {
        precondition(capacity > 0, "an export queue holds at least one value")
        self.capacity = capacity
    }

    public var isEmpty: Bool { count == 0 }

    /// Adds a chunk's records; returns how many older ones went to make room.
    @discardableResult
    public mutating func push(_ chunk: ExportChunk) -> Int {
        guard !chunk.isEmpty else { return 0 }
        counts.queued += chunk.count
        chunks.append(chunk)
        count += chunk.count
        var dropped = 0
        while count > capacity {
            let excess = count - capacity
            let left = chunks[head].count - taken
            if left <= excess {
                head += 1
                taken = 0
                count -= left
                dropped += left
            } else {
                taken += excess
                count -= excess
                dropped += excess
            }
        }
        counts.dropped += dropped
        compact()
        return dropped
    }

    /// Up to `max` records from the front, taken out: how many, and their bytes. Records of one
    /// chunk (a batch within a poll's values, the usual case) are its bytes as they are, not a
    /// copy; a batch across chunks is copied together.
    public mutating func take(max: Int) -> (count: Int, bytes: ArraySlice<UInt8>) {
        guard head < chunks.count, max > 0 else { return (0, []) }
        if max <= chunks[head].count - taken || head + 1 == chunks.count {
            let records = Swift.min(max, chunks[head].count - taken)
            return (records, advance(records))
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size(ofFirst: max))
        var n = 0
        while n < max, head < chunks.count {
            let records = Swift.min(max - n, chunks[head].count - taken)
            bytes += advance(records)
            n += records
        }
        return (n, bytes[...])
    }

    /// `records` of the head chunk taken out, their bytes where they lie; a chunk taken whole
    /// becomes the spare.
    private mutating func advance(_ records: Int) -> ArraySlice<UInt8> {
        let chunk = chunks[head]
        let bytes = chunk.bytes[(taken == 0 ? 0 : chunk.ends[taken - 1])..<chunk.ends[taken + records - 1]]
        taken += records
        count -= records
        if taken == chunks[head].count {
            // Moved out of the queue, so that the spare is its storage's only holder once the
            // batch taken from it is sent.
            spare = ExportChunk()
            swap(&spare, &chunks[head])
            head += 1
            taken = 0
        }
        compact()
        return bytes
    }

    /// The bytes of the first `max` records waiting.
    private func size(ofFirst max: Int) -> Int {
        var total = 0, n = 0, i = head, skip = taken
        while n < max, i < chunks.count {
            let chunk = chunks[i]
            let records = Swift.min(max - n, chunk.count - skip)
            total += chunk.ends[skip + records - 1] - (skip == 0 ? 0 : chunk.ends[skip - 1])
            n += records
            i += 1
            skip = 0
        }
        return total
    }

    /// The storage of a chunk already sent, emptied, for a writer to fill (none yet: an empty
    /// chunk).
    public mutating func takeSpare() -> ExportChunk {
        var chunk = ExportChunk()
        swap(&chunk, &spare)
        chunk.bytes.removeAll(keepingCapacity: true)
        chunk.ends.removeAll(keepingCapacity: true)
        return chunk
    }

    /// A batch arrived.
    public mutating func sent(_ n: Int) { counts.sent += n }
    /// A batch failed and will be sent again.
    public mutating func retried(_ n: Int) { counts.retried += n }
    /// A batch the destination refused for good (a 4xx answer): counted as dropped and refused.
    public mutating func refused(_ n: Int) {
        counts.refused += n
        counts.dropped += n
    }

    private mutating func compact() {
        if head == chunks.count {
            chunks.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 64, head * 2 > chunks.count {
            chunks.removeFirst(head)
            head = 0
        }
    }
}

/// What a destination did with the samples it was given, since the start.
public struct ExportCounts: Sendable, Equatable, Codable {
    /// Put in the queue.
    public var queued = 0
    /// Arrived (a 2xx answer; for carbon, written to its connection or sent as datagrams).
    public var sent = 0
    /// Sent again after a failure (each time counted).
    public var retried = 0
    /// Never to arrive: pushed out of a full queue, or refused.
    public var dropped = 0
    /// Of the dropped, those the destination refused (remote-write 4xx).
    public var refused = 0

    public init() {}
}

/// Waits between attempts, doubling from `minimum` to `maximum`, each shortened by up to a
/// quarter at random (the `jitter` given, 0..<1) so that aggregators don't retry in step.
public struct Backoff: Sendable, Equatable {
    public var minimum: Double
    public var maximum: Double
    public private(set) var failures = 0

    public init(minimum: Double, maximum: Double) {
        self.minimum = minimum
        self.maximum = max(minimum, maximum)
    }

    /// Seconds to wait after one more failure.
    public mutating func failed(jitter: Double) -> Double {
        failures += 1
        let doubled = minimum * Double(1 << min(failures - 1, 40))
        return min(maximum, doubled) * (1 - 0.25 * min(max(jitter, 0), 1))
    }

    public mutating func succeeded() { failures = 0 }
}
