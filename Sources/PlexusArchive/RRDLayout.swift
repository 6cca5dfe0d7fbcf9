import PlexusCore

/// Where gmetad keeps each round-robin archive and how it creates one (`docs/format/rrd.md`), as pure
/// values: stock ganglia-web reads the same tree.
///
/// ```
/// root/<cluster>/<host>/<metric>.rrd          DS sum
/// root/<cluster>/__SummaryInfo__/<metric>.rrd  DS sum, num
/// root/<grid>/__SummaryInfo__/<metric>.rrd     DS sum, num   (a federated child grid)
/// root/__SummaryInfo__/<metric>.rrd            DS sum, num   (the whole grid)
/// ```
///
/// Paths are built only from validated names (`Name`), so no component can be empty, `.`,
/// `..`, contain `/` or a control byte, or collide with `__SummaryInfo__`: nothing escapes `root`.
public struct RRDLayout: Sendable, Equatable {
    /// Which archive directory.
    public enum Location: Sendable, Hashable {
        case host(ClusterName, HostName)
        case clusterSummary(ClusterName)
        case gridSummary(GridName)
        case rootSummary

        /// Summaries carry a second data source, `num`.
        public var isSummary: Bool {
            if case .host = self { false } else { true }
        }
    }

    /// One round-robin archive; the type lives in the core so configuration can parse it.
    public typealias Archive = RRASpec

    /// gmetad's default archives (see `RRASpec.gmetadDefaults`).
    public static let defaultArchives = RRASpec.gmetadDefaults

    /// The directory summaries live in.
    public static let summaryDirectory = summaryDirectoryName

    public var root: String
    /// gmetad's `case_sensitive_hostnames = 0` lower-cases host directories.
    public var caseSensitiveHostnames: Bool

    public init(root: String, caseSensitiveHostnames: Bool = true) {
        self.root = root
        self.caseSensitiveHostnames = caseSensitiveHostnames
    }

    /// The directory components below `root`.
    public func components(of location: Location) -> [String] {
        switch location {
        case .host(let cluster, let host):
            [cluster.rawValue, caseSensitiveHostnames ? host.rawValue : host.rawValue.lowercased()]
        case .clusterSummary(let cluster): [cluster.rawValue, Self.summaryDirectory]
        case .gridSummary(let grid): [grid.rawValue, Self.summaryDirectory]
        case .rootSummary: [Self.summaryDirectory]
        }
    }

    /// The archives a file below the root can be (a cluster's and a grid's summary share a
    /// directory form), or nil for a path that isn't one.
    public func keys(ofPath path: String) -> [ArchiveKey] {
        let root = rootDirectory + "/"
        guard path.hasPrefix(root), path.hasSuffix(".rrd") else { return [] }
        let parts = path.dropFirst(root.count).dropLast(4).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard let metric = parts.last.flatMap(MetricName.init(validating:)) else { return [] }
        switch parts.count {
        case 2 where parts[0] == Self.summaryDirectory:
            return [ArchiveKey(.rootSummary, metric)]
        case 3 where parts[1] == Self.summaryDirectory:
            return [
                ClusterName(validating: parts[0]).map { ArchiveKey(.clusterSummary($0), metric) },
                GridName(validating: parts[0]).map { ArchiveKey(.gridSummary($0), metric) },
            ].compactMap { $0 }
        case 3:
            guard let cluster = ClusterName(validating: parts[0]), let host = HostName(validating: parts[1]) else { return [] }
            return [ArchiveKey(.host(cluster, host), metric)]
        default:
            return []
        }
    }

    /// `root` without a trailing `/`.
    public var rootDirectory: String {
        root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
    }

    public func directory(of location: Location) -> String {
        ([rootDirectory] + components(of: location)).joined(separator: "/")
    }

    public func path(of metric: MetricName, in location: Location) -> String {
        directory(of: location) + "/" + metric.rawValue + ".rrd"
    }

    /// The data-source type gmetad picks by slope: positive → COUNTER, derivative → DERIVE,
    /// everything else → GAUGE.
    public static func dataSourceType(for slope: Slope) -> String {
        switch slope {
        case .positive: "COUNTER"
        case .derivative: "DERIVE"
        case .zero, .negative, .both, .unspecified: "GAUGE"
        }
    }

    /// The slope a file at `location` is made and written with. A grid's summary (the root's or
    /// a child grid's) is a gauge whatever the metric's slope, as gmetad 3.7.2 writes it: ganglia-web
    /// then draws a grid's counter (`graph.php?me=GRID&m=…`) the same over either daemon's files
    /// (`docs/format/rrd.md`). Hosts and clusters follow the metric's slope.
    public static func storedSlope(_ slope: Slope, at location: Location) -> Slope {
        switch location {
        case .rootSummary, .gridSummary: .both
        case .host, .clusterSummary: slope
        }
    }

    /// The arguments of `rrdtool create` after the file name, as gmetad uses them: step = the
    /// source's step, heartbeat = 8 × step, min/max unknown, `num` for summaries.
    public static func createArguments(
        step: Int, start: Int64, slope: Slope, summary: Bool, archives: [Archive] = defaultArchives
    ) -> [String] {
        let heartbeat = 8 * step
        var arguments = ["--step", "\(step)", "--start", "\(start)", "DS:sum:\(dataSourceType(for: slope)):\(heartbeat):U:U"]
        if summary { arguments.append("DS:num:GAUGE:\(heartbeat):U:U") }
        return arguments + archives.map(\.description)
    }
}
