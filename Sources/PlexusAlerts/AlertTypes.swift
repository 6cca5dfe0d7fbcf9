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

    /// The file under the RRD root where the aggregator keeps them across restarts (hidden, so
    /// ganglia-web's directory listings skip it); `plexus alerts` reads it too.
    public static let stateFileName = ".plexus-alerts.json"

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
