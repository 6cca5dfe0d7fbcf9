import PlexusCore
import Synchronization

/// The last `seconds` of every archived series, in memory (issue 18): what graphs and exports
/// splice onto what librrd reads, so the newest value drawn is at most one poll old even while
/// rrdcached holds minutes of writes, without a `FLUSH` per graph; and what an aggregator serves
/// as its own history to a parent's back-fill (`docs/format/history.md`).
///
/// Fed with exactly what goes to the archive writer, in the same order (so each series only
/// moves forward, as the files do). A `SeriesHistory` of sums, and one of `num` for summaries;
/// bounded by `maxValues` over both (12 bytes a value; past it a new series is refused and
/// counted, and graphs of it read the file alone).
public final class LiveTail: Sendable {
    public let seconds: Int
    /// The step the rings are sized for (the shortest of the sources').
    public let step: Int
    private let state: Mutex<State>
    /// Archive keys as the writer files them (`case_sensitive_hostnames = 0` lower-cases hosts).
    private let normalize: @Sendable (ArchiveKey) -> ArchiveKey

    struct State {
        var sums: SeriesHistory<ArchiveKey>
        var nums: SeriesHistory<ArchiveKey>
        /// Series archived as COUNTER or DERIVE (drawn as rates).
        var counters: Set<ArchiveKey> = []
        /// The newest time recorded, and when series silent for `seconds` were last let go.
        var newest: Int64 = 0
        var swept: Int64 = 0
    }

    public init(
        seconds: Int, step: Int, maxValues: Int = 5_000_000, normalize: @escaping @Sendable (ArchiveKey) -> ArchiveKey = { $0 }
    ) {
        self.seconds = max(1, seconds)
        self.step = max(1, step)
        // The summaries' num shares the bound: a tenth of it at most (summaries are few).
        state = Mutex(
            State(
                sums: SeriesHistory(seconds: seconds, maxValues: max(1, maxValues - maxValues / 10)),
                nums: SeriesHistory(seconds: seconds, maxValues: max(1, maxValues / 10))))
        self.normalize = normalize
    }

    /// Keeps what is about to be written. Series silent for longer than `seconds` (a host gone)
    /// are let go, once per `seconds`, so their room goes to new ones.
    public func record(_ samples: [ArchiveSample]) {
        guard !samples.isEmpty else { return }
        let keys = samples.map { normalize($0.key) }
        state.withLock { state in
            for (sample, key) in zip(samples, keys) {
                if RRDLayout.dataSourceType(for: RRDLayout.storedSlope(sample.geometry.slope, at: key.location)) != "GAUGE" {
                    state.counters.insert(key)
                }
                state.sums.record(key, time: sample.time, value: sample.sum, interval: step)
                if key.location.isSummary { state.nums.record(key, time: sample.time, value: Double(sample.num), interval: step) }
                state.newest = max(state.newest, sample.time)
            }
            if state.newest - state.swept > Int64(seconds) {
                let cutoff = state.newest - Int64(seconds)
                for (key, ring) in state.sums.rings where (ring.newest?.time ?? 0) < cutoff {
                    state.sums.forget(key)
                    state.nums.forget(key)
                    state.counters.remove(key)
                }
                state.swept = state.newest
            }
        }
    }

    /// Whether a series is archived as a counter (COUNTER or DERIVE).
    public func isCounter(_ key: ArchiveKey) -> Bool { state.withLock { $0.counters.contains(key) } }

    /// The values of one series' data source (`sum`, or `num` for summaries) after `time`.
    public func entries(_ key: ArchiveKey, dataSource: String, after time: Int64) -> [HistoryRing.Entry] {
        state.withLock { state in
            (dataSource == "num" ? state.nums : state.sums).ring(key)?.entries(after: time) ?? []
        }
    }

    /// The oldest time the tail holds for a series (nil: nothing).
    public func oldest(_ key: ArchiveKey) -> Int64? {
        state.withLock { $0.sums.ring(key)?.oldest?.time }
    }

    /// What an aggregator serves for a parent's back-fill, from `time` on (the value in effect
    /// then, and after), in name order: every host series, and the grid's own summary (the root
    /// summary, sums and host counts, under `gridname`) for a parent that keeps us as a summary.
    public func history(from time: Int64, gridname: String) -> [(key: HistoryKey, entries: [HistoryRing.Entry])] {
        let held = state.withLock { state in
            var held: [(HistoryKey, [HistoryRing.Entry])] = []
            for (key, ring) in state.sums.rings {
                let entries = ring.entries(after: time, inEffect: true)
                guard !entries.isEmpty else { continue }
                switch key.location {
                case .host(let cluster, let host):
                    held.append((HistoryKey(cluster: cluster.rawValue, host: host.rawValue, metric: key.metric.rawValue), entries))
                case .rootSummary:
                    held.append((HistoryKey(cluster: gridname, host: HistoryKey.summaryHost, metric: key.metric.rawValue), entries))
                    if let counts = state.nums.ring(key)?.entries(after: time, inEffect: true), !counts.isEmpty {
                        held.append((HistoryKey(cluster: gridname, host: HistoryKey.summaryCountHost, metric: key.metric.rawValue), counts))
                    }
                case .clusterSummary, .gridSummary:
                    continue
                }
            }
            return held
        }
        return held.sorted { $0.0 < $1.0 }.map { (key: $0.0, entries: $0.1) }
    }

    /// What `/status` and `/metrics` show.
    public struct Statistics: Sendable, Equatable, Codable {
        public var seconds = 0
        public var series = 0
        public var bytes = 0
        /// Series refused at the bound, and values refused as not newer than their series'.
        public var seriesRefused = 0
        public var valuesRefused = 0
        /// Rows graphs and exports took from the tail (the files didn't have them yet), and reads
        /// of a file further behind than the tail reaches (what rrdcached holds filled the gap).
        public var rowsSpliced = 0
        public var pendingReads = 0

        public init() {}
    }

    public var statistics: Statistics {
        state.withLock { state in
            var s = Statistics()
            s.seconds = seconds
            s.series = state.sums.rings.count
            s.bytes = state.sums.bytes + state.nums.bytes
            s.seriesRefused = state.sums.seriesRefused + state.nums.seriesRefused
            s.valuesRefused = state.sums.valuesRefused + state.nums.valuesRefused
            s.rowsSpliced = LiveTailFetch.filled.load(ordering: .relaxed)
            s.pendingReads = LiveTailFetch.pendingReads.load(ordering: .relaxed)
            return s
        }
    }
}
