/// One monitored host (`<HOST>`) and its metrics.
public struct Host: Hashable, Sendable {
    /// `NAME`.
    public var name: HostName
    /// `IP`: the address the host was heard from (or the spoofed one).
    public var ip: String
    /// `REPORTED`: Unix time the host was last heard from.
    public var reported: Int64
    /// `TN`: seconds since then.
    public var tn: UInt32
    /// `TMAX`: the sender's heartbeat interval (gmond `host_tmax`, 20 s by default).
    public var tmax: UInt32
    /// `DMAX`: seconds of silence before the host is deleted; 0 = never.
    public var dmax: UInt32
    /// `LOCATION`: conventionally `rack,rank,plane`.
    public var location: String
    /// `GMOND_STARTED`: Unix time the agent started (from its heartbeat); may be garbage from
    /// old senders, hence signed.
    public var gmondStarted: Int64
    /// `TAGS`.
    public var tags: String
    /// `METRIC` children, in document order.
    public var metrics: [Metric]

    public init(
        name: HostName, ip: String, reported: Int64, tn: UInt32 = 0, tmax: UInt32 = 20, dmax: UInt32 = 86400,
        location: String = "unspecified", gmondStarted: Int64 = 0, tags: String = "", metrics: [Metric] = []
    ) {
        self.name = name
        self.ip = ip
        self.reported = reported
        self.tn = tn
        self.tmax = tmax
        self.dmax = dmax
        self.location = location
        self.gmondStarted = gmondStarted
        self.tags = tags
        self.metrics = metrics
    }

    /// gmetad's liveness rule: a host is up while `TN < 4 · TMAX`. With TMAX 0 (pre-2.5 senders)
    /// the host is up while REPORTED is within 60 s of `localtime`.
    public func isUp(localtime: Int64) -> Bool {
        tmax == 0 ? abs(Int128(localtime) - Int128(reported)) < 60 : UInt64(tn) < 4 * UInt64(tmax)
    }
}
