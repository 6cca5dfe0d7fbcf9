import PlexusArchive
import PlexusCore

/// The grid's own summary (`__SummaryInfo__` at the root) over an outage, as a value: each
/// back-filled source's cluster summaries are its contribution, and at each missed turn of the
/// root archive (its last update plus multiples of the step, before the first root sample held
/// back meanwhile) the root is the sum of every source's contribution in effect then (at most
/// two of its steps old). Filled only when every source alive now contributed: a root summed
/// over some sources would draw a dip that never happened.
struct RootBackfill: Sendable {
    /// One source's summed cluster summaries at one of its turns.
    struct Point: Sendable {
        var time: Int64
        var metrics: [MetricName: (sum: Double, num: Int)]
    }

    /// Contributions by source index, each in time order.
    private(set) var contributions: [Int: [Point]] = [:]

    /// Adds a source's back-filled cluster and child grid summaries (a round's samples; host
    /// samples are ignored).
    mutating func add(_ samples: [ArchiveSample], source: Int) {
        var point = Point(time: 0, metrics: [:])
        for sample in samples {
            switch sample.key.location {
            case .clusterSummary, .gridSummary: break
            case .host, .rootSummary: continue
            }
            point.time = sample.time
            let metric = sample.key.metric
            point.metrics[metric, default: (0, 0)].sum += sample.sum
            point.metrics[metric, default: (0, 0)].num += sample.num
        }
        guard !point.metrics.isEmpty else { return }
        if let last = contributions[source]?.last, last.time == point.time {
            // Another cluster of the same source at the same turn.
            for (metric, value) in point.metrics {
                contributions[source]![contributions[source]!.count - 1].metrics[metric, default: (0, 0)].sum += value.sum
                contributions[source]![contributions[source]!.count - 1].metrics[metric, default: (0, 0)].num += value.num
            }
        } else {
            contributions[source, default: []].append(point)
        }
    }

    /// The root samples for the turns after `lastUpdates` (the root archives' last updates, by
    /// metric) and before `until`; none unless every source in `alive` contributed.
    func samples(lastUpdates: [MetricName: Int64], until: Int64, step: Int, alive: Set<Int>) -> [ArchiveSample] {
        guard !alive.isEmpty, alive.isSubset(of: Set(contributions.keys)), let anchor = lastUpdates.values.min() else { return [] }
        let step = Int64(max(1, step))
        var samples: [ArchiveSample] = []
        var cursors = Dictionary(uniqueKeysWithValues: alive.map { ($0, 0) })
        var time = anchor + step
        while time < until {
            var total: [MetricName: (sum: Double, num: Int)] = [:]
            var complete = true
            for source in alive {
                let points = contributions[source]!
                var i = cursors[source]!
                while i < points.count, points[i].time <= time { i += 1 }
                cursors[source] = i
                guard i > 0, time - points[i - 1].time <= 2 * step else {
                    complete = false
                    break
                }
                for (metric, value) in points[i - 1].metrics {
                    total[metric, default: (0, 0)].sum += value.sum
                    total[metric, default: (0, 0)].num += value.num
                }
            }
            if complete {
                for (metric, value) in total.sorted(by: { $0.key < $1.key }) where time > lastUpdates[metric] ?? .max {
                    samples.append(
                        ArchiveSample(
                            key: ArchiveKey(.rootSummary, metric), geometry: ArchiveGeometry(step: Int(step), slope: .both), time: time,
                            sum: value.sum, num: value.num))
                }
            }
            time += step
        }
        return samples
    }
}
