import PlexusArchive
import PlexusCore

/// The samples that close the hole an outage left in a source's archives (issue 18), as a value:
/// no I/O, no clock. From the history the source served, the archives' last updates and the poll
/// that ended the outage, it writes what the missed polls would have written: at every missed
/// turn (each archive's last update plus multiples of the step, before the poll's `LOCALTIME`),
/// each host's value then (its newest at or before the turn) while the host was up (heard within
/// 4 × TMAX, gmetad's rule), and each cluster's summary of those values.
///
/// - Only what the ending poll still shows is filled: its clusters, hosts and summarized metrics
///   (their slopes and TMAX come from it), and only archives that exist (`lastUpdates`).
/// - Nothing at or before an archive's last update: no duplicates, nothing out of order.
/// - A cluster's summary is filled only when the history covers every host up in the ending
///   poll: a sum over some of the hosts would draw a dip that never happened.
/// - At most `maxSpan` seconds before the ending poll.
/// - A child grid kept as its summary (`scalable = true`) is filled from the child's own summary
///   series (`HistoryKey.summaryHost` and `.summaryCountHost` under the grid's name; an
///   aggregator serves them), each value in effect for at most two steps.
///
/// Samples come a turn at a time, oldest first (`nextRound`), so the caller can pace the writer.
struct BackfillPlan {
    /// One archive to fill: the history's values and where the turn has reached in them.
    struct Series {
        var key: ArchiveKey
        var geometry: ArchiveGeometry
        var metric: MetricName
        var host: Int
        var after: Int64?
        var entries: [HistoryRing.Entry]
        var next = 0

        /// The value in effect at `time` (entries are oldest first; times only move forward).
        mutating func value(at time: Int64) -> HistoryRing.Entry? {
            while next < entries.count, entries[next].time <= time { next += 1 }
            return next > 0 ? entries[next - 1] : nil
        }
    }

    /// A host's liveness from the history: every time anything of it was heard.
    struct Liveness {
        var heard: [Int64]
        var window: Int64
        var next = 0

        mutating func isUp(at time: Int64) -> Bool {
            while next < heard.count, heard[next] <= time { next += 1 }
            return next > 0 && time - heard[next - 1] < window
        }
    }

    struct SummaryTarget {
        var metric: MetricName
        var key: ArchiveKey
        var geometry: ArchiveGeometry
        var after: Int64
    }

    /// One cluster's missed turns and what each fills.
    struct ClusterPlan {
        var turns: [Int64]
        var series: [Series]
        var hosts: [Liveness]
        /// In the order the ending poll lists them.
        var summaries: [SummaryTarget]
        /// A summarized child grid's summary archives: sums and counts from its history.
        var grid: [GridSeries] = []
    }

    /// One metric of a child grid's summary: its sums and host counts as the child served them.
    struct GridSeries {
        var key: ArchiveKey
        var after: Int64
        var sums: Series
        var counts: Series
    }

    private(set) var clusters: [ClusterPlan] = []
    /// Seconds between turns (the source's step).
    let step: Int64
    /// Values served that their archive already has (at or before its last update, the one in
    /// effect then aside): not written.
    private(set) var refusedOlder = 0
    private var cluster = 0
    private var turn = 0

    /// `lastUpdates`: the last update of each archive (host and cluster summary) that is behind;
    /// archives not in it are left alone.
    init(
        history: HistoryText.Reply, content: SourceContent, lastUpdates: [ArchiveKey: Int64], step: Int, maxSpan: Int64,
        unsummarized: [String] = []
    ) {
        let step = max(1, step)
        self.step = Int64(step)
        for held in content.clusters {
            var plan = ClusterPlan(turns: [], series: [], hosts: [], summaries: [])
            let name = held.name
            let until = held.cluster.localtime
            var covered = true
            for (index, host) in held.hosts.map(\.host).enumerated() {
                let historyKey = { (metric: String) in HistoryKey(cluster: name.rawValue, host: host.name.rawValue, metric: metric) }
                var heard: Set<Int64> = []
                var any = false
                for metric in host.metrics where metric.type.isSummarized {
                    guard let entries = history.series[historyKey(metric.name.rawValue)] else { continue }
                    any = true
                    heard.formUnion(entries.map(\.time))
                    let key = ArchiveKey(.host(name, host.name), metric.name)
                    if let after = lastUpdates[key] { refusedOlder += max(0, entries.prefix { $0.time <= after }.count - 1) }
                    plan.series.append(
                        Series(
                            key: key, geometry: ArchiveGeometry(step: step, slope: metric.slope), metric: metric.name, host: index,
                            after: lastUpdates[key], entries: entries))
                }
                if let beat = history.series[historyKey("heartbeat")] { heard.formUnion(beat.map(\.time)) }
                let window = host.tmax == 0 ? 60 : 4 * Int64(host.tmax)
                plan.hosts.append(Liveness(heard: heard.sorted(), window: window))
                if !any, host.isUp(localtime: until) { covered = false }
            }
            if covered {
                for metric in held.summary.metrics where !unsummarized.contains(where: { metric.name.rawValue.hasPrefix($0) }) {
                    let key = ArchiveKey(.clusterSummary(name), metric.name)
                    guard let after = lastUpdates[key] else { continue }
                    plan.summaries.append(
                        SummaryTarget(metric: metric.name, key: key, geometry: ArchiveGeometry(step: step, slope: metric.slope), after: after))
                }
            }
            let afters = plan.series.compactMap(\.after) + plan.summaries.map(\.after)
            guard let anchor = afters.min() else { continue }
            plan.turns = Self.turns(after: anchor, before: until, step: step, maxSpan: maxSpan)
            guard !plan.turns.isEmpty else { continue }
            clusters.append(plan)
        }
        for held in content.grids {
            let name = held.name
            var plan = ClusterPlan(turns: [], series: [], hosts: [], summaries: [])
            for metric in held.summary.metrics {
                let key = ArchiveKey(.gridSummary(name), metric.name)
                guard let after = lastUpdates[key],
                    let sums = history.series[HistoryKey(cluster: name.rawValue, host: HistoryKey.summaryHost, metric: metric.name.rawValue)],
                    let counts = history.series[HistoryKey(cluster: name.rawValue, host: HistoryKey.summaryCountHost, metric: metric.name.rawValue)]
                else { continue }
                func series(_ entries: [HistoryRing.Entry]) -> Series {
                    Series(key: key, geometry: ArchiveGeometry(step: step), metric: metric.name, host: 0, after: after, entries: entries)
                }
                plan.grid.append(GridSeries(key: key, after: after, sums: series(sums), counts: series(counts)))
            }
            guard let anchor = plan.grid.map(\.after).min(), let until = held.grid.localtime else { continue }
            plan.turns = Self.turns(after: anchor, before: until, step: step, maxSpan: maxSpan)
            if !plan.turns.isEmpty { clusters.append(plan) }
        }
    }

    /// The turns after `anchor` (the oldest archive's last update, plus multiples of `step`)
    /// and before `until`, within `maxSpan` of it.
    static func turns(after anchor: Int64, before until: Int64, step: Int, maxSpan: Int64) -> [Int64] {
        let step = Int64(step)
        var first = anchor + step
        if until - first > maxSpan { first += (until - maxSpan - first + step - 1) / step * step }
        return Array(stride(from: first, to: until, by: Int(step)))
    }

    /// How many turns are left in all.
    var remainingTurns: Int {
        clusters.indices.reduce(0) { total, i in total + (i < cluster ? 0 : i == cluster ? clusters[i].turns.count - turn : clusters[i].turns.count) }
    }

    /// The samples of the next missed turn (a cluster's turns in time order, cluster after
    /// cluster: each file's samples stay in order); nil when done. A turn may have none.
    mutating func nextRound() -> [ArchiveSample]? {
        guard cluster < clusters.count else { return nil }
        let time = clusters[cluster].turns[turn]
        var samples: [ArchiveSample] = []
        for i in clusters[cluster].grid.indices where time > clusters[cluster].grid[i].after {
            guard let sum = clusters[cluster].grid[i].sums.value(at: time), let count = clusters[cluster].grid[i].counts.value(at: time),
                time - sum.time <= 2 * step, time - count.time <= 2 * step
            else { continue }
            let target = clusters[cluster].grid[i]
            samples.append(
                ArchiveSample(
                    key: target.key, geometry: ArchiveGeometry(step: Int(step), slope: RRDLayout.storedSlope(.both, at: target.key.location)),
                    time: time, sum: sum.value, num: Int(count.value)))
        }
        var sums: [MetricName: (sum: Double, num: Int)] = [:]
        let up = clusters[cluster].hosts.indices.map { clusters[cluster].hosts[$0].isUp(at: time) }
        for i in clusters[cluster].series.indices {
            guard let entry = clusters[cluster].series[i].value(at: time) else { continue }
            let series = clusters[cluster].series[i]
            guard up[series.host] else { continue }
            if let after = series.after, time > after {
                samples.append(ArchiveSample(key: series.key, geometry: series.geometry, time: time, value: entry.value))
            }
            if entry.value.isFinite {
                sums[series.metric, default: (0, 0)].sum += entry.value
                sums[series.metric, default: (0, 0)].num += 1
            }
        }
        for target in clusters[cluster].summaries where time > target.after {
            guard let total = sums[target.metric] else { continue }
            samples.append(ArchiveSample(key: target.key, geometry: target.geometry, time: time, sum: total.sum, num: total.num))
        }
        turn += 1
        if turn == clusters[cluster].turns.count {
            cluster += 1
            turn = 0
        }
        return samples
    }
}
