import PlexusTestSupport
import Testing

@testable import PlexusCore

/// Generated documents survive write → read unchanged, in both dialects.
@Suite struct XMLRoundTripTests {
    @Test(arguments: [XMLDialect.gmond, .gmetad])
    func syntheticGridRoundTrips(_ dialect: XMLDialect) throws {
        var document = try SyntheticGrid(hosts: 120, metricsPerHost: 33).document()
        document.source = dialect
        var bytes: [UInt8] = []
        GangliaXMLWriter(dialect: dialect).write(document, into: &bytes)
        let result = GangliaDocument.read(bytes)
        #expect(result.report.isClean)
        #expect(result.report.hosts == 120 && result.report.metrics == 120 * 33)
        #expect(result.document == document)
    }

    @Test func summariesAndNestedGridsRoundTrip() throws {
        let summary = Summary(
            hosts: HostCounts(up: 7, down: 2),
            metrics: [
                MetricSummary(name: try MetricName("load_one"), sum: 3.25, precision: 2, num: 7, units: " "),
                MetricSummary(
                    name: try MetricName("queue_depth"), sum: -42, num: 1, units: "jobs",
                    extraData: [ExtraElement(name: "GROUP", value: "business")]),
            ])
        let leaf = Grid(name: try GridName("Leaf"), authority: "http://leaf/", localtime: 10, summary: summary)
        let cluster = Cluster(name: try ClusterName("c1"), localtime: 11, summary: summary)
        let middle = Grid(
            name: try GridName("Middle"), authority: "http://middle/", localtime: 12,
            children: [.grid(leaf), .cluster(cluster), .grid(leaf)])
        let top = Grid(
            name: try GridName("Top"), authority: "http://top/", localtime: nil, summary: summary,
            children: [.grid(middle)])
        let document = GangliaDocument(source: .gmetad, items: [.grid(top)])
        var bytes: [UInt8] = []
        GangliaXMLWriter(dialect: .gmetad).write(document, into: &bytes)
        let result = GangliaDocument.read(bytes)
        #expect(result.report.isClean)
        #expect(result.document == document)
    }
}
