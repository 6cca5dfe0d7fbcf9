/// An alert as `/api/v1/alerts` answers it and `plexus alerts --json` prints it (`docs/api.md`).
public struct AlertRecord: Codable, Sendable, Equatable {
    public var name: String
    public var labels: [String: String]
    /// `pending` or `firing`.
    public var state: String
    /// When it entered its state: fired, or began to hold (pending).
    public var since: Int64
    public var activeSince: Int64
    /// Left out when not finite (JSON has no NaN).
    public var value: Double?
    public var summary: String?

    public init(_ alert: ActiveAlert) {
        name = alert.name
        labels = alert.labels
        state = alert.state.rawValue
        since = alert.firingSince ?? alert.activeSince
        activeSince = alert.activeSince
        value = alert.value.isFinite ? alert.value : nil
        summary = alert.summary
    }

    /// The whole answer of `/api/v1/alerts`.
    public struct List: Codable, Sendable, Equatable {
        public var firing: Int
        public var pending: Int
        public var alerts: [AlertRecord]

        public init(_ alerts: [ActiveAlert]) {
            firing = alerts.count { $0.state == .firing }
            pending = alerts.count { $0.state == .pending }
            self.alerts = alerts.map(AlertRecord.init)
        }
    }
}
