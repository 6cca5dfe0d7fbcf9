/// A destination's bounded queue and its counts (`/status`, `/metrics`). Polls put samples in
/// and never wait; the sender takes a batch, and gives back whether it arrived. Past the
/// capacity the oldest waiting samples go (the newest are what a store lacks most after an
/// outage, and a remote-write receiver refuses samples older than those it has). A batch being
/// sent is out of the queue: retrying it never races the samples behind it.
public struct ExportQueue<Element>: Sendable where Element: Sendable {
    public let capacity: Int
    private var items: [Element] = []
    /// Where the queue starts in `items` (taken samples are dropped from the front lazily).
    private var head = 0
    public private(set) var counts = ExportCounts()

    public init(capacity: Int) {
        precondition(capacity > 0, "an export queue holds at least one sample")
        self.capacity = capacity
    }

    public var count: Int { items.count - head }
    public var isEmpty: Bool { count == 0 }

    /// Adds `samples`; returns how many older ones went to make room.
    @discardableResult
    public mutating func push(_ samples: some Collection<Element>) -> Int {
        counts.queued += samples.count
        var incoming = samples[...]
        var dropped = 0
        if incoming.count > capacity {
            dropped += incoming.count - capacity
            incoming = incoming.suffix(capacity)
        }
        let over = count + incoming.count - capacity
        if over > 0 {
            head += over
            dropped += over
        }
        items.append(contentsOf: incoming)
        counts.dropped += dropped
        compact()
        return dropped
    }

    /// Up to `max` samples from the front, taken out.
    public mutating func take(max: Int) -> [Element] {
        let n = Swift.min(max, count)
        let batch = Array(items[head..<head + n])
        head += n
        compact()
        return batch
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
        if head > 4096, head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        } else if head == items.count {
            items.removeAll(keepingCapacity: true)
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
