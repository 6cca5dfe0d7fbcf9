import PlexusCore

extension AlertInputs {
    /// What the rules see of `state` at `now`: what the XML port would serve then (hosts aged,
    /// expired hosts and metrics left out), each cluster's summary, the grid's (when
    /// `gridSummary`: it is summed afresh), and each data source's liveness. Child grids kept as
    /// summaries (`scalable`) count as clusters of the `cluster` scope under their grid's name.
    /// Read from the held hosts directly, without building the document.
    public init(_ state: GridState, now: Int64, gridSummary: Bool = true) {
        var hosts: [Host] = []
        var clusters: [Summary] = []
        func add(_ cluster: Cluster) {
            for host in cluster.hosts {
                hosts.append(
                    Host(
                        cluster: cluster.name.rawValue, name: host.name.rawValue, up: host.isUp(localtime: cluster.localtime), tn: host.tn,
                        metrics: host.metrics.map { Metric(name: $0.name.rawValue, value: $0.numericValue, tn: $0.tn, tmax: $0.tmax) }))
            }
            if let summary = cluster.summary { clusters.append(Self.summary(cluster.name.rawValue, summary)) }
        }
        func walk(_ children: [Grid.Child]) {
            for child in children {
                switch child {
                case .cluster(let cluster): add(cluster)
                case .grid(let grid):
                    if let summary = grid.summary { clusters.append(Self.summary(grid.name.rawValue, summary)) }
                    walk(grid.children)
                }
            }
        }
        for node in state.nodes {
            switch node {
            case .cluster(let held):
                let name = held.name.rawValue
                hosts.reserveCapacity(hosts.count + held.hosts.count)
                for entry in held.hosts where !entry.isExpired(at: now) {
                    let age = entry.age(at: now)
                    let tn = entry.tn(at: now)
                    // gmetad's liveness, as `Host.isUp` judges it, without copying the host.
                    let tmax = entry.host.tmax
                    let up = tmax == 0 ? abs(Int128(held.cluster.localtime) - Int128(entry.host.reported)) < 60 : UInt64(tn) < 4 * UInt64(tmax)
                    hosts.append(Host(cluster: name, name: entry.host.name.rawValue, up: up, tn: tn, held: entry.host.metrics, age: age))
                }
                clusters.append(Self.summary(name, held.summary))
            case .grid(let held):
                clusters.append(Self.summary(held.grid.name.rawValue, held.summary))
                walk(held.grid.children)
            }
        }
        self.init(
            hosts: hosts, clusters: clusters, grid: gridSummary ? Self.summary(state.gridname.rawValue, state.rootSummary) : nil,
            sources: state.sources.map { (name: $0.name, alive: $0.alive) })
    }

    static func summary(_ name: String, _ summary: PlexusCore.Summary) -> Summary {
        var metrics: [String: (sum: Double, num: Int)] = [:]
        for metric in summary.metrics { metrics[metric.name.rawValue] = (metric.sum, metric.num) }
        return Summary(name: name, metrics: metrics)
    }
}
