import PlexusCore

/// The cardinality guard: how many new series (new RRD files, 631 KB each with gmetad's
/// archives) a host and a cluster may start per minute. Every spoofed metric name once became
/// a file: 631 MB of disk in 25 s. Past a bound the new series is refused for that minute (its
/// samples are counted, and it is asked again the next minute); series that have a file are
/// never refused. Pure: the caller passes the time.
public struct SeriesBudget: Sendable {
    public struct Limits: Sendable, Equatable {
        /// New series a host may start per minute (`max_new_series_per_host`).
        public var perHost: Int
        /// New series a cluster may start per minute, its hosts' and its summary's together
        /// (`max_new_series_per_cluster`).
        public var perCluster: Int

        public init(perHost: Int = 200, perCluster: Int = 10_000) {
            self.perHost = perHost
            self.perCluster = perCluster
        }
    }

    public let limits: Limits
    private var minute: Int64 = .min
    private var started: [String: Int] = [:]

    public init(limits: Limits) {
        self.limits = limits
    }

    /// Whether a new series at `location` may start at `now`; why not otherwise.
    public mutating func admit(_ location: RRDLayout.Location, now: Int64) -> String? {
        if now / 60 != minute {
            minute = now / 60
            started.removeAll(keepingCapacity: true)
        }
        let cluster: String, host: String?
        switch location {
        case .host(let c, let h): (cluster, host) = (c.rawValue, "\(c.rawValue)/\(h.rawValue)")
        case .clusterSummary(let c): (cluster, host) = (c.rawValue, nil)
        case .gridSummary(let g): (cluster, host) = ("grid " + g.rawValue, nil)
        // The grid's own summary gets a series for every metric name anywhere: a budget of its own.
        case .rootSummary: (cluster, host) = ("__SummaryInfo__", nil)
        }
        if started[cluster, default: 0] >= limits.perCluster { return "over max_new_series_per_cluster (\(limits.perCluster) a minute)" }
        if let host, started[host, default: 0] >= limits.perHost { return "over max_new_series_per_host (\(limits.perHost) a minute)" }
        started[cluster, default: 0] += 1
        if let host { started[host, default: 0] += 1 }
        return nil
    }
}
