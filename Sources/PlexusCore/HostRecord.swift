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

/// Changes to a held host made in place, as `ClusterState` files each datagram. Reached through
/// the cluster's dictionary with `hosts.values[index]`, a mutating method changes the record
/// where it lies; reading a field that way would copy the whole record first (five references
/// retained and released, per datagram).
extension HostRecord {
    typealias MetricIndex = Dictionary<String, MetricRecord>.Index

    /// Where a metric is filed, or why a new one isn't.
    enum Place {
        case held(MetricIndex)
        case created(MetricIndex)
        case refused(reason: String)
    }

    mutating func heard(at now: Int64) {
        lastHeard = max(lastHeard, now)
    }

    /// Metric `name`'s place, made if it is new and within `maxMetrics` of this host and the
    /// cluster isn't full.
    mutating func place(_ name: String, now: Int64, maxMetrics: Int, clusterFull: Bool) -> Place {
        if let index = metrics.index(forKey: name) { return .held(index) }
        if metrics.count >= maxMetrics { return .refused(reason: "over max_metrics_per_host") }
        if clusterFull { return .refused(reason: "over max_metrics") }
        metrics[name] = MetricRecord(created: now)
        return metrics.index(forKey: name).map(Place.created) ?? .refused(reason: "not kept")
    }

    /// For metadata announced for metric `name`: nil when the metric holds it already as it
    /// is (its time refreshed: gmond resends metadata every `send_metadata_interval`), else the
    /// bytes the metric's metadata and the host's count now.
    mutating func refreshMetadata(_ announced: MetricMetadata, name: String, now: Int64) -> (metric: Int, host: Int)? {
        guard let index = metrics.index(forKey: name) else { return (0, metadataBytes) }
        if metrics.values[index].metadata == announced {
            metrics.values[index].metadataHeard = now
            return nil
        }
        return (metrics.values[index].metadataBytes, metadataBytes)
    }
}
