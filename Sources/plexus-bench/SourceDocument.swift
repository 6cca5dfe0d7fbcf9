import Foundation
import PlexusCore
import PlexusTestSupport

/// `plexus-bench source-document HOSTS METRICS PATH`: the synthetic cluster as a gmond serves
/// it (one CLUSTER), the source both aggregators poll in `scripts/bench aggregator`.
struct SourceDocument {
    var hosts: Int
    var metrics: Int
    var path: String

    func run() throws {
        let document = try SyntheticGrid(hosts: hosts, metricsPerHost: metrics).clusterDocument()
        guard case .cluster(let cluster)? = document.items.first else { throw BenchFailure("no synthetic cluster") }
        var bytes: [UInt8] = []
        GangliaXMLWriter(dialect: .gmond).write(document, into: &bytes)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let numeric = cluster.hosts.first?.metrics.filter { $0.type.isSummarized }.count ?? 0
        print("source: \(hosts) hosts × \(metrics) metrics (\(numeric) numeric per host), \(bytes.count) bytes")
    }
}
