import PlexusCore

/// Alert rules evaluated on values and times given to them: no clock, no I/O. Each evaluation
/// takes what the grid holds now and returns what changed; the alerts pending and firing are
/// kept between evaluations (and can be restored after a restart).
///
/// A threshold rule holds while the value is past its threshold, and once active, until the
/// value is back past `clear` (hysteresis). It fires once it has held for `for` seconds; a
/// pending alert whose condition ends is dropped without a word; a firing one resolves. A series
/// that disappears (its host or metric is gone) resolves its alerts.
///
/// Built for a thousand rules over a thousand hosts of thirty metrics (`docs/BENCHMARKS.md`):
/// patterns are compiled once and their answers for each cluster and host name kept; each metric
/// name leads to the rules that watch it; a series is given labels and an identity only when its
/// rule holds or already has an alert for it.
public struct AlertEvaluator: Sendable {
    public let rules: [AlertRule]
    /// The alerts pending and firing, by identity: the rule's name and the series.
    public var active: [Identity: ActiveAlert] {
        var all: [Identity: ActiveAlert] = [:]
        for (r, hosts) in byRule.enumerated() {
            for alerts in hosts.values {
                for (series, held) in alerts { all[Identity(rule: rules[r].name, series: series)] = held.alert }
            }
        }
        return all
    }

    /// The alerts pending and firing, in no particular order.
    public var alerts: [ActiveAlert] {
        byRule.flatMap { hosts in hosts.values.flatMap { $0.values.map(\.alert) } }
    }

    /// The same, per rule (by index), host (empty for alerts not about a host) and series: most
    /// rules hold none, and a series is looked up only when its rule holds one for its host.
    var byRule: [[String: [Series: Held]]]

    /// An alert, and the evaluation that last saw its series (one not seen is gone).
    struct Held: Sendable {
        var alert: ActiveAlert
        var seen: Int
    }

    /// The evaluations so far.
    var generation = 0

    public struct Identity: Hashable, Sendable {
        public var rule: String
        public var series: Series
    }

    /// What an alert is about: a host's metric (`cluster`, `host`, `metric`), a host, a
    /// summary (`cluster` or `grid`, `metric`), a data source; the rest empty.
    public struct Series: Hashable, Sendable {
        public var grid = ""
        public var cluster = ""
        public var host = ""
        public var metric = ""
        public var source = ""

        init(grid: String = "", cluster: String = "", host: String = "", metric: String = "", source: String = "") {
            self.grid = grid
            self.cluster = cluster
            self.host = host
            self.metric = metric
            self.source = source
        }

        init(_ labels: [String: String]) {
            self.init(
                grid: labels["grid"] ?? "", cluster: labels["cluster"] ?? "", host: labels["host"] ?? "", metric: labels["metric"] ?? "",
                source: labels["source"] ?? "")
        }

        var labels: [String: String] {
            var labels: [String: String] = [:]
            for (name, value) in [("grid", grid), ("cluster", cluster), ("host", host), ("metric", metric), ("source", source)] where !value.isEmpty {
                labels[name] = value
            }
            return labels
        }
    }

    /// A rule compiled to plain values (copied for free in the loops over series): which of the
    /// distinct cluster and host patterns it uses, and its condition.
    struct Plan: Sendable {
        var cluster: Int
        var host: Int
        var isStale: Bool
        var above: Bool
        var threshold: Double
        var clear: Double
        var staleFactor: Double
        var forSeconds: Int64

        /// `AlertRule.holds`, on the plain values.
        func holds(_ value: Double, active: Bool) -> Bool {
            let limit = active ? clear : threshold
            return above ? value > limit : value < limit
        }
    }

    let plans: [Plan]
    let metricPatterns: [NamePattern?]
    /// The `host_down` rules, visited together over the hosts.
    let hostDown: [Int]
    let clusterPatterns: [NamePattern]
    let hostPatterns: [NamePattern]
    /// Each rule's summary, cut where the labels and the value go.
    let summaries: [SummaryTemplate?]
    var cache = MatchCache()

    public init(rules: [AlertRule], restoring alerts: [ActiveAlert] = []) {
        self.rules = rules
        var clusters: [String: Int] = [:]
        var hosts: [String: Int] = [:]
        plans = rules.map { rule in
            let c = clusters[rule.cluster] ?? clusters.count
            clusters[rule.cluster] = c
            let h = hosts[rule.host] ?? hosts.count
            hosts[rule.host] = h
            var above = true
            if case .below = rule.condition { above = false }
            let threshold = rule.condition?.threshold ?? .nan
            return Plan(
                cluster: c, host: h, isStale: rule.kind == .stale, above: above, threshold: threshold, clear: rule.clear ?? threshold,
                staleFactor: rule.staleFactor, forSeconds: Int64(rule.forSeconds))
        }
        metricPatterns = rules.map { $0.metric.map(NamePattern.init) }
        hostDown = rules.indices.filter { rules[$0].kind == .hostDown }
        clusterPatterns = clusters.sorted { $0.value < $1.value }.map { NamePattern($0.key) }
        hostPatterns = hosts.sorted { $0.value < $1.value }.map { NamePattern($0.key) }
        summaries = rules.map { $0.summary.map(SummaryTemplate.init) }
        byRule = Array(repeating: [:], count: rules.count)
        for alert in alerts {
            guard let r = rules.firstIndex(where: { $0.name == alert.name }) else { continue }
            let series = Series(alert.labels)
            byRule[r][series.host, default: [:]][series] = Held(alert: alert, seen: 0)
        }
    }

    public mutating func evaluate(_ inputs: AlertInputs, now: Int64) -> [AlertChange] {
        generation += 1
        var pass = Pass(now: now)
        visitHostMetrics(inputs, &pass)
        if !hostDown.isEmpty {
            // Each host's pattern answers once, for every host_down rule.
            for host in inputs.hosts {
                let clusterRow = cache.cluster(host.cluster, clusterPatterns)
                let hostRow = cache.host(host.name, hostPatterns)
                for r in hostDown where clusterRow[plans[r].cluster] && hostRow[plans[r].host] {
                    visit(r, host: host.name, Series(cluster: host.cluster, host: host.name), value: Double(host.tn), holds: { _ in !host.up }, &pass)
                }
            }
        }
        for (r, rule) in rules.enumerated() {
            switch (rule.kind, rule.scope) {
            case (.threshold, .host), (.stale, _), (.hostDown, _): break  // visited above
            case (.threshold, .cluster), (.threshold, .grid): visitSummaries(r, inputs, &pass)
            case (.sourceDown, _):
                for source in inputs.sources where clusterPatterns[plans[r].cluster].matches(source.name) {
                    visit(r, Series(source: source.name), value: source.alive ? 1 : 0, holds: { _ in !source.alive }, &pass)
                }
            case (.anomaly, _):
                // From the archive's FAILURES (read by the aggregator): 1 while the forecast fails.
                let plan = plans[r]
                for anomaly in inputs.anomalies
                where clusterPatterns[plan.cluster].matches(anomaly.cluster) && hostPatterns[plan.host].matches(anomaly.host)
                    && metricPatterns[r]?.matches(anomaly.metric) == true
                {
                    visit(
                        r, host: anomaly.host, Series(cluster: anomaly.cluster, host: anomaly.host, metric: anomaly.metric),
                        value: anomaly.failing ? 1 : 0, holds: { _ in anomaly.failing }, &pass)
                }
            }
        }
        // Alerts whose series were not seen: gone, so the alert ends.
        for r in byRule.indices where !byRule[r].isEmpty {
            for alerts in byRule[r].values {
                for (series, held) in alerts where held.seen != generation {
                    remove(r, series)
                    if held.alert.state == .firing { pass.changes.append(AlertChange(kind: .resolved, alert: held.alert, at: now)) }
                }
            }
        }
        cache.trim(hosts: inputs.hosts.count)
        return pass.changes
    }

    /// One evaluation's bookkeeping: its time and what changed.
    struct Pass {
        var now: Int64
        var changes: [AlertChange] = []
    }

    /// One series of rule `r`: `holds(active)` says whether the condition holds, given whether
    /// an alert is already pending or firing for it (hysteresis).
    mutating func visit(
        _ r: Int, host: String = "", _ series: @autoclosure () -> Series, value: Double, holds: (Bool) -> Bool, _ pass: inout Pass
    ) {
        var key: Series?
        var alert: ActiveAlert?
        if !byRule[r].isEmpty, let alerts = byRule[r][host] {
            key = series()
            alert = alerts[key!]?.alert
        }
        guard holds(alert != nil) else {
            guard let key, var ended = alert else { return }
            remove(r, key)
            ended.value = value
            if ended.state == .firing { pass.changes.append(AlertChange(kind: .resolved, alert: ended, at: pass.now)) }
            return
        }
        let found = key ?? series()
        var current: ActiveAlert
        if let alert {
            current = alert
        } else {
            var labels = found.labels
            labels["alertname"] = rules[r].name
            labels["severity"] = rules[r].severity
            current = ActiveAlert(labels: labels, state: .pending, activeSince: pass.now, firingSince: nil, value: value)
        }
        if current.value != value || current.summary == nil {
            current.value = value
            current.summary = summaries[r]?.filled(labels: current.labels, value: value)
        }
        if current.state == .pending, pass.now - current.activeSince >= plans[r].forSeconds {
            current.state = .firing
            current.firingSince = pass.now
            pass.changes.append(AlertChange(kind: .firing, alert: current, at: pass.now))
        }
        byRule[r][found.host, default: [:]][found] = Held(alert: current, seen: generation)
    }

    private mutating func remove(_ r: Int, _ series: Series) {
        byRule[r][series.host]?[series] = nil
        if byRule[r][series.host]?.isEmpty == true { byRule[r][series.host] = nil }
    }

    /// `{{value}}`, `{{host}}`, `{{cluster}}`, `{{metric}}` (and any other label) filled in.
    static func fill(_ template: String, labels: [String: String], value: Double) -> String {
        SummaryTemplate(template).filled(labels: labels, value: value)
    }

    /// A summary cut once into its text and its `{{name}}` places, filled by concatenation at
    /// every evaluation of an active alert.
    struct SummaryTemplate: Sendable {
        enum Part: Sendable {
            case text(String)
            case value
            case label(String)
        }

        let parts: [Part]

        init(_ template: String) {
            var parts: [Part] = []
            var rest = Substring(template)
            while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
                if open.lowerBound > rest.startIndex { parts.append(.text(String(rest[..<open.lowerBound]))) }
                let name = String(rest[open.upperBound..<close.lowerBound])
                parts.append(name == "value" ? .value : .label(name))
                rest = rest[close.upperBound...]
            }
            if !rest.isEmpty { parts.append(.text(String(rest))) }
            self.parts = parts
        }

        /// A label the alert doesn't have stays as written (`{{source}}` on a host alert).
        func filled(labels: [String: String], value: Double) -> String {
            var text = ""
            for part in parts {
                switch part {
                case .text(let t): text += t
                case .value: text += AlertEvaluator.number(value)
                case .label(let name): text += labels[name] ?? "{{\(name)}}"
                }
            }
            return text
        }
    }

    /// Whole numbers without a fraction, others with up to 3 decimals.
    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        let scaled = (value * 1000).rounded() / 1000
        return "\(scaled)"
    }
}
