import PlexusCore
import Testing

@testable import PlexusPlugins

/// `format = "gmetric"`: NAME VALUE [TYPE [UNITS]] lines.
@Suite struct GmetricLinesTests {
    @Test func linesBecomeMetricsWithTypesAndUnits() throws {
        let parsed = GmetricLines.parse(
            """
            # queue of the batch system
            queue_depth 12 uint32 jobs
            ratio 0.75
            motd "all \\"quiet\\" today" string
            temp_c -3.5 float degrees C
            status ok
            """)
        #expect(parsed.problems.isEmpty, "\(parsed.problems)")
        #expect(
            parsed.lines == [
                .init(name: try MetricName("queue_depth"), value: "12", type: .uint32, units: "jobs"),
                .init(name: try MetricName("ratio"), value: "0.75", type: .double),
                .init(name: try MetricName("motd"), value: "all \"quiet\" today", type: .string),
                .init(name: try MetricName("temp_c"), value: "-3.5", type: .float, units: "degrees C"),
                .init(name: try MetricName("status"), value: "ok", type: .string),
            ])
    }

    @Test(arguments: [
        ("lonely", "line 1: expected NAME VALUE [TYPE [UNITS]]"),
        ("a \"unclosed", "line 1: expected NAME VALUE [TYPE [UNITS]]"),
        ("a 1 integer", "line 1: \"integer\" is not a Ganglia type (string, int8 ... uint32, float, double, timestamp)"),
        ("a many uint32", "line 1: a: \"many\" is not a number for type uint32"),
        ("a/b 1", "line 1: \"a/b\" can't be a metric name"),
    ])
    func aBadLineIsReportedAndTheRestKept(line: String, problem: String) {
        let parsed = GmetricLines.parse(Substring(line + "\ngood 1\n"))
        #expect(parsed.problems.map(\.description) == [problem])
        #expect(parsed.lines.map(\.name.rawValue) == ["good"])
    }

    @Test func aFloodStopsAtTheBound() {
        let parsed = GmetricLines.parse(Substring((0..<20_000).map { "m\($0) 1" }.joined(separator: "\n")))
        #expect(parsed.lines.count == GmetricLines.maxLines && parsed.problems.count == 1)
    }
}
