/// Which failures reach the log: the first of each kind at once, then at most one line per
/// kind per interval, saying how many were left out since the last line. A peer that fails a
/// thousand times a second costs one log line a minute (`docs/security.md`).
///
/// Pure: the caller passes the time. At most `maxKinds` kinds are remembered (the oldest is
/// forgotten first), so kinds made from remote text can't grow it either.
public struct LogThrottle: Sendable {
    private struct Entry: Sendable {
        var logged: Int64
        var suppressed: Int
    }

    public let interval: Int64
    public let maxKinds: Int
    private var entries: [String: Entry] = [:]

    public init(interval: Int64 = 60, maxKinds: Int = 256) {
        self.interval = interval
        self.maxKinds = maxKinds
    }

    /// Records one occurrence of `kind`: nil when it should not be logged now, else how many
    /// occurrences were left out before it (0 for the first).
    public mutating func record(_ kind: String, now: Int64) -> Int? {
        if var entry = entries[kind] {
            guard now - entry.logged >= interval else {
                entry.suppressed += 1
                entries[kind] = entry
                return nil
            }
            entries[kind] = Entry(logged: now, suppressed: 0)
            return entry.suppressed
        }
        if entries.count >= maxKinds, let oldest = entries.min(by: { $0.value.logged < $1.value.logged })?.key {
            entries[oldest] = nil
        }
        entries[kind] = Entry(logged: now, suppressed: 0)
        return 0
    }
}
