/// Turns one polled document's events into a source's content, as gmetad's `process_xml` does:
///
/// - a CLUSTER is an authority cluster: its hosts are held, summarized and archived;
/// - in scalable mode a top-level GRID (another aggregator) is kept only as its summary: the up
///   and down hosts and metric sums of everything inside it, including its own summarized grids;
/// - with `scalable = false` GRID tags are looked through: every CLUSTER inside becomes ours, and
///   only grids that arrive summarized (HOSTS/METRICS) are kept as grids.
///
/// Feed it `GangliaXMLReader` events, then `finish` with the previous content so hosts a poll
/// no longer lists are held (aging, shown down) until their DMAX passes.
public struct SourceReader: Sendable {
    public struct Options: Sendable, Equatable {
        public var scalable: Bool
        /// `unsummarized_metrics` prefixes.
        public var unsummarized: [String]

        public init(scalable: Bool = true, unsummarized: [String] = []) {
            self.scalable = scalable
            self.unsummarized = unsummarized
        }
    }

    /// What a document carried that the reader could not place.
    public struct Anomalies: Sendable, Equatable {
        /// HOSTs outside any CLUSTER (counted with the malformed elements).
        public var strayHosts = 0
        /// A cluster or host listed twice in one document (the first one counts).
        public var duplicates = 0
    }

    let options: Options
    let now: Int64
    public private(set) var anomalies = Anomalies()
    private var clusters: [HeldCluster] = []
    private var clusterIndex: [ClusterName: Int] = [:]
    private var grids: [HeldGrid] = []
    private var gridIndex: [GridName: Int] = [:]
    /// The cluster being read, as an index into `clusters` (nil while skipping a duplicate).
    private var currentCluster: Int?
    private var inCluster = false
    private var currentLocaltime: Int64 = 0
    /// Scalable mode: the top-level grid absorbing everything inside it.
    private var absorbing: (grid: Grid, summary: SummaryBuilder)?
    private var absorbingDepth = 0
    /// Non-scalable mode: open grids, each collecting its own HOSTS/METRICS.
    private var openGrids: [(grid: Grid, summary: SummaryBuilder)] = []

    /// `now` is our clock at the poll.
    public init(options: Options, now: Int64) {
        self.options = options
        self.now = now
    }

    public mutating func apply(_ event: GangliaXMLEvent) {
        switch event {
        case .documentStart, .documentEnd:
            break
        case .gridStart(let grid):
            if absorbing != nil {
                absorbingDepth += 1
            } else if options.scalable && openGrids.isEmpty && !inCluster {
                absorbing = (grid, SummaryBuilder(excluding: options.unsummarized))
                absorbingDepth = 0
            } else {
                openGrids.append((grid, SummaryBuilder(excluding: options.unsummarized)))
            }
        case .gridEnd:
            if absorbing != nil {
                if absorbingDepth > 0 {
                    absorbingDepth -= 1
                } else if let (grid, summary) = absorbing {
                    keep(grid, summary)
                    absorbing = nil
                }
            } else if let (grid, summary) = openGrids.popLast(), !summary.isEmpty {
                keep(grid, summary)
            }
        case .clusterStart(let cluster):
            inCluster = true
            currentLocaltime = cluster.localtime
            guard absorbing == nil else { return }
            if clusterIndex[cluster.name] != nil {
                anomalies.duplicates += 1
                currentCluster = nil
                return
            }
            clusterIndex[cluster.name] = clusters.count
            currentCluster = clusters.count
            clusters.append(HeldCluster(cluster: cluster, polled: now))
        case .clusterEnd:
            inCluster = false
            currentCluster = nil
        case .host(let host):
            let held = HeldHost(host: host, polled: now)
            if absorbing != nil {
                absorbing!.summary.add(held, now: now, localtime: currentLocaltime)
            } else if let i = currentCluster {
                if !clusters[i].insert(held) { anomalies.duplicates += 1 }
            } else if !inCluster {
                anomalies.strayHosts += 1
            }
        case .hostCounts(let counts):
            // A cluster's own HOSTS (a filtered reply) is ignored: we count its hosts ourselves.
            if absorbing != nil {
                absorbing!.summary.add(counts)
            } else if !inCluster, !openGrids.isEmpty {
                openGrids[openGrids.count - 1].summary.add(counts)
            }
        case .metricSummary(let metric):
            if absorbing != nil {
                absorbing!.summary.add(metric)
            } else if !inCluster, !openGrids.isEmpty {
                openGrids[openGrids.count - 1].summary.add(metric)
            }
        }
    }

    private mutating func keep(_ grid: Grid, _ summary: SummaryBuilder) {
        guard gridIndex[grid.name] == nil else {
            anomalies.duplicates += 1
            return
        }
        var attributes = grid
        attributes.children = []
        attributes.summary = summary.summary
        gridIndex[grid.name] = grids.count
        grids.append(HeldGrid(grid: attributes, polled: now))
    }

    /// The new content: this poll's clusters and grids, plus whatever `previous` held that this
    /// poll didn't list (clusters, grids, hosts), except hosts past their DMAX. Cluster summaries
    /// are computed here, over every held host.
    public func finish(previous: SourceContent?) -> SourceContent {
        var clusters = clusters
        var grids = grids
        if let previous {
            for old in previous.clusters {
                if let i = clusterIndex[old.name] {
                    clusters[i].carryOver(from: old, now: now)
                } else {
                    var kept = HeldCluster(cluster: old.cluster, polled: old.polled)
                    kept.carryOver(from: old, now: now)
                    clusters.append(kept)
                }
            }
            grids += previous.grids.filter { gridIndex[$0.name] == nil }
        }
        for i in clusters.indices {
            clusters[i].summarize(now: now, excluding: options.unsummarized)
        }
        return SourceContent(clusters: clusters, grids: grids)
    }
}
