/// What was refused at a limit, for operators to see (`/status`, the dashboard, the agent's
/// log): each subject (a host, a metric, a series) with why, how often and when. Bounded: at
/// most `capacity` entries, the one heard of longest ago going first, and subjects cut to 255
/// bytes, so a flood of invented names can't grow it either.
public struct Quarantine: Sendable, Equatable {
    public struct Entry: Sendable, Equatable, Codable {
        /// `cluster/host` or `cluster/host/metric`.
        public var subject: String
        public var reason: String
        public var count: Int
        /// First and last refusal, Unix seconds.
        public var first: Int64
        public var last: Int64
    }

    public let capacity: Int
    /// Most recent refusal last.
    public private(set) var entries: [Entry] = []
    /// Refusals ever recorded, including those whose entry was pushed out.
    public private(set) var total = 0

    public init(capacity: Int = 100) {
        self.capacity = capacity
    }

    public mutating func record(_ subject: String, reason: String, now: Int64) {
        total += 1
        let subject = subject.utf8.count <= 255 ? subject : String(decoding: subject.utf8.prefix(255), as: UTF8.self)
        if let i = entries.lastIndex(where: { $0.subject == subject && $0.reason == reason }) {
            var entry = entries.remove(at: i)
            entry.count += 1
            entry.last = now
            entries.append(entry)
            return
        }
        if entries.count >= capacity { entries.removeFirst() }
        entries.append(Entry(subject: subject, reason: reason, count: 1, first: now, last: now))
    }
}
