import PlexusSecurity
import PlexusTransport

/// What the agent counts, for its periodic log line and its tests.
public struct AgentStatistics: Sendable, Equatable {
    /// Datagrams received and decoded.
    public var received = 0
    /// Datagrams that were not Ganglia messages (dropped).
    public var malformed = 0
    /// Datagrams from addresses outside a receive channel's allow-list (dropped).
    public var refused = 0
    /// Datagrams sent (one per message per send channel).
    public var sent = 0
    /// Messages too large for one datagram (not sent).
    public var oversized = 0
    /// Metadata requests we sent for values whose metadata we lacked.
    public var metadataRequestsSent = 0
    /// Metadata requests for our own metrics that we answered.
    public var metadataRequestsAnswered = 0
    /// Signed datagrams accepted, and datagrams refused by reason (`[security]`).
    public var signatures = SignatureCounts()
    /// Collector failures (each costs that collector's metrics for one collection).
    public var collectorFailures = 0
    /// XML clients served, refused by the allow-list, or failed (timeout, reset).
    public var xml = GangliaPortServer.ClientCounts()
    public var xmlServed: Int { xml.served }
    /// History requests answered, and refused as malformed (`docs/format/history.md`).
    public var historyServed = 0
    public var historyRefused = 0
    public var xmlRefused: Int { xml.refused }

    public init() {}
}
