/// A host as the aggregator holds it: the values of the poll that last delivered it, and when
/// (our clock). Its TN keeps growing while it is held, as gmetad's `t0` makes it.
public struct HeldHost: Sendable, Equatable {
    public var host: Host
    /// Our clock when the host's data arrived.
    public var polled: Int64

    public init(host: Host, polled: Int64) {
        self.host = host
        self.polled = polled
    }

    /// Seconds held at `now`.
    public func age(at now: Int64) -> UInt32 { UInt32(clamping: max(0, now - polled)) }

    /// The host's TN at `now`.
    public func tn(at now: Int64) -> UInt32 { host.tn.addingClamped(age(at: now)) }

    /// gmetad's liveness at `now` (TN < 4·TMAX; REPORTED within 60 s for TMAX 0), judged
    /// against the source's LOCALTIME moved forward by the same age.
    public func isUp(at now: Int64, localtime: Int64) -> Bool {
        var aged = host
        aged.tn = tn(at: now)
        return aged.isUp(localtime: localtime + Int64(age(at: now)))
    }

    /// Whether the host's DMAX has passed at `now` (DMAX 0 never expires).
    public func isExpired(at now: Int64) -> Bool {
        host.dmax > 0 && tn(at: now) > host.dmax
    }
}

/// One cluster of a source, held between polls: its attributes, its hosts (including hosts a
/// later poll no longer listed, until their DMAX passes) and the summary of its up hosts.
public struct HeldCluster: Sendable, Equatable {
    /// NAME, LOCALTIME, OWNER, LATLONG, URL (hosts and summary empty).
    public var cluster: Cluster
    public private(set) var hosts: [HeldHost] = []
    private var index: [HostName: Int] = [:]
    /// Our clock at the poll that delivered the cluster.
    public var polled: Int64
    /// HOSTS up/down and METRICS sums over the up hosts, as of `polled`.
    public internal(set) var summary = Summary(hosts: HostCounts(up: 0, down: 0))

    public init(cluster: Cluster, polled: Int64) {
        var attributes = cluster
        attributes.hosts = []
        attributes.summary = nil
        self.cluster = attributes
        self.polled = polled
    }

    public var name: ClusterName { cluster.name }

    public func host(named name: HostName) -> HeldHost? {
        index[name].map { hosts[$0] }
    }

    /// Adds or replaces a host; false if it was already delivered by this poll (a duplicate).
    @discardableResult
    mutating func insert(_ held: HeldHost) -> Bool {
        if let i = index[held.host.name] {
            if hosts[i].polled == held.polled { return false }
            hosts[i] = held
        } else {
            index[held.host.name] = hosts.count
            hosts.append(held)
        }
        return true
    }

    /// Drops `names` (hosts a bound refused).
    mutating func remove(_ names: Set<HostName>) {
        guard !names.isEmpty else { return }
        hosts.removeAll { names.contains($0.host.name) }
        index = Dictionary(uniqueKeysWithValues: hosts.enumerated().map { ($1.host.name, $0) })
    }

    /// Carries over `previous`'s hosts this poll didn't list, unless their DMAX has passed.
    mutating func carryOver(from previous: HeldCluster, now: Int64) {
        for var held in previous.hosts where index[held.host.name] == nil && !held.isExpired(at: now) {
            // Kept until DMAX, but as gmetad shows a down host: without its metrics.
            if !held.host.metrics.isEmpty, !held.isUp(at: now, localtime: previous.cluster.localtime) { held.host.metrics = [] }
            index[held.host.name] = hosts.count
            hosts.append(held)
        }
    }

    /// Recomputes `summary` at `now`.
    mutating func summarize(now: Int64, excluding unsummarized: [String]) {
        var builder = SummaryBuilder(excluding: unsummarized)
        for held in hosts {
            builder.add(held, now: now, localtime: cluster.localtime)
        }
        summary = builder.summary
    }
}

/// A federated grid, summarized (scalable mode): its attributes and summed HOSTS and METRICS.
public struct HeldGrid: Sendable, Equatable {
    /// NAME, AUTHORITY, LOCALTIME and the summary (no children).
    public var grid: Grid
    public var polled: Int64

    public init(grid: Grid, polled: Int64) {
        self.grid = grid
        self.polled = polled
    }

    public var name: GridName { grid.name }
    public var summary: Summary { grid.summary ?? Summary(hosts: HostCounts(up: 0, down: 0)) }
}

/// Everything one data source delivered: authority clusters, and summarized grids.
public struct SourceContent: Sendable, Equatable {
    public var clusters: [HeldCluster] = []
    public var grids: [HeldGrid] = []
    /// What the source's bounds left out of the poll that made this content.
    public var refusals = SourceReader.Refusals()

    public init(clusters: [HeldCluster] = [], grids: [HeldGrid] = []) {
        self.clusters = clusters
        self.grids = grids
    }

    /// The source's contribution to the root summary.
    public func summary(excluding unsummarized: [String]) -> Summary {
        var builder = SummaryBuilder(excluding: unsummarized)
        for cluster in clusters { builder.add(cluster.summary) }
        for grid in grids { builder.add(grid.summary) }
        return builder.summary
    }
}
