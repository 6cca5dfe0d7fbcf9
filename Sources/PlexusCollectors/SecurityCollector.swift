import PlexusCore

/// The agent's counts of signed datagrams as metrics of its own host, in the `security` group,
/// when `[security]` is on (`docs/security.md`): `datagrams_signed` (accepted) and
/// `datagrams_refused_REASON` per refusal reason. Totals since the agent started, slope
/// positive, so archives keep them as COUNTER (refusals per second on a graph) and alert rules
/// see every new refusal.
public struct SecurityCollector: Collector {
    /// The refusal reasons, as `EnvelopeVerifier.Refusal` names them (a test keeps both equal).
    public static let reasons = ["malformed", "unknown_key", "bad_mac", "stale", "replay", "host_not_allowed", "unsigned"]
    public static let metricNames = ["datagrams_signed"] + reasons.map { "datagrams_refused_\($0)" }

    /// Totals by metric name, read at each collection.
    public let read: @Sendable () -> [String: Int]

    public init(read: @escaping @Sendable () -> [String: Int]) {
        self.read = read
    }

    public var definitions: [MetricDefinition] {
        let accepted = MetricDefinition(
            "datagrams_signed", .uint32, units: "datagrams", slope: .positive, tmax: 120, format: "%u", group: "security",
            description: "Signed datagrams accepted since the agent started")
        return [accepted]
            + Self.reasons.map { reason in
                MetricDefinition(
                    "datagrams_refused_\(reason)", .uint32, units: "datagrams", slope: .positive, tmax: 120, format: "%u", group: "security",
                    description: "Datagrams refused as \(reason.replacing("_", with: " ")) since the agent started")
            }
    }

    /// Sent with a change of one, and at least every minute.
    public static var collectionGroup: AgentConfiguration.CollectionGroup {
        let titles = ["Signed datagrams taken"] + reasons.map { "Refused: \($0.replacing("_", with: " "))" }
        return AgentConfiguration.CollectionGroup(
            collectEvery: 10, timeThreshold: 60,
            metrics: zip(metricNames, titles).map { AgentConfiguration.MetricSelection(name: $0, valueThreshold: 1, title: $1) })
    }

    public mutating func sample(_ proc: HostSystem, now: Double) throws(CollectorError) -> [String: MetricValue] {
        read().mapValues { .uint(UInt32(truncatingIfNeeded: $0)) }
    }
}
