import Foundation
import PlexusTestSupport
import Testing

@testable import PlexusCore

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Whatever names and values arrive from the network, what we write stays well-formed XML,
/// valid against Ganglia's DTD, and reads back to the same values.
@Suite struct XMLWriterTests {
    static let hostile = [
        "a<b&\"c", "tab\there", "line\nbreak\r", "bell\u{7}nul\u{0}", "caf\u{E9} \u{6F22}\u{5B57} \u{1F642}",
        "]]>", "&amp;", "'single'", "\u{FFFE}",
    ]

    static func document(metricName: String, text: String) throws -> GangliaDocument {
        let metric = Metric(
            name: try MetricName(metricName), value: text, type: .string, units: text, tn: 1, tmax: 60, dmax: 0, slope: .zero,
            extraData: [ExtraElement(name: text, value: text)])
        let host = Host(
            name: try HostName("web-1"), ip: text, reported: 1_795_543_648, location: text, gmondStarted: -1, tags: text,
            metrics: [metric])
        let cluster = Cluster(
            name: try ClusterName("Prod & \"Staging\""), localtime: 1_795_543_650, owner: text, latlong: text,
            url: text, hosts: [host])
        let grid = Grid(name: try GridName("Grid<1>"), authority: text, localtime: 1_795_543_651, children: [.cluster(cluster)])
        return GangliaDocument(source: .gmetad, items: [.grid(grid)])
    }

    /// What a value reads back as: characters XML can't carry become U+FFFD.
    static func expectedReadBack(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { s in
                    (s.value < 0x20 && s != "\t" && s != "\n" && s != "\r") || s.value == 0xFFFE ? "\u{FFFD}" : s
                }))
    }

    @Test(arguments: hostile)
    func hostileTextRoundTrips(_ text: String) throws {
        var bytes: [UInt8] = []
        GangliaXMLWriter(dialect: .gmetad).write(try Self.document(metricName: "a<b&\"c", text: text), into: &bytes)
        #expect(bytes.allSatisfy { $0 < 0x80 }, "pure ASCII, so the ISO-8859-1 declaration holds")

        let parser = XMLParser(data: Data(bytes))
        #expect(parser.parse(), "Foundation's parser (libxml2) accepts it: \(String(describing: parser.parserError))")

        let result = GangliaDocument.read(bytes)
        #expect(result.report.isClean)
        guard case .grid(let grid)? = result.document?.items.first, case .cluster(let cluster)? = grid.children.first else {
            Issue.record("structure lost")
            return
        }
        let expected = Self.expectedReadBack(text)
        #expect(grid.name.rawValue == "Grid<1>")
        #expect(cluster.name.rawValue == "Prod & \"Staging\"")
        #expect(cluster.owner == expected)
        let host = try #require(cluster.hosts.first)
        #expect(host.location == expected && host.ip == expected && host.tags == expected)
        let metric = try #require(host.metrics.first)
        #expect(metric.name.rawValue == "a<b&\"c")
        #expect(metric.value == expected && metric.units == expected)
        #expect(metric.extraData == [ExtraElement(name: expected, value: expected)])
    }

    @Test func validatesAgainstGangliasDTD() async throws {
        let xmllint = "/usr/bin/xmllint"
        try #require(FileManager.default.isExecutableFile(atPath: xmllint), "xmllint missing: scripts/test installs libxml2-utils")
        for text in Self.hostile {
            for dialect in [XMLDialect.gmond, .gmetad] {
                var bytes: [UInt8] = []
                GangliaXMLWriter(dialect: dialect).write(try Self.document(metricName: "m", text: text), into: &bytes)
                let (status, output) = try await runCommand(xmllint, ["--valid", "--noout", "-"], input: bytes)
                #expect(status == 0, "\(dialect) \(text.debugDescription): \(output)")
            }
        }
    }

    @Test func summariesAreWrittenWithTheirPrecision() throws {
        let summary = Summary(
            hosts: HostCounts(up: 3, down: 1),
            metrics: [
                MetricSummary(name: try MetricName("load_one"), sum: 1.3149, precision: 2, num: 3, units: " "),
                MetricSummary(name: try MetricName("cpu_num"), sum: 8, precision: 0, num: 3, units: "CPUs", slope: .zero),
            ])
        var bytes: [UInt8] = []
        GangliaXMLWriter(dialect: .gmetad).write(summary, into: &bytes)
        #expect(
            String(decoding: bytes, as: UTF8.self) == """
                <HOSTS UP="3" DOWN="1" SOURCE="gmetad"/>
                <METRICS NAME="load_one" SUM="1.31" NUM="3" TYPE="double" UNITS=" " SLOPE="both" SOURCE="gmond">
                <EXTRA_DATA>
                </EXTRA_DATA>
                </METRICS>
                <METRICS NAME="cpu_num" SUM="8" NUM="3" TYPE="double" UNITS="CPUs" SLOPE="zero" SOURCE="gmond">
                <EXTRA_DATA>
                </EXTRA_DATA>
                </METRICS>

                """)
    }

    @Test func writesIntoTheCallersBuffer() throws {
        var bytes = Array("prefix|".utf8)
        let host = Host(name: try HostName("h"), ip: "10.0.0.1", reported: -5, tn: 3, metrics: [])
        GangliaXMLWriter(dialect: .gmond).write(host, into: &bytes)
        #expect(
            String(decoding: bytes, as: UTF8.self) == """
                prefix|<HOST NAME="h" IP="10.0.0.1" TAGS="" REPORTED="-5" TN="3" TMAX="20" DMAX="86400" LOCATION="unspecified" GMOND_STARTED="0">
                </HOST>

                """)
    }
}
