import PlexusCore

/// gmond's collection-group semantics as a value (`docs/configuration.md`), driven by the caller's clock.
///
/// Each group is collected every `collect_every` seconds (once at start with `collect_once`) and
/// sent when `time_threshold` seconds have passed since its last send, or at once when a metric
/// moved by its `value_threshold`. Metadata goes out with a metric's first value, again with the
/// first value after `send_metadata_interval` seconds, and at once when someone asks for it.
///
/// One deliberate difference from gmond: a value threshold is measured against the value last
/// *sent*, not the one last collected, so a slow drift still triggers a send once it adds up.
public struct CollectionSchedule: Sendable {
    /// What to put on the wire, in order.
    public enum Outgoing: Sendable, Equatable {
        case metadata(name: String, title: String?)
        case value(name: String, MetricValue)
    }

    struct MetricState: Sendable {
        var selection: AgentConfiguration.MetricSelection
        var current: MetricValue?
        var lastSent: MetricValue?
        /// When metadata was last sent; nil = never (send with the next value).
        var metadataSent: Double?
        /// A plugin's metric, taken in as it appeared (`adopt`): when a collection has no value
        /// for it, it has none (a failed run's last value is not sent again).
        var adopted = false
    }

    struct GroupState: Sendable {
        var group: AgentConfiguration.CollectionGroup
        var metrics: [MetricState]
        var nextCollect: Double
        var nextSend: Double
        /// The plugin whose own group this is (`adopt`); nil for configured groups.
        var owner: String?
    }

    private var groups: [GroupState]
    private let metadataInterval: Double

    /// A year: a `collect_once` group's next collection, as in gmond.
    static let never = 365.0 * 86_400

    public init(groups: [AgentConfiguration.CollectionGroup], metadataInterval: UInt32, start: Double) {
        self.groups = groups.map { group in
            GroupState(group: group, metrics: group.metrics.map { MetricState(selection: $0) }, nextCollect: start, nextSend: start)
        }
        self.metadataInterval = Double(metadataInterval)
    }

    /// Every metric name the schedule collects.
    public var metricNames: [String] { groups.flatMap { $0.metrics.map(\.selection.name) } }

    /// When `tick` next has something to do.
    public var nextDeadline: Double {
        groups.map { min($0.nextCollect, $0.nextSend) }.min() ?? .infinity
    }

    /// Collects what is due (asking `sample` for exactly those metric names) and returns what is
    /// due to be sent. A metric the sampler didn't return is left out of this send.
    public mutating func tick(now: Double, sample: (Set<String>) -> [String: MetricValue]) -> [Outgoing] {
        var wanted: Set<String> = []
        for group in groups where group.nextCollect <= now {
            wanted.formUnion(group.metrics.map(\.selection.name))
        }
        let values = wanted.isEmpty ? [:] : sample(wanted)
        var outgoing: [Outgoing] = []
        for g in groups.indices {
            if groups[g].nextCollect <= now { collect(g, values: values, now: now) }
            if groups[g].nextSend <= now { send(g, now: now, into: &outgoing) }
        }
        return outgoing
    }

    private mutating func collect(_ g: Int, values: [String: MetricValue], now: Double) {
        let group = groups[g].group
        groups[g].nextCollect = now + (group.collectOnce ? Self.never : Double(max(group.collectEvery, 1)))
        for m in groups[g].metrics.indices {
            guard let value = values[groups[g].metrics[m].selection.name] else {
                if groups[g].metrics[m].adopted { groups[g].metrics[m].current = nil }
                continue
            }
            groups[g].metrics[m].current = value
            if let threshold = groups[g].metrics[m].selection.valueThreshold,
                let new = value.numericValue, let old = groups[g].metrics[m].lastSent?.numericValue,
                abs(new - old) >= threshold
            {
                groups[g].nextSend = now
            }
        }
    }

    private mutating func send(_ g: Int, now: Double, into outgoing: inout [Outgoing]) {
        groups[g].nextSend = now + Double(max(groups[g].group.timeThreshold, 1))
        for m in groups[g].metrics.indices {
            let state = groups[g].metrics[m]
            guard let value = state.current else { continue }
            if state.metadataSent.map({ metadataInterval > 0 && now - $0 >= metadataInterval }) ?? true {
                outgoing.append(.metadata(name: state.selection.name, title: state.selection.title))
                groups[g].metrics[m].metadataSent = now
            }
            outgoing.append(.value(name: state.selection.name, value))
            groups[g].metrics[m].lastSent = value
        }
    }

    /// A metadata request (id 136) for one of our metrics: its metadata goes out with its
    /// group's next send, which is now.
    public mutating func metadataRequested(_ name: String, now: Double) {
        for g in groups.indices {
            for m in groups[g].metrics.indices where groups[g].metrics[m].selection.name == name {
                groups[g].metrics[m].metadataSent = nil
                groups[g].nextSend = min(groups[g].nextSend, now)
            }
        }
    }

    /// Every metric's metadata is resent with its next value (e.g. all metadata was requested).
    public mutating func resendAllMetadata(now: Double) {
        for g in groups.indices {
            for m in groups[g].metrics.indices { groups[g].metrics[m].metadataSent = nil }
            groups[g].nextSend = min(groups[g].nextSend, now)
        }
    }

    // MARK: - Plugins' metrics

    /// Takes a plugin's new metrics into the schedule: a metric a configured group names (or
    /// matches with `name_match`) joins that group; any other joins the plugin's own group
    /// (`own`: collected and sent when the plugin has run, `due`). `title` is the plugin's,
    /// used unless the group's entry has one (with gmond's `\1` … `\9` for the pattern's groups). Known names are left where they are.
    public mutating func adopt(_ metrics: [(name: String, title: String)], owner: String, own: AgentConfiguration.CollectionGroup, now: Double) {
        var scheduled: Set<String> = []
        for group in groups { for metric in group.metrics { scheduled.insert(metric.selection.name) } }
        for (name, title) in metrics where !scheduled.contains(name) {
            scheduled.insert(name)
            if let g = groups.firstIndex(where: { $0.owner == nil && $0.group.patterns.contains { $0.matches(name) } }),
                let pattern = groups[g].group.patterns.first(where: { $0.matches(name) })
            {
                let selection = AgentConfiguration.MetricSelection(name: name, valueThreshold: pattern.valueThreshold, title: pattern.title(for: name) ?? title)
                groups[g].metrics.append(MetricState(selection: selection, adopted: true))
                continue
            }
            let g = ownGroup(owner, own, now: now)
            groups[g].metrics.append(MetricState(selection: .init(name: name, title: title), adopted: true))
        }
    }

    /// Lets go of plugins' metrics gone from their output: they are no longer sent, and
    /// receivers forget them after their DMAX.
    public mutating func retire(_ names: Set<String>) {
        guard !names.isEmpty else { return }
        for g in groups.indices { groups[g].metrics.removeAll { $0.adopted && names.contains($0.selection.name) } }
    }

    /// The plugin `owner` has run: its own group collects and sends now.
    public mutating func due(owner: String, now: Double) {
        for g in groups.indices where groups[g].owner == owner {
            groups[g].nextCollect = now
            groups[g].nextSend = now
        }
    }

    /// The names of the metrics a plugin's own group holds.
    public func metrics(owner: String) -> [String] {
        groups.filter { $0.owner == owner }.flatMap { $0.metrics.map(\.selection.name) }
    }

    private mutating func ownGroup(_ owner: String, _ template: AgentConfiguration.CollectionGroup, now: Double) -> Int {
        if let g = groups.firstIndex(where: { $0.owner == owner }) { return g }
        var group = template
        group.metrics = []
        groups.append(GroupState(group: group, metrics: [], nextCollect: now, nextSend: now, owner: owner))
        return groups.count - 1
    }
}
