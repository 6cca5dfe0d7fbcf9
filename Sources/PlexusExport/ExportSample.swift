/// One value on its way to Graphite or a remote-write receiver: where it was polled, the
/// metric, when (the cluster's or grid's LOCALTIME, as the RRD archives are stamped) and the
/// value. Summaries carry their sum as the value and how many hosts it covers.
public struct ExportSample: Sendable, Equatable {
    public enum Place: Sendable, Hashable {
        /// A host of a cluster.
        case host(cluster: String, host: String)
        /// A cluster's summary.
        case cluster(String)
        /// A grid's summary: a child grid's, or this aggregator's own (the root summary).
        case grid(String)
    }

    public var place: Place
    public var metric: String
    /// The metric's first GROUP, for host values (a `group` label).
    public var group: String?
    /// Seconds since the epoch.
    public var time: Int64
    /// The value; a summary's sum.
    public var value: Double
    /// A summary's number of hosts; nil for a host's value.
    public var num: Double?

    public init(place: Place, metric: String, group: String? = nil, time: Int64, value: Double, num: Double? = nil) {
        self.place = place
        self.metric = metric
        self.group = group
        self.time = time
        self.value = value
        self.num = num
    }
}
