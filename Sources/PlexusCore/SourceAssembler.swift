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
public struct SourceAssembler: Sendable {
    public struct Options: Sendable, Equatable {
        public var scalable: Bool
        /// `unsummarized_metrics` prefixes.
        public var unsummarized: [String]
        /// `max_hosts_per_source`: hosts held for the source over all its clusters. Past it the
        /// hosts a poll brings that were not held before are refused, the last in the document
        /// first; hosts already held always stay.
        public var maxHosts: Int = .max
        /// `max_metrics_per_host`: a host's metrics past this many (in document order) are left out.
        public var maxMetricsPerHost: Int = .max

        public init(scalable: Bool = true, unsummarized: [String] = []) {
            self.scalable = scalable
            self.unsummarized = unsummarized
        }
    }

    /// What the bounds left out of one poll: counts, and up to `maxNamed` of the names.
    public struct Refusals: Sendable, Equatable {
        /// `cluster/host` or `cluster/host/* (n metrics)`, with the bound's key.
        public struct Named: Sendable, Equatable {
            public var subject: String
            public var reason: String
        }

        public static let maxNamed = 100
        public var hosts = 0
        public var metrics = 0
        public var named: [Named] = []

        mutating func name(_ subject: String, _ reason: String) {
            if named.count < Self.maxNamed { named.append(Named(subject: subject, reason: reason)) }
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
    public private(set) var refusals = Refusals()
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
        case .host(var host):
            if host.metrics.count > options.maxMetricsPerHost {
                let extra = host.metrics.count - options.maxMetricsPerHost
                host.metrics.removeLast(extra)
                refusals.metrics += extra
                let cluster = currentCluster.map { clusters[$0].name.rawValue } ?? "-"
                refusals.name("\(cluster)/\(host.name)/* (\(extra) metrics)", "over max_metrics_per_host")
            }
            var held = HeldHost(host: host, polled: now)
            // gmetad keeps no METRIC of a host that is down (TN ≥ 4·TMAX): it serves the host,
            // bare, and archives and sums nothing of it. Its last values would read as current.
            if !held.isUp(at: now, localtime: currentLocaltime) { held.host.metrics = [] }
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
        var refusals = refusals
        Self.bound(&clusters, toHosts: options.maxHosts, previous: previous, refusals: &refusals)
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
        var content = SourceContent(clusters: clusters, grids: grids)
        content.refusals = refusals
        return content
    }

    /// Keeps at most `limit` hosts over `clusters` plus what `previous` held: hosts `previous`
    /// didn't hold are refused, the last in the document first (a source adding 5,000 new hosts a
    /// poll with DMAX 0 once grew the aggregator without end).
    static func bound(_ clusters: inout [HeldCluster], toHosts limit: Int, previous: SourceContent?, refusals: inout Refusals) {
        // The common case costs two sums: even everything held before plus everything listed fits.
        let listed = clusters.reduce(0) { $0 + $1.hosts.count }
        guard listed + (previous?.clusters.reduce(0) { $0 + $1.hosts.count } ?? 0) > limit else { return }
        // Hosts held before that this poll didn't list are carried over: they count too.
        let listing = Dictionary(clusters.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let carried =
            previous?.clusters.reduce(0) { total, old in
                total + old.hosts.count { listing[old.name]?.host(named: $0.host.name) == nil }
            } ?? 0
        var excess = listed + carried - limit
        guard excess > 0 else { return }
        let before = Dictionary(previous?.clusters.map { ($0.name, $0) } ?? [], uniquingKeysWith: { a, _ in a })
        for i in clusters.indices.reversed() where excess > 0 {
            var refused: Set<HostName> = []
            for held in clusters[i].hosts.reversed() where excess > 0 && before[clusters[i].name]?.host(named: held.host.name) == nil {
                refused.insert(held.host.name)
                refusals.name("\(clusters[i].name)/\(held.host.name)", "over max_hosts_per_source")
                excess -= 1
            }
            refusals.hosts += refused.count
            clusters[i].remove(refused)
        }
    }
}
