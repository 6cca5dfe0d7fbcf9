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
