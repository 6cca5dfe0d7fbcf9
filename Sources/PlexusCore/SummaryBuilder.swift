/// Sums hosts and metrics into a `Summary` the way gmetad does: HOSTS counts up and down hosts;
/// METRICS sums, over up hosts, every summarized numeric metric (not strings, not timestamps,
/// not past its DMAX, not matching an `unsummarized_metrics` prefix) as a double, keeping the
/// first contributor's units, slope, extra data and printed precision.
public struct SummaryBuilder: Sendable {
    private var up = 0
    private var down = 0
    private var metrics: [MetricSummary] = []
    private var index: [MetricName: Int] = [:]
    private let unsummarized: [String]

    public init(excluding unsummarized: [String] = []) {
        self.unsummarized = unsummarized
    }

    public var summary: Summary {
        Summary(hosts: HostCounts(up: up, down: down), metrics: metrics)
    }

    public var isEmpty: Bool { up == 0 && down == 0 && metrics.isEmpty }

    private func excluded(_ name: MetricName) -> Bool {
        !unsummarized.isEmpty && unsummarized.contains { name.rawValue.hasPrefix($0) }
    }

    /// Counts a held host, and sums its metrics if it is up at `now`.
    public mutating func add(_ held: HeldHost, now: Int64, localtime: Int64) {
        guard held.isUp(at: now, localtime: localtime) else {
            down += 1
            return
        }
        up += 1
        let age = held.age(at: now)
        var position = 0
        // By index: iterating the array would copy every Metric (a retain per string).
        let metrics = held.host.metrics
        for i in metrics.indices where metrics[i].type.isSummarized {
            if metrics[i].dmax > 0, metrics[i].tn.addingClamped(age) > metrics[i].dmax { continue }
            guard let value = metrics[i].numericValue, value.isFinite, !excluded(metrics[i].name) else { continue }
            position = add(metrics, i, value: value, hint: position) + 1
        }
    }

    /// Adds a value; returns where its summary sits. Hosts usually list their metrics in one
    /// order, so the slot after the previous metric's is tried before the dictionary.
    private mutating func add(_ list: [Metric], _ m: Int, value: Double, hint: Int) -> Int {
        if hint < metrics.count, metrics[hint].name == list[m].name {
            metrics[hint].sum += value
            metrics[hint].num += 1
            return hint
        }
        let metric = list[m]
        if let i = index[metric.name] {
            metrics[i].sum += value
            metrics[i].num += 1
            return i
        }
        index[metric.name] = metrics.count
        metrics.append(
            MetricSummary(
                name: metric.name, sum: value,
                precision: metric.type.isInteger ? 0 : MetricSummary.precision(of: metric.value),
                num: 1, type: .double, units: metric.units, slope: metric.slope,
                extraData: metric.extraData.filter { !$0.name.hasPrefix("SPOOF_") }))
        return metrics.count - 1
    }

    /// Adds another summary (a cluster's into a source's, a child grid's, a source's into the root).
    public mutating func add(_ summary: Summary) {
        up += summary.hosts.up
        down += summary.hosts.down
        for metric in summary.metrics {
            add(metric)
        }
    }

    /// Adds one `<METRICS>` (sum and num).
    public mutating func add(_ metric: MetricSummary) {
        guard !excluded(metric.name) else { return }
        if let i = index[metric.name] {
            metrics[i].sum += metric.sum
            metrics[i].num += metric.num
        } else {
            index[metric.name] = metrics.count
            metrics.append(metric)
        }
    }

    /// Adds one `<HOSTS>`.
    public mutating func add(_ counts: HostCounts) {
        up += counts.up
        down += counts.down
    }
}
