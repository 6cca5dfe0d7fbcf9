/// The recent values of one series at their native resolution (issue 18: what an agent keeps to
/// back-fill an aggregator after an outage): a time (whole seconds, UInt32) and a value (Double)
/// per entry, 12 bytes, in time order. It grows to `capacity` entries, never past it, and then
/// overwrites the oldest. A value not newer than the newest held is refused: no duplicates and
/// nothing out of order, as an RRD file would have it.
public struct HistoryRing: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var time: Int64
        public var value: Double

        public init(time: Int64, value: Double) {
            self.time = time
            self.value = value
        }
    }

    public let capacity: Int
    private var times: [UInt32] = []
    private var values: [Double] = []
    /// The oldest entry's index once the ring is full (0 until then).
    private var head = 0
    /// Entries the arrays were last sized for (never more than `capacity`).
    private var reservedCount = 0

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    public var count: Int { times.count }

    /// Storage asked for, in bytes: 12 per entry the ring was sized for, not only those used (the
    /// allocator may round each array up to its size class; that slack isn't counted).
    public var bytes: Int { reservedCount * (MemoryLayout<UInt32>.stride + MemoryLayout<Double>.stride) }

    public var newest: Entry? {
        guard !times.isEmpty else { return nil }
        return entry(times.count - 1)
    }

    public var oldest: Entry? {
        guard !times.isEmpty else { return nil }
        return entry(0)
    }

    /// Keeps `value` at `time`; false (nothing kept) when `time` is not after the newest entry
    /// or can't be held in 32 bits.
    @discardableResult
    public mutating func append(time: Int64, value: Double) -> Bool {
        guard time > 0, time <= Int64(UInt32.max), time > (newest?.time ?? 0) else { return false }
        if times.count < capacity {
            if times.count == reservedCount {
                // Grow by doubling, but never past `capacity`: a full ring holds 12 bytes a value.
                reservedCount = min(capacity, max(8, times.count * 2))
                times.reserveCapacity(reservedCount)
                values.reserveCapacity(reservedCount)
            }
            times.append(UInt32(time))
            values.append(value)
        } else {
            times[head] = UInt32(time)
            values[head] = value
            head = (head + 1) % capacity
        }
        return true
    }

    /// The entries after `time` (all with nil), oldest first; with `inEffect`, the newest entry
    /// at or before `time` too (the value that held at `time`), when there is one.
    public func entries(after time: Int64? = nil, inEffect: Bool = false) -> [Entry] {
        var low = 0
        var high = times.count
        if let time {
            // The first logical index whose time is after `time` (entries are in time order).
            while low < high {
                let middle = (low + high) / 2
                if Int64(times[physical(middle)]) > time { high = middle } else { low = middle + 1 }
            }
            high = times.count
            if inEffect, low > 0 { low -= 1 }
        }
        return (low..<high).map(entry)
    }

    private func physical(_ logical: Int) -> Int {
        times.count < capacity ? logical : (head + logical) % capacity
    }

    private func entry(_ logical: Int) -> Entry {
        let i = physical(logical)
        return Entry(time: Int64(times[i]), value: values[i])
    }
}
