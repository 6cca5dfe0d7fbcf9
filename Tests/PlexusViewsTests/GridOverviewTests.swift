import Foundation
import PlexusCore
import PlexusViews
import Testing

/// The golden captures from real Ganglia 3.7.2 that PlexusCoreTests carries
/// (`Tests/PlexusCoreTests/Fixtures/ganglia-3.7.2`, described in its README), read in place.
enum Fixtures {
    static func bytes(_ path: String) throws -> [UInt8] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("PlexusCoreTests/Fixtures/ganglia-3.7.2")
        return Array(try Data(contentsOf: root.appendingPathComponent(path)))
    }
}

/// The rows `plexus query` prints, from real gmetad 3.7.2 answers.
@Suite struct GridOverviewTests {
    static func overview(_ file: String) throws -> GridOverview {
        let document = try #require(GangliaDocument.read(try Fixtures.bytes("xml/\(file)")).document)
        return GridOverview(document)
    }

    @Test func theGridSummaryKeepsGmetadsSumsAndCounts() throws {
        let summary = try #require(try Self.overview("gmetad-query-root-filter-summary.xml").summary(all: false))
        #expect(summary.name == "SeoulGrid" && summary.up == 2 && summary.down == 0 && summary.clusters == 1)
        // The key metrics, in the front page's order, only those reported.
        #expect(
            summary.metrics.map(\.metric) == [
                "cpu_num", "load_one", "proc_run", "cpu_user", "cpu_system", "cpu_idle",
                "mem_total", "mem_free", "swap_total", "bytes_in", "disk_free",
            ])
        let memory = try #require(summary.metrics.first { $0.metric == "mem_total" })
        #expect(memory.sum == 24_684_092 && memory.num == 1 && memory.units == "KB" && memory.average == 24_684_092)
        let all = try #require(try Self.overview("gmetad-query-root-filter-summary.xml").summary(all: true))
        #expect(all.metrics.count > summary.metrics.count && all.metrics.map(\.metric) == all.metrics.map(\.metric).sorted())
    }

    @Test func clustersHostsAndMetricsOfAFullDocument() throws {
        let overview = try Self.overview("gmetad-xml-8651.xml")
        let clusters = overview.clusterRows()
        #expect(clusters.count == 1)
        #expect(clusters[0].cluster == "CaptureCluster" && clusters[0].grid == "SeoulGrid" && clusters[0].up == 2 && clusters[0].down == 0)
        #expect(clusters[0].cpus == 2 && clusters[0].loadAverage == 0.11)
        #expect(abs((clusters[0].cpuUsedPercent ?? 0) - 0.5) < 1e-9)

        let hosts = overview.hostRows(cluster: "CaptureCluster")
        #expect(hosts.map(\.host) == ["localhost", "switch9.example"])
        #expect(hosts[1].age == 72 && hosts[1].up && hosts[1].loadOne == nil && hosts[1].ip == "10.0.0.9")
        #expect(overview.hostRows(cluster: "Elsewhere").isEmpty)
        #expect(overview.clusters(holding: "SWITCH9.example") == ["CaptureCluster"])

        let metrics = try #require(overview.metricRows(cluster: "CaptureCluster", host: "localhost"))
        let signups = try #require(metrics.first { $0.metric == "daily_signups" })
        #expect(signups.value == "1234" && signups.number == 1234)
        let os = try #require(metrics.first { $0.metric == "os_name" })
        #expect(os.value == "Linux" && os.number == nil)
        // Grouped as gmond groups them, then by name.
        #expect(metrics.map { "\($0.group)/\($0.metric)" } == metrics.map { "\($0.group)/\($0.metric)" }.sorted())
        #expect(overview.metricRows(cluster: "CaptureCluster", host: "nobody") == nil)
    }

    @Test func oneMetricAcrossHostsSortsNumbersFirst() {
        func host(_ name: String, _ value: String, _ type: MetricType = .float) -> PlexusCore.Host {
            PlexusCore.Host(
                name: try! HostName(name), ip: "10.0.0.1", reported: 1000, tn: 5, tmax: 20, dmax: 0, location: "", gmondStarted: 0, tags: "",
                metrics: [Metric(name: try! MetricName("x"), value: value, type: type)])
        }
        let cluster = Cluster(
            name: try! ClusterName("c"), localtime: 1000, owner: "", latlong: "", url: "",
            hosts: [host("a", "2.5"), host("b", "10"), host("c", "oops", .string), host("d", "0.5")])
        let overview = GridOverview(GangliaDocument(source: .gmond, items: [.cluster(cluster)]))
        #expect(overview.across(metric: "x").map(\.host) == ["b", "a", "d", "c"])
        #expect(overview.across(metric: "x", ascending: true).map(\.host) == ["d", "a", "b", "c"])
        #expect(overview.across(metric: "x", cluster: "other").isEmpty)
        // A gmond document has no summary: the grid summary is made from its hosts.
        #expect(overview.summary(all: true) == nil)
        #expect(overview.clusterRows()[0].up == 4)
    }
}
