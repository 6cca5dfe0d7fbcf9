import PlexusCore

/// What operators ask of a grid, as rows: its summary, its clusters, the hosts of a cluster, the
/// metrics of a host, one metric across hosts. Built from a document the aggregator served (a
/// summary document answers the first two; a full one, or a cluster's, the rest). Pure: the CLI
/// prints these rows, and the dashboard and `/api/v1` show them.
public struct GridOverview: Sendable {
    /// A cluster with the names of the grids above it (outermost first).
    public struct Located: Sendable {
        public var cluster: Cluster
        public var grids: [String]
    }

    /// The outermost grid, if the document has one.
    public var grid: Grid?
    /// Every cluster, depth first, in document order.
    public var clusters: [Located] = []

    public init(_ document: GangliaDocument) {
        func walk(_ grid: Grid, _ path: [String]) {
            for child in grid.children {
                switch child {
                case .cluster(let c): clusters.append(Located(cluster: c, grids: path + [grid.name.rawValue]))
                case .grid(let g): walk(g, path + [grid.name.rawValue])
                }
            }
        }
        for item in document.items {
            switch item {
            case .grid(let g):
                if grid == nil { grid = g }
                walk(g, [])
            case .cluster(let c): clusters.append(Located(cluster: c, grids: []))
            case .host: break
            }
        }
    }

    /// The metrics a summary shows unless asked for all: the ones ganglia-web's front page uses.
    public static let keyMetrics = [
        "cpu_num", "load_one", "load_five", "load_fifteen", "proc_run", "proc_total", "cpu_user", "cpu_system", "cpu_wio",
        "cpu_idle", "mem_total", "mem_free", "mem_cached", "swap_total", "swap_free", "bytes_in", "bytes_out",
        "disk_total", "disk_free",
    ]

    // MARK: Summary

    public struct SummaryRow: Sendable, Equatable {
        public var metric: String
        public var sum: Double
        /// Hosts that reported it.
        public var num: Int
        public var units: String
        public var average: Double { num > 0 ? sum / Double(num) : .nan }

        public init(metric: String, sum: Double, num: Int, units: String) {
            self.metric = metric
            self.sum = sum
            self.num = num
            self.units = units
        }
    }

    public struct GridSummary: Sendable, Equatable {
        public var name: String
        public var up: Int
        public var down: Int
        public var clusters: Int
        public var localtime: Int64?
        public var metrics: [SummaryRow]
    }

    /// The outermost grid's hosts and metric sums; `all` lists every metric, else the key ones.
    public func summary(all: Bool) -> GridSummary? {
        guard let grid else { return nil }
        let summary = grid.summary ?? Self.summarize(clusters.map(\.cluster))
        let rows = summary.metrics.map { SummaryRow(metric: $0.name.rawValue, sum: $0.sum, num: $0.num, units: $0.units) }
        return GridSummary(
            name: grid.name.rawValue, up: summary.hosts.up, down: summary.hosts.down, clusters: clusters.count,
            localtime: grid.localtime, metrics: all ? rows.sorted { $0.metric < $1.metric } : Self.key(rows)
        )
    }

    /// A summary made from the hosts themselves, for documents that carry none (gmond's).
    static func summarize(_ clusters: [Cluster]) -> Summary {
        var builder = SummaryBuilder()
        for cluster in clusters {
            if let summary = cluster.summary {
                builder.add(summary)
                continue
            }
            for host in cluster.hosts {
                builder.add(HeldHost(host: host, polled: cluster.localtime), now: cluster.localtime, localtime: cluster.localtime)
            }
        }
        return builder.summary
    }

    static func key(_ rows: [SummaryRow]) -> [SummaryRow] {
        let byName = Dictionary(rows.map { ($0.metric, $0) }, uniquingKeysWith: { first, _ in first })
        return keyMetrics.compactMap { byName[$0] }
    }

    // MARK: Clusters

    public struct ClusterRow: Sendable, Equatable {
        public var cluster: String
        public var grid: String
        public var up: Int
        public var down: Int
        public var localtime: Int64
        /// Sums (`cpu_num`, `mem_total`...) and per-host averages (`load_one`, CPU %), if reported.
        public var cpus: Double?
        public var loadAverage: Double?
        public var cpuUsedPercent: Double?
        public var memTotalKB: Double?
        public var memFreeKB: Double?
        public var bytesIn: Double?
        public var bytesOut: Double?
    }

    public func clusterRows() -> [ClusterRow] {
        clusters.map { located in
            let cluster = located.cluster
            let summary = cluster.summary ?? Self.summarize([cluster])
            let metric = { (name: String) in summary.metrics.first { $0.name.rawValue == name } }
            let average = { (name: String) in metric(name).flatMap { $0.num > 0 ? $0.sum / Double($0.num) : nil } }
            return ClusterRow(
                cluster: cluster.name.rawValue, grid: located.grids.last ?? "", up: summary.hosts.up, down: summary.hosts.down,
                localtime: cluster.localtime, cpus: metric("cpu_num")?.sum, loadAverage: average("load_one"),
                cpuUsedPercent: average("cpu_idle").map { max(0, 100 - $0) }, memTotalKB: metric("mem_total")?.sum,
                memFreeKB: metric("mem_free")?.sum, bytesIn: metric("bytes_in")?.sum, bytesOut: metric("bytes_out")?.sum
            )
        }
    }

    // MARK: Hosts

    public struct HostRow: Sendable, Equatable {
        public var cluster: String
        public var host: String
        public var ip: String
        public var up: Bool
        /// Seconds since the host was last heard (`TN`).
        public var age: UInt32
        public var loadOne: Double?
        public var cpus: Double?
        public var cpuUsedPercent: Double?
        public var memFreeKB: Double?
        public var bytesIn: Double?
        public var bytesOut: Double?
    }

    /// The hosts of `cluster` (nil: of every cluster), by cluster then host name.
    public func hostRows(cluster: String? = nil) -> [HostRow] {
        clusters.filter { cluster == nil || $0.cluster.name.rawValue == cluster }.flatMap { located in
            let hosts = located.cluster.hosts
            var rows: [(key: String, row: HostRow)] = []
            rows.reserveCapacity(hosts.count)
            for h in hosts.indices {
                // One pass over the host's metrics, by index (iterating would copy each Metric).
                var row = HostRow(
                    cluster: located.cluster.name.rawValue, host: hosts[h].name.rawValue, ip: hosts[h].ip,
                    up: hosts[h].isUp(localtime: located.cluster.localtime), age: hosts[h].tn)
                let metrics = hosts[h].metrics
                for m in metrics.indices {
                    switch metrics[m].name.rawValue {
                    case "load_one": row.loadOne = metrics[m].numericValue
                    case "cpu_num": row.cpus = metrics[m].numericValue
                    case "cpu_idle": row.cpuUsedPercent = metrics[m].numericValue.map { max(0, 100 - $0) }
                    case "mem_free": row.memFreeKB = metrics[m].numericValue
                    case "bytes_in": row.bytesIn = metrics[m].numericValue
                    case "bytes_out": row.bytesOut = metrics[m].numericValue
                    default: break
                    }
                }
                rows.append((row.host.lowercased(), row))
            }
            return rows.sorted { $0.key < $1.key }.map(\.row)
        }
    }

    /// The clusters that have a host named `host` (case-insensitive, as host names are).
    public func clusters(holding host: String) -> [String] {
        clusters.filter { $0.cluster.hosts.contains { $0.name.rawValue.lowercased() == host.lowercased() } }
            .map(\.cluster.name.rawValue)
    }

    // MARK: Metrics of a host

    public struct MetricRow: Sendable, Equatable {
        public var metric: String
        public var value: String
        /// The value as a number, for numeric metrics.
        public var number: Double?
        public var units: String
        public var age: UInt32
        public var group: String
        public var title: String
    }

    /// The metrics of `host` in `cluster`, grouped as gmond groups them then by name; nil if the
    /// host isn't there.
    public func metricRows(cluster: String, host: String) -> [MetricRow]? {
        guard let located = clusters.first(where: { $0.cluster.name.rawValue == cluster }),
            let found = located.cluster.hosts.first(where: { $0.name.rawValue.lowercased() == host.lowercased() })
        else { return nil }
        return found.metrics.map { metric in
            MetricRow(
                metric: metric.name.rawValue, value: metric.value, number: metric.numericValue, units: metric.units,
                age: metric.tn, group: metric.extraData.all(ExtraElement.Key.group).joined(separator: ","),
                title: metric.extraData.first(ExtraElement.Key.title) ?? "")
        }.sorted { ($0.group, $0.metric) < ($1.group, $1.metric) }
    }

    // MARK: One metric across hosts

    public struct HostValue: Sendable, Equatable {
        public var cluster: String
        public var host: String
        public var up: Bool
        public var value: String
        public var number: Double?
        public var units: String
        public var age: UInt32
    }

    /// `metric` on every host (of `cluster`, or all) that has it: highest first (lowest first when
    /// `ascending`), text values after numbers.
    public func across(metric: String, cluster: String? = nil, ascending: Bool = false) -> [HostValue] {
        var rows: [HostValue] = []
        for located in clusters where cluster == nil || located.cluster.name.rawValue == cluster {
            for host in located.cluster.hosts {
                guard let m = host.metrics.first(where: { $0.name.rawValue == metric }) else { continue }
                rows.append(
                    HostValue(
                        cluster: located.cluster.name.rawValue, host: host.name.rawValue,
                        up: host.isUp(localtime: located.cluster.localtime), value: m.value,
                        number: m.numericValue, units: m.units, age: m.tn))
            }
        }
        rows.sort { a, b in
            switch (a.number, b.number) {
            case (let x?, let y?) where x != y: ascending ? x < y : x > y
            case (_?, nil): true
            case (nil, _?): false
            default: (a.cluster, a.host.lowercased()) < (b.cluster, b.host.lowercased())
            }
        }
        return rows
    }
}
