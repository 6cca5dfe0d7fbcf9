/// One cluster (`<CLUSTER>`): the hosts one gmond multicast group (or one agent) knows.
public struct Cluster: Hashable, Sendable {
    /// `NAME`.
    public var name: ClusterName
    /// `LOCALTIME`: the clock of the agent that served the cluster, Unix seconds.
    public var localtime: Int64
    /// `OWNER`.
    public var owner: String
    /// `LATLONG`.
    public var latlong: String
    /// `URL`.
    public var url: String
    /// `HOST` children (empty in a summary).
    public var hosts: [Host]
    /// `HOSTS` and `METRICS`, present when the cluster is shown summarized.
    public var summary: Summary?

    public init(
        name: ClusterName, localtime: Int64, owner: String = "unspecified", latlong: String = "unspecified",
        url: String = "unspecified", hosts: [Host] = [], summary: Summary? = nil
    ) {
        self.name = name
        self.localtime = localtime
        self.owner = owner
        self.latlong = latlong
        self.url = url
        self.hosts = hosts
        self.summary = summary
    }
}
