import PlexusCore

/// One alert the evaluator holds: a rule applied to one series (a host's metric, a host, a
/// cluster's summary, a data source), pending until its `for` has passed, then firing.
public struct ActiveAlert: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Codable {
        case pending, firing
    }

    /// The labels Alertmanager groups by: `alertname`, `severity`, and `cluster`, `host`,
    /// `metric`, `source` where they apply.
    public var labels: [String: String]
    public var state: State
    /// When the condition began to hold (pending since), and when the alert fired.
    public var activeSince: Int64
    public var firingSince: Int64?
    /// The value that made it hold, as of the latest evaluation (a metric's value, a host's or
    /// a metric's seconds of silence, 0 for a source that is down).
    public var value: Double
    public var summary: String?

    public var name: String { labels["alertname"] ?? "" }

    public init(
        labels: [String: String], state: State, activeSince: Int64, firingSince: Int64? = nil, value: Double, summary: String? = nil
    ) {
        self.labels = labels
        self.state = state
        self.activeSince = activeSince
        self.firingSince = firingSince
        self.value = value
        self.summary = summary
    }
}

/// A change to tell Alertmanager, the webhook and the command about.
public struct AlertChange: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        case firing, resolved
    }

    public var kind: Kind
    public var alert: ActiveAlert
    /// When it fired, or resolved.
    public var at: Int64

    public init(kind: Kind, alert: ActiveAlert, at: Int64) {
        self.kind = kind
        self.alert = alert
        self.at = at
    }
}

/// Changes not yet delivered when the aggregator stopped, kept with the alerts (`AlertStateFile`)
/// so that a restart loses no resolve: the resolves Alertmanager has not been told of, and the
/// webhook's and the command's queues.
public struct UndeliveredChanges: Sendable, Equatable, Codable {
    public var alertmanager: [AlertChange] = []
    public var webhook: [AlertChange] = []
    public var command: [AlertChange] = []

    public init(alertmanager: [AlertChange] = [], webhook: [AlertChange] = [], command: [AlertChange] = []) {
        self.alertmanager = alertmanager
        self.webhook = webhook
        self.command = command
    }

    public var isEmpty: Bool { alertmanager.isEmpty && webhook.isEmpty && command.isEmpty }
}

/// Alert rules evaluated on values and times given to them: no clock, no I/O. Each evaluation
/// takes what the grid holds now and returns what changed; the alerts pending and firing are
/// kept between evaluations (and can be restored after a restart).
///
/// A threshold rule holds while the value is past its threshold, and once active, until the
/// value is back past `clear` (hysteresis). It fires once it has held for `for` seconds; a
/// pending alert whose condition ends is dropped without a word; a firing one resolves. A series
/// that disappears (its host or metric is gone) resolves its alerts.
public struct AlertEvaluator: Sendable {
    public let rules: [AlertRule]
    /// By identity: the rule's index and the series' labels.
    public private(set) var active: [Identity: ActiveAlert] = [:]

    public struct Identity: Hashable, Sendable, Codable {
        public var rule: String
        public var series: [String]
    }

    public init(rules: [AlertRule], restoring alerts: [ActiveAlert] = []) {
        self.rules = rules
        for alert in alerts {
            guard let rule = rules.first(where: { $0.name == alert.name }) else { continue }
            active[Self.identity(rule, alert.labels)] = alert
        }
    }

    static func identity(_ rule: AlertRule, _ labels: [String: String]) -> Identity {
        Identity(rule: rule.name, series: ["grid", "cluster", "host", "metric", "source"].map { labels[$0] ?? "" })
    }

    /// A series a rule looked at: its labels, its value, and whether the rule's condition holds.
    struct Observation {
        var labels: [String: String]
        var value: Double
        var holds: Bool
    }

    public mutating func evaluate(_ inputs: AlertInputs, now: Int64) -> [AlertChange] {
        var changes: [AlertChange] = []
        for rule in rules {
            var seen: Set<Identity> = []
            for observation in observations(rule, inputs) {
                var labels = observation.labels
                labels["alertname"] = rule.name
                labels["severity"] = rule.severity
                let id = Self.identity(rule, labels)
                seen.insert(id)
                if let change = step(id, rule, labels: labels, value: observation.value, holds: observation.holds, now: now) {
                    changes.append(change)
                }
            }
            // Series this rule held an alert for and no longer sees: gone, so the alert ends.
            for (id, alert) in active where id.rule == rule.name && !seen.contains(id) {
                active[id] = nil
                if alert.state == .firing { changes.append(AlertChange(kind: .resolved, alert: alert, at: now)) }
            }
        }
        return changes
    }

    /// One series' alert through one evaluation.
    private mutating func step(_ id: Identity, _ rule: AlertRule, labels: [String: String], value: Double, holds: Bool, now: Int64) -> AlertChange? {
        guard holds else {
            guard let alert = active.removeValue(forKey: id) else { return nil }
            return alert.state == .firing ? AlertChange(kind: .resolved, alert: Self.updated(alert, value), at: now) : nil
        }
        var alert = active[id] ?? ActiveAlert(labels: labels, state: .pending, activeSince: now, firingSince: nil, value: value)
        alert.value = value
        alert.summary = rule.summary.map { Self.fill($0, labels: labels, value: value) }
        var change: AlertChange?
        if alert.state == .pending, now - alert.activeSince >= Int64(rule.forSeconds) {
            alert.state = .firing
            alert.firingSince = now
            change = AlertChange(kind: .firing, alert: alert, at: now)
        }
        active[id] = alert
        return change
    }

    private static func updated(_ alert: ActiveAlert, _ value: Double) -> ActiveAlert {
        var alert = alert
        alert.value = value
        return alert
    }

    /// Whether some anomaly rule watches this host's metric: the series whose FAILURES the
    /// aggregator reads, and whose files get a forecast.
    public static func watchesForAnomalies(_ rules: [AlertRule], cluster: String, host: String, metric: String) -> AlertRule? {
        rules.first { rule in
            rule.kind == .anomaly && NamePattern(rule.cluster).matches(cluster) && NamePattern(rule.host).matches(host)
                && rule.metric.map { NamePattern($0).matches(metric) } == true
        }
    }

    /// What `rule` sees in `inputs`, series by series.
    func observations(_ rule: AlertRule, _ inputs: AlertInputs) -> [Observation] {
        let clusters = NamePattern(rule.cluster), hosts = NamePattern(rule.host)
        let metrics = rule.metric.map(NamePattern.init)
        // The identity is the rule and the series' labels: `alertname` and `severity` add nothing.
        func isActive(_ labels: [String: String]) -> Bool { active[Self.identity(rule, labels)] != nil }
        var found: [Observation] = []
        switch (rule.kind, rule.scope) {
        case (.threshold, .host):
            for host in inputs.hosts where clusters.matches(host.cluster) && hosts.matches(host.name) {
                for metric in host.metrics where metrics?.matches(metric.name) == true {
                    guard let value = metric.value, value.isFinite else { continue }
                    let labels = ["cluster": host.cluster, "host": host.name, "metric": metric.name]
                    found.append(Observation(labels: labels, value: value, holds: rule.holds(value, active: isActive(labels))))
                }
            }
        case (.threshold, .cluster), (.threshold, .grid):
            let summaries = rule.scope == .grid ? (inputs.grid.map { [$0] } ?? []) : inputs.clusters.filter { clusters.matches($0.name) }
            for summary in summaries {
                for (name, total) in summary.metrics where metrics?.matches(name) == true && total.num > 0 {
                    let value = rule.aggregate == .sum ? total.sum : total.sum / Double(total.num)
                    guard value.isFinite else { continue }
                    var labels = ["metric": name]
                    labels[rule.scope == .grid ? "grid" : "cluster"] = summary.name
                    found.append(Observation(labels: labels, value: value, holds: rule.holds(value, active: isActive(labels))))
                }
            }
        case (.hostDown, _):
            for host in inputs.hosts where clusters.matches(host.cluster) && hosts.matches(host.name) {
                found.append(Observation(labels: ["cluster": host.cluster, "host": host.name], value: Double(host.tn), holds: !host.up))
            }
        case (.stale, _):
            // A down host's metrics are its host's alert, not stale ones.
            for host in inputs.hosts where host.up && clusters.matches(host.cluster) && hosts.matches(host.name) {
                for metric in host.metrics where metrics?.matches(metric.name) == true {
                    let stale = Double(metric.tn) > rule.staleFactor * Double(max(metric.tmax, 1))
                    found.append(
                        Observation(
                            labels: ["cluster": host.cluster, "host": host.name, "metric": metric.name],
                            value: Double(metric.tn), holds: stale))
                }
            }
        case (.sourceDown, _):
            for source in inputs.sources where clusters.matches(source.name) {
                found.append(Observation(labels: ["source": source.name], value: source.alive ? 1 : 0, holds: !source.alive))
            }
        case (.anomaly, _):
            // From the archive's FAILURES (read by the aggregator): 1 while the forecast fails.
            for anomaly in inputs.anomalies
            where clusters.matches(anomaly.cluster) && hosts.matches(anomaly.host) && metrics?.matches(anomaly.metric) == true {
                found.append(
                    Observation(
                        labels: ["cluster": anomaly.cluster, "host": anomaly.host, "metric": anomaly.metric], value: anomaly.failing ? 1 : 0,
                        holds: anomaly.failing))
            }
        }
        return found
    }

    /// `{{value}}`, `{{host}}`, `{{cluster}}`, `{{metric}}` (and any other label) filled in.
    static func fill(_ template: String, labels: [String: String], value: Double) -> String {
        var text = template.replacingOccurrences(of: "{{value}}", with: Self.number(value))
        for (name, label) in labels { text = text.replacingOccurrences(of: "{{\(name)}}", with: label) }
        return text
    }

    /// Whole numbers without a fraction, others with up to 3 decimals.
    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        let scaled = (value * 1000).rounded() / 1000
        return "\(scaled)"
    }
}
