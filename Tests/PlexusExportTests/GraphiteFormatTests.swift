import Testing

@testable import PlexusExport

/// Paths and lines as gmetad's `write_data_to_carbon` makes them, and where we differ on purpose.
@Suite struct GraphiteFormatTests {
    static let host = ExportSample(place: .host(cluster: "My Cluster", host: "Web-1.example.com"), metric: "load_one", time: 1_700_000_000, value: 0.5)

    func text(_ format: GraphiteFormat, _ samples: [ExportSample]) -> String {
        var lines: [UInt8] = []
        for sample in samples { format.append(sample, to: &lines) }
        return String(decoding: lines, as: UTF8.self)
    }

    @Test func withoutATemplateThePathIsClusterHostMetric() {
        #expect(text(GraphiteFormat(), [Self.host]) == "My_Cluster.Web-1_example_com.load_one 0.5 1700000000\n")
        #expect(text(GraphiteFormat(prefix: "ganglia"), [Self.host]) == "ganglia.My_Cluster.Web-1_example_com.load_one 0.5 1700000000\n")
        // case_sensitive_hostnames = false lower-cases the host only (gmetad also lower-cased the prefix).
        #expect(
            text(GraphiteFormat(prefix: "Ganglia", caseSensitiveHostnames: false), [Self.host])
                == "Ganglia.My_Cluster.web-1_example_com.load_one 0.5 1700000000\n")
        // gmetad ignores a prefix of one character; it is a prefix like any other here.
        #expect(text(GraphiteFormat(prefix: "g"), [Self.host]).hasPrefix("g.My_Cluster."))
    }

    /// gmetad.conf's example and its cases: %s, %h and %m wherever they stand, more than once,
    /// and what isn't a macro left as it is.
    @Test(arguments: [
        ("%s.%h.%m", "My_Cluster.Web-1_example_com.disk_free"),
        ("datacenter1.gmetad.%s.%h.%m", "datacenter1.gmetad.My_Cluster.Web-1_example_com.disk_free"),
        ("%h.%m", "Web-1_example_com.disk_free"),
        ("hosts.%h.%s.%m.%h", "hosts.Web-1_example_com.My_Cluster.disk_free.Web-1_example_com"),
        ("%m-by-%h", "disk_free-by-Web-1_example_com"),
        ("100%.%x.%m%", "100%.%x.disk_free%"),
    ])
    func templatesPlaceEachMacro(template: String, path: String) {
        var sample = Self.host
        sample.metric = "disk free"
        #expect(GraphiteFormat(template: template).path(sample) == path)
        #expect(GraphiteFormat(prefix: "p", template: template).path(sample) == "p." + path)
    }

    /// A replacement holding a macro's characters is not read again (gmetad searched the whole
    /// string once per macro, so a cluster named "%h" became the host).
    @Test func aNameThatLooksLikeAMacroStaysItself() {
        let sample = ExportSample(place: .host(cluster: "%h", host: "h1"), metric: "%s", time: 1, value: 1)
        #expect(GraphiteFormat(template: "%s.%h.%m").path(sample) == "%h.h1.%s")
    }

    @Test func whitespaceAnywhereBecomesUnderscoresSoTheLineHoldsThreeFields() {
        let sample = ExportSample(place: .host(cluster: "a\tb", host: "h 1"), metric: "bytes\nin", time: 5, value: 2)
        #expect(text(GraphiteFormat(), [sample]) == "a_b.h_1.bytes_in 2 5\n")
    }

    /// case_sensitive_hostnames = false lower-cases hosts, not the summaries' __SummaryInfo__.
    @Test func summariesKeepTheirNameWhenHostsAreLowerCased() {
        let cluster = ExportSample(place: .cluster("Web"), metric: "cpu_num", time: 10, value: 8, num: 2)
        #expect(GraphiteFormat(caseSensitiveHostnames: false).path(cluster) == "Web.__SummaryInfo__.cpu_num")
    }

    @Test func summariesGoAsTheirRRDFilesAreLaidOutWithSumAndNum() {
        let cluster = ExportSample(place: .cluster("web"), metric: "cpu_num", time: 10, value: 8, num: 2)
        let root = ExportSample(place: .grid("Ops"), metric: "load_one", time: 11, value: 1.25, num: 3)
        #expect(
            text(GraphiteFormat(prefix: "g"), [cluster, root]) == """
                g.web.__SummaryInfo__.cpu_num.sum 8 10
                g.web.__SummaryInfo__.cpu_num.num 2 10
                g.Ops.__SummaryInfo__.load_one.sum 1.25 11
                g.Ops.__SummaryInfo__.load_one.num 3 11

                """)
    }

    @Test func aPlainDecimalGoesAsTheSourceWroteItAnythingElseAsTheNumber() {
        var writer = GraphiteWriter(format: GraphiteFormat())
        writer.begin(.host(cluster: "c", host: "h"), time: 5)
        for (text, value) in [("0.50", 0.5), ("-12", -12), ("1e5", 1e5), (" 7", 7), ("+3", 3), ("0x10", 16)] {
            writer.value(metric: "m", group: nil, value: value, text: text)
        }
        let lines = String(decoding: writer.finish().chunk.bytes, as: UTF8.self).split(separator: "\n")
        #expect(lines == ["c.h.m 0.50 5", "c.h.m -12 5", "c.h.m 100000 5", "c.h.m 7 5", "c.h.m 3 5", "c.h.m 16 5"])
    }

    @Test func valuesAreTheShortestTextThatReadsBackAndNonFiniteOnesStayHome() {
        let values: [Double] = [0, -3, 42, 0.1, 1e300, 123_456_789_012, -0.000_25]
        let lines = values.map { v in text(GraphiteFormat(), [ExportSample(place: .host(cluster: "c", host: "h"), metric: "m", time: 1, value: v)]) }
        #expect(lines.map { $0.split(separator: " ")[1] } == ["0", "-3", "42", "0.1", "1e+300", "123456789012", "-0.00025"])
        for line in lines { #expect(Double(line.split(separator: " ")[1]) != nil) }
        for bad in [Double.nan, .infinity, -.infinity] {
            #expect(text(GraphiteFormat(), [ExportSample(place: .host(cluster: "c", host: "h"), metric: "m", time: 1, value: bad)]).isEmpty)
        }
    }
}
