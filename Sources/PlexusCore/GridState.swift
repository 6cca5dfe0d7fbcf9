/// The aggregator's whole grid: every data source's latest content, in configuration order,
/// and whether its last poll succeeded. A value: the owner publishes new versions, readers
/// render copies.
public struct GridState: Sendable, Equatable {
    /// One data source.
    public struct Source: Sendable, Equatable {
        /// The configured name.
        public var name: String
        public var content = SourceContent()
        /// False when the last poll failed everywhere: left out of the root summary.
        public var alive = false

        public init(name: String) {
            self.name = name
        }
    }

    /// A node a path names at the first level.
    public enum Node: Sendable, Equatable {
        case cluster(HeldCluster)
        case grid(HeldGrid)
    }

    public var gridname: GridName
    public var authority: String
    public var sources: [Source]
    /// `unsummarized_metrics`.
    public var unsummarized: [String]

    public init(gridname: GridName, authority: String, sources: [String], unsummarized: [String] = []) {
        self.gridname = gridname
        self.authority = authority
        self.sources = sources.map(Source.init)
        self.unsummarized = unsummarized
    }

    /// The root summary: hosts and metric sums of every alive source (without the metrics'
    /// extra data, as gmetad shows it).
    public var rootSummary: Summary {
        var builder = SummaryBuilder(excluding: unsummarized)
        for source in sources where source.alive {
            builder.add(source.content.summary(excluding: unsummarized))
        }
        var summary = builder.summary
        for i in summary.metrics.indices { summary.metrics[i].extraData = [] }
        return summary
    }

    /// The first cluster or grid called `name` (clusters and grids of all sources share one
    /// namespace, as in gmetad's tree and RRD layout).
    public func node(named name: String) -> Node? {
        for source in sources {
            if let cluster = source.content.clusters.first(where: { $0.name.rawValue == name }) { return .cluster(cluster) }
            if let grid = source.content.grids.first(where: { $0.name.rawValue == name }) { return .grid(grid) }
        }
        return nil
    }

    /// Every first-level node, in source order (clusters, then grids, of each source). A name
    /// a later source repeats is shown once, from the first source that has it.
    public var nodes: [Node] {
        var seen: Set<String> = []
        var result: [Node] = []
        for source in sources {
            for cluster in source.content.clusters where seen.insert(cluster.name.rawValue).inserted {
                result.append(.cluster(cluster))
            }
            for grid in source.content.grids where seen.insert(grid.name.rawValue).inserted {
                result.append(.grid(grid))
            }
        }
        return result
    }

    /// Whether the cluster or grid `name` of source `index` is shadowed by an earlier source
    /// that has the same name (its archives would collide: gmetad's two-sources-one-name bug).
    public func isShadowed(_ name: String, inSource index: Int) -> Bool {
        sources[..<index].contains { source in
            source.content.clusters.contains { $0.name.rawValue == name } || source.content.grids.contains { $0.name.rawValue == name }
        }
    }
}

extension GridState {
    /// The grid at `now` as a document of values, what the XML port would serve: held hosts
    /// with their TN (and their metrics' TN) moved forward by the time held, expired hosts and
    /// metrics left out, summaries attached. The dashboard and the JSON API read this, through
    /// `GridOverview`.
    public func document(now: Int64) -> GangliaDocument {
        let children = nodes.map { node -> Grid.Child in
            switch node {
            case .cluster(let held):
                var cluster = held.cluster
                cluster.summary = held.summary
                cluster.hosts = held.hosts.filter { !$0.isExpired(at: now) }.map { $0.aged(at: now) }
                return .cluster(cluster)
            case .grid(let held):
                var grid = held.grid
                grid.summary = held.summary
                return .grid(grid)
            }
        }
        let grid = Grid(name: gridname, authority: authority, localtime: now, summary: rootSummary, children: children)
        return GangliaDocument(source: .gmetad, items: [.grid(grid)])
    }
}

extension HeldHost {
    /// The host as it stands at `now`: TN grown by the time held, metrics past their DMAX gone.
    public func aged(at now: Int64) -> Host {
        let age = age(at: now)
        var host = self.host
        host.tn = host.tn.addingClamped(age)
        host.metrics = host.metrics.compactMap { metric in
            var metric = metric
            metric.tn = metric.tn.addingClamped(age)
            return metric.dmax > 0 && metric.tn > metric.dmax ? nil : metric
        }
        return host
    }
}
