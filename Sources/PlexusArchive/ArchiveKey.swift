import PlexusCore

/// Names one archive file: which directory (host, cluster summary, grid summary, root summary)
/// and which metric. Built only from validated names, so its path can't leave the root.
public struct ArchiveKey: Hashable, Sendable, CustomStringConvertible {
    public var location: RRDLayout.Location
    public var metric: MetricName

    public init(_ location: RRDLayout.Location, _ metric: MetricName) {
        self.location = location
        self.metric = metric
    }

    /// A host metric from raw strings, as they arrive from the network. Throws `NameError` for
    /// any name that could not be a path component (`..`, `a/b`, NUL, control bytes...).
    public init(cluster: String, host: String, metric: String) throws(NameError) {
        self.init(.host(try ClusterName(cluster), try HostName(host)), try MetricName(metric))
    }

    public var description: String {
        switch location {
        case .host(let c, let h): "\(c)/\(h)/\(metric)"
        case .clusterSummary(let c): "\(c)/\(summaryDirectoryName)/\(metric)"
        case .gridSummary(let g): "\(g)/\(summaryDirectoryName)/\(metric)"
        case .rootSummary: "\(summaryDirectoryName)/\(metric)"
        }
    }
}
