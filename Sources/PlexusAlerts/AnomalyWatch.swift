import PlexusCore

/// Which host metrics the anomaly rules watch (their files get a forecast, their FAILURES are
/// read), with the rules' patterns compiled once: the aggregator asks for every host metric of
/// every evaluation.
public struct AnomalyWatch: Sendable {
    private let rules: [(rule: AlertRule, cluster: NamePattern, host: NamePattern, metric: NamePattern)]

    public init(_ rules: [AlertRule]) {
        self.rules = rules.compactMap { rule in
            guard rule.kind == .anomaly, let metric = rule.metric else { return nil }
            return (rule, NamePattern(rule.cluster), NamePattern(rule.host), NamePattern(metric))
        }
    }

    public var isEmpty: Bool { rules.isEmpty }

    /// The first anomaly rule watching this host's metric, if any.
    public func rule(cluster: String, host: String, metric: String) -> AlertRule? {
        rules.first { $0.cluster.matches(cluster) && $0.host.matches(host) && $0.metric.matches(metric) }?.rule
    }
}
