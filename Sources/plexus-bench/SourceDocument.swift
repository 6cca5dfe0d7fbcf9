import Foundation
import PlexusCore
import PlexusTestSupport

/// `plexus-bench source-document HOSTS METRICS PATH`: the synthetic cluster as a gmond serves
/// it (one CLUSTER), the source both aggregators poll in `scripts/bench aggregator`.
struct SourceDocument {
    var hosts: Int
    var metrics: Int
    var path: String

    /// The document's bytes, and its cluster.
    static func make(hosts: Int, metrics: Int) throws -> (bytes: [UInt8], cluster: Cluster) {
        let document = try SyntheticGrid(hosts: hosts, metricsPerHost: metrics).clusterDocument()
        guard case .cluster(let cluster)? = document.items.first else { throw BenchFailure("no synthetic cluster") }
        var bytes: [UInt8] = []
        GangliaXMLWriter(dialect: .gmond).write(document, into: &bytes)
        return (bytes, cluster)
    }

    func run() throws {
        let (bytes, cluster) = try Self.make(hosts: hosts, metrics: metrics)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let numeric = cluster.hosts.first?.metrics.filter { $0.type.isSummarized }.count ?? 0
        print("source: \(hosts) hosts × \(metrics) metrics (\(numeric) numeric per host), \(bytes.count) bytes")
    }
}
