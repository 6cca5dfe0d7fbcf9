import PlexusCore

extension AlertInputs {
    /// What the rules see of `state` at `now`: what the XML port would serve then (hosts aged,
    /// expired ones left out), each cluster's summary, the grid's (the alive sources'), and each
    /// data source's liveness. Child grids kept as summaries (`scalable`) count as clusters of
    /// the `cluster` scope under their grid's name.
    public init(_ state: GridState, now: Int64) {
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
        for item in state.document(now: now).items {
            switch item {
            case .grid(let grid): walk(grid.children)
            case .cluster(let cluster): add(cluster)
            case .host: break
            }
        }
        self.init(
            hosts: hosts, clusters: clusters, grid: Self.summary(state.gridname.rawValue, state.rootSummary),
            sources: state.sources.map { (name: $0.name, alive: $0.alive) })
    }

    static func summary(_ name: String, _ summary: PlexusCore.Summary) -> Summary {
        var metrics: [String: (sum: Double, num: Int)] = [:]
        for metric in summary.metrics { metrics[metric.name.rawValue] = (metric.sum, metric.num) }
        return Summary(name: name, metrics: metrics)
    }
}
