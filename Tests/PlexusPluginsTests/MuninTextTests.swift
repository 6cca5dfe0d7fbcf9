import PlexusCore
import Testing

@testable import PlexusPlugins

/// Munin plugins' output as munin-node reads it: config and values, multigraph, field types,
/// unknown values, and bad lines reported with their numbers while the rest is kept.
@Suite struct MuninTextTests {
    /// `cpu config` as munin-plugins-core's cpu plugin prints it (abridged).
    static let cpuConfig = """
        graph_title CPU usage
        graph_order system user nice idle
        graph_args --base 1000 -r --lower-limit 0 --upper-limit 200
        graph_vlabel %
        graph_scale no
        graph_info This graph shows how CPU time is spent.
        graph_category system
        graph_period second
        system.label system
        system.draw AREA
        system.min 0
        system.type DERIVE
        system.info CPU time spent by the kernel in system activities
        user.label user
        user.draw STACK
        user.min 0
        user.type DERIVE
        idle.label idle
        idle.type DERIVE
        idle.graph no
        """

    @Test func configGivesTitlesUnitsCategoriesAndFieldTypes() {
        let config = MuninText.config(Substring(Self.cpuConfig))
        #expect(config.problems.isEmpty, "\(config.problems)")
        let graph = config.graphs.first
        #expect(config.graphs.count == 1 && graph?.multigraph == nil)
        #expect(graph?.title == "CPU usage" && graph?.vlabel == "%" && graph?.category == "system")
        #expect(graph?.info == "This graph shows how CPU time is spent.")
        #expect(graph?.fields.map(\.name) == ["system", "user", "idle"])
        #expect(graph?.fields.allSatisfy { $0.type == .derive } == true)
        #expect(graph?.fields[0].label == "system" && graph?.fields[0].min == 0 && graph?.fields[0].info?.hasPrefix("CPU time") == true)
        #expect(graph?.fields[2].drawn == false)
    }

    @Test func valuesUnknownsTimestampsAndMultigraph() {
        let values = MuninText.values(
            """
            load.value 0.28
            forks.value U
            uptime.value 1795543200:12.5
            multigraph diskstats_latency
            sda_avgwait.value 0.004
            sda.extinfo not a value, ignored
            """)
        #expect(values.problems.isEmpty, "\(values.problems)")
        #expect(values.values.map(\.field) == ["load", "forks", "uptime", "sda_avgwait"])
        #expect(values.values.map(\.value) == [0.28, nil, 12.5, 0.004])
        #expect(values.values.map(\.multigraph) == [nil, nil, nil, "diskstats_latency"])
        let multi = MuninText.config("multigraph a\ngraph_title A\nx.label x\nmultigraph b\ngraph_title B\ny.label y\ny.type COUNTER\n")
        #expect(multi.graphs.map(\.multigraph) == ["a", "b"] && multi.graphs[1].fields.first?.type == .counter)
    }

    @Test(arguments: [
        ("9x.label nine", "line 1: \"9x.label\" is neither graph_* nor FIELD.ATTRIBUTE"),
        ("x.type RATE", "line 1: x.type \"RATE\" is not GAUGE, DERIVE, COUNTER or ABSOLUTE"),
        ("nonsense", "line 1: \"nonsense\" is neither graph_* nor FIELD.ATTRIBUTE"),
    ])
    func aBadConfigLineIsReported(line: String, problem: String) {
        let config = MuninText.config(Substring(line + "\nok.label ok\n"))
        #expect(config.problems.map(\.description) == [problem])
        #expect(config.graphs.first?.fields.last?.name == "ok")
    }

    @Test func aBadValueLineIsReportedAndBoundsHold() {
        let values = MuninText.values("load.value many\n\nother 3\nok.value 1\n")
        #expect(values.problems.map(\.description) == ["line 1: load.value \"many\" is not a number", "line 3: \"other\" is not FIELD.value"])
        #expect(values.values == [MuninText.Value(multigraph: nil, field: "ok", value: 1)])
        let flood = (0..<1000).map { "f\($0).value 1" }.joined(separator: "\n")
        let held = MuninText.values(Substring(flood))
        #expect(held.values.count == MuninText.maxFields && held.problems.count == 500)
        #expect(PluginNames.metricName(plugin: "cpu", multigraph: nil, field: "user")?.rawValue == "cpu.user")
        #expect(PluginNames.metricName(plugin: "diskstats", multigraph: "diskstats_latency.sda", field: "avgwait")?.rawValue == "diskstats_latency_sda.avgwait")
    }
}
