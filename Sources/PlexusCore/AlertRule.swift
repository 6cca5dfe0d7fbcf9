/// `[alerting]`: where alerts go and how often rules are evaluated (`docs/alerts.md`).
public struct AlertingConfiguration: Sendable, Equatable {
    /// Alertmanager's base URL (its v2 API is under `/api/v2`).
    public var alertmanagerURL: String?
    /// A URL that gets a JSON POST per change.
    public var webhookURL: String?
    /// A program run per change with the alert as JSON on its standard input.
    public var command: String?
    /// Seconds between evaluations; nil: the shortest data source step.
    public var evaluationInterval: UInt32?
    /// Seconds between re-sends of firing alerts to Alertmanager.
    public var resendInterval: UInt32 = 60
    /// The dashboard's address as people reach it, for the links in alerts (`generatorURL`);
    /// nil: `http://<this host's name>:<http_port>`.
    public var dashboardURL: String?
    /// Seconds a webhook POST, an Alertmanager POST or the command may take.
    public var timeout: UInt32 = 10

    public init() {}
}

/// One `[[alert]]` rule: which series it watches, when it fires and resolves, and its labels.
public struct AlertRule: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// A metric above or below a value (the default).
        case threshold
        /// A host that is down (TN past 4 × TMAX, gmond's rule).
        case hostDown = "host_down"
        /// A metric not updated within `staleFactor` × its TMAX.
        case stale
        /// A data source no address of which answers.
        case sourceDown = "source_down"
        /// A metric that leaves RRDtool's Holt-Winters prediction (its FAILURES archive).
        case anomaly
    }

    /// What a threshold rule looks at: each host's value, each cluster's summary, or the grid's.
    public enum Scope: String, Sendable, CaseIterable {
        case host, cluster, grid
    }

    /// For `cluster` and `grid` scopes: the summary's sum, or its mean over the hosts reporting.
    public enum Aggregate: String, Sendable, CaseIterable {
        case mean, sum
    }

    public enum Condition: Sendable, Equatable {
        case above(Double)
        case below(Double)

        public var threshold: Double {
            switch self {
            case .above(let v), .below(let v): v
            }
        }
    }

    /// The `alertname` label.
    public var name: String
    public var kind: Kind = .threshold
    /// A metric name or glob (threshold, stale, anomaly).
    public var metric: String?
    /// Globs over cluster and host names (and data source names for `source_down`).
    public var cluster = "*"
    public var host = "*"
    public var scope = Scope.host
    public var aggregate = Aggregate.mean
    public var condition: Condition?
    /// Resolves only once the value is back past this (hysteresis); nil: the threshold itself.
    public var clear: Double?
    /// Seconds the condition holds before the alert fires.
    public var forSeconds: UInt32 = 0
    /// For `stale`: how many TMAX without an update make a metric stale.
    public var staleFactor: Double = 4
    public var severity = "warning"
    /// A text with `{{value}}`, `{{host}}`, `{{cluster}}`, `{{metric}}` replaced.
    public var summary: String?
    /// For `anomaly`: the forecast the metric's files get.
    public var holtWinters = HoltWinters()

    public init(name: String) {
        self.name = name
    }

    /// The value past which an active alert resolves.
    public var clearValue: Double? { clear ?? condition?.threshold }

    /// Whether `value` meets the condition; `active` (pending or firing) uses the clear value.
    public func holds(_ value: Double, active: Bool) -> Bool {
        guard let condition else { return false }
        switch condition {
        case .above(let threshold): return active ? value > (clear ?? threshold) : value > threshold
        case .below(let threshold): return active ? value < (clear ?? threshold) : value < threshold
        }
    }
}
