/// What the agent holds for one host it has heard: identity, liveness and metrics by name.
public struct HostRecord: Sendable, Equatable {
    /// Display name: reverse DNS of the source, the spoofed name, or the address.
    public var name: HostName
    /// The address the host is keyed by (source IP, or the IP half of a spoof).
    public var ip: String
    /// First and last time any packet for this host arrived (Unix seconds).
    public var firstHeard: Int64
    public var lastHeard: Int64
    /// GMOND_STARTED: the value of the host's heartbeat.
    public var gmondStarted: Int64 = 0
    /// LOCATION: the value of the host's `location` metric.
    public var location: String = "unspecified"
    /// TAGS (from the agent's own configuration, for its own host).
    public var tags: String = ""
    /// Metrics by name.
    public var metrics: [String: MetricRecord] = [:]
    /// Bytes of its metrics' metadata, for `maxMetadataBytesPerHost`.
    public var metadataBytes = 0

    public init(name: HostName, ip: String, heard: Int64) {
        self.name = name
        self.ip = ip
        firstHeard = heard
        lastHeard = heard
    }
}
