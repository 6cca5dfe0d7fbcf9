/// The history an agent keeps, by cluster, host and metric (`docs/format/history.md`).
public typealias HistoryStore = SeriesHistory<HistoryKey>

/// One series of an agent's history, as the reply names it.
public struct HistoryKey: Hashable, Sendable, Comparable {
    public var cluster: String
    public var host: String
    public var metric: String

    public init(cluster: String, host: String, metric: String) {
        self.cluster = cluster
        self.host = host
        self.metric = metric
    }

    public static func < (a: HistoryKey, b: HistoryKey) -> Bool { (a.cluster, a.host, a.metric) < (b.cluster, b.host, b.metric) }

    /// The host an aggregator serves a grid's own summary under (its sums), with the grid's name
    /// as the cluster; and the one for the summary's host counts (`num`).
    public static let summaryHost = "__SummaryInfo__"
    public static let summaryCountHost = "__SummaryInfo__num"
}

/// Recent values of many series: what an agent keeps to back-fill aggregators after an outage
/// (issue 18), and an aggregator's live tail. One `HistoryRing` per series, each sized for
/// `seconds` at the series' interval. Bounded in all by `maxValues`: a series is only taken
/// while the rings' capacities fit, so memory is known in advance (12 bytes a value); past the
/// bound a new series is refused and counted, and the series already held keep their history.
public struct SeriesHistory<Key: Hashable & Sendable>: Sendable {
    /// How far back each series reaches.
    public let seconds: Int
    /// The sum of the rings' capacities may not pass this.
    public let maxValues: Int
    public private(set) var rings: [Key: HistoryRing] = [:]
    /// Values the rings may grow to, together.
    public private(set) var reserved = 0
    /// New series refused at `maxValues`; values refused as not newer than their series' newest.
    public private(set) var seriesRefused = 0
    public private(set) var valuesRefused = 0

    public init(seconds: Int = 3600, maxValues: Int = 10_000_000) {
        self.seconds = max(1, seconds)
        self.maxValues = max(1, maxValues)
    }

    /// The capacity a series sent every `interval` seconds needs for `seconds` of history: one
    /// more than fit, so the oldest value still reaches back the whole span.
    public func capacity(interval: Int) -> Int { seconds / max(1, interval) + 1 }

    /// Keeps `value` of `key`'s series at `time`; false when refused (see the counters).
    @discardableResult
    public mutating func record(_ key: Key, time: Int64, value: Double, interval: Int) -> Bool {
        // One hash for a series held (every value but a series' first).
        if let index = rings.index(forKey: key) {
            guard rings.values[index].append(time: time, value: value) else {
                valuesRefused += 1
                return false
            }
            return true
        }
        let capacity = capacity(interval: interval)
        guard reserved + capacity <= maxValues else {
            seriesRefused += 1
            return false
        }
        var ring = HistoryRing(capacity: capacity)
        guard ring.append(time: time, value: value) else {
            valuesRefused += 1
            return false
        }
        reserved += capacity
        rings[key] = ring
        return true
    }

    /// The ring of one series.
    public func ring(_ key: Key) -> HistoryRing? { rings[key] }

    /// Forgets one series, returning its reservation.
    public mutating func forget(_ key: Key) {
        if let ring = rings.removeValue(forKey: key) { reserved -= ring.capacity }
    }

    /// Bytes the rings hold now.
    public var bytes: Int { rings.values.reduce(0) { $0 + $1.bytes } }
}

extension SeriesHistory where Key: Comparable {
    /// Every series' values after `time`, series in name order, values oldest first; series
    /// with nothing after `time` are left out. With `inEffect`, each series starts with the value
    /// that held at `time` (its newest at or before it), so a reader knows every value from `time`
    /// on, and a series that sent nothing since is served by that value alone (a metric sent
    /// every 20 minutes still holds through an outage).
    public func values(after time: Int64, inEffect: Bool = false) -> [(key: Key, entries: [HistoryRing.Entry])] {
        rings.keys.sorted().compactMap { key in
            let entries = rings[key]!.entries(after: time, inEffect: inEffect)
            return entries.isEmpty ? nil : (key, entries)
        }
    }

}

extension SeriesHistory where Key == HistoryKey {
    /// Forgets a host (expired, as the cluster state forgets it), returning its reservation.
    public mutating func forget(cluster: String, host: String) {
        for key in rings.keys where key.host == host && key.cluster == cluster { forget(key) }
    }
}
