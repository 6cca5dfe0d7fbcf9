import PlexusCollectors
import PlexusCore
import Testing

@testable import PlexusPlugins

/// What the agent makes of plugins' output: names, metadata from the plugin's own words,
/// counters as rates per second, bounds, and the cap on metrics.
@Suite struct PluginInterpreterTests {
    static let forksConfig = """
        graph_title Fork rate
        graph_vlabel forks / ${graph_period}
        graph_category processes
        graph_info This graph shows the number of forks (new processes started) per second.
        forks.label forks
        forks.type DERIVE
        forks.min 0
        forks.max 100000
        forks.info The number of forks per second.
        """

    static func munin(_ interpreter: inout PluginInterpreter, config: String, values: String, at now: Double) -> PluginReading {
        interpreter.munin(config: MuninText.config(Substring(config)), values: MuninText.values(Substring(values)), now: now)
    }

    @Test func muninDeriveIsARatePerSecondWithTheGraphsMetadata() {
        var interpreter = PluginInterpreter(.init(plugin: "forks", tmax: 60, dmax: 600))
        let first = Self.munin(&interpreter, config: Self.forksConfig, values: "forks.value 1000\n", at: 100)
        #expect(first.metrics.count == 1)
        #expect(first.metrics.first?.value == nil)  // a rate needs two readings
        let second = Self.munin(&interpreter, config: Self.forksConfig, values: "forks.value 1600\n", at: 160)
        let metric = second.metrics.first
        #expect(metric?.value == .double(10))
        #expect(metric?.definition.name == "forks.forks")
        #expect(metric?.definition.units == "forks / second")
        #expect(metric?.definition.group == "processes")
        #expect(metric?.definition.description == "The number of forks per second.")
        #expect(metric?.definition.slope == .both && metric?.definition.type == .double)
        #expect(metric?.definition.tmax == 60 && metric?.definition.dmax == 600)
        #expect(metric?.title == "Fork rate: forks")
        // A decrease is a reset: no value, and the next reading counts from the new one.
        #expect(Self.munin(&interpreter, config: Self.forksConfig, values: "forks.value 5\n", at: 220).metrics.first?.value == nil)
        #expect(Self.munin(&interpreter, config: Self.forksConfig, values: "forks.value 65\n", at: 280).metrics.first?.value == .double(1))
        // Past the field's max (Munin's archive refuses it): no value.
        #expect(Self.munin(&interpreter, config: Self.forksConfig, values: "forks.value 90000065\n", at: 340).metrics.first?.value == nil)
    }

    @Test func counterWrapsAbsoluteDividesAndGaugeAndUnknownPassThrough() {
        let config = """
            graph_title T
            c.type COUNTER
            a.type ABSOLUTE
            g.label gauge
            """
        var interpreter = PluginInterpreter(.init(plugin: "t"))
        _ = Self.munin(&interpreter, config: config, values: "c.value 4294967290\na.value 7\ng.value 3.5\n", at: 0)
        let reading = Self.munin(&interpreter, config: config, values: "c.value 4\na.value 20\ng.value U\n", at: 10)
        let values = Dictionary(uniqueKeysWithValues: reading.metrics.map { ($0.definition.name, $0.value) })
        #expect(values["t.c"] == .double(1))  // wrapped at 2^32: 10 counts in 10 s
        #expect(values["t.a"] == .double(2))  // 20 since the last read, over 10 s
        #expect(values["t.g"] == .some(nil))  // U: the metric is there, without a value
        #expect(reading.metrics.first { $0.definition.name == "t.g" }?.title == "T: gauge")
        // Past 2^32 a counter wraps at 2^64.
        #expect(PluginInterpreter.value(of: .counter, raw: 0, previous: (8_589_934_592, 0), now: 1) == Double(UInt64.max - (1 << 33) + 1))
    }

    @Test func multigraphFieldsAreNamedByTheirGraph() {
        let config = "multigraph diskstats_latency_sda\ngraph_title Latency sda\navgwait.label wait\n"
        var interpreter = PluginInterpreter(.init(plugin: "diskstats"))
        let reading = Self.munin(&interpreter, config: config, values: "multigraph diskstats_latency_sda\navgwait.value 0.25\n", at: 0)
        #expect(reading.metrics.map(\.definition.name) == ["diskstats_latency_sda.avgwait"])
        #expect(reading.metrics.first?.title == "Latency sda: wait")
    }

    @Test func prometheusCountersBecomeRatesWithUnitsHelpAndLabelsInTheTitle() {
        let text = """
            # HELP node_network_receive_bytes_total Bytes received.
            # TYPE node_network_receive_bytes_total counter
            node_network_receive_bytes_total{device="eth0"} 1000
            # HELP inotify_instances Total number of inotify instances held open by a process.
            # TYPE inotify_instances gauge
            inotify_instances{pid="1",uid="0",user="root"} 3
            """
        var interpreter = PluginInterpreter(.init(plugin: "net"))
        _ = interpreter.prometheus(PrometheusText.parse(Substring(text)), now: 0)
        let reading = interpreter.prometheus(PrometheusText.parse(Substring(text.replacing("} 1000", with: "} 6000"))), now: 5)
        let rx = reading.metrics.first { $0.definition.name == "node_network_receive_bytes_total.eth0" }
        #expect(rx?.value == .double(1000))
        #expect(rx?.definition.units == "bytes/s")
        #expect(rx?.definition.description == "Bytes received.")
        #expect(rx?.definition.group == "net")
        #expect(rx?.title == "node_network_receive_bytes_total{device=\"eth0\"}")
        let inotify = reading.metrics.first { $0.definition.name == "inotify_instances.1.0.root" }
        #expect(inotify?.value == .double(3) && inotify?.definition.units == "")
    }

    @Test func theCapKeepsLastRunsSeriesFirstAndCountsTheRest() {
        var interpreter = PluginInterpreter(.init(plugin: "p", maxMetrics: 2))
        let first = interpreter.prometheus(PrometheusText.parse("b 1\nc 2\nd 3\n"), now: 0)
        #expect(first.metrics.map(\.definition.name) == ["b", "c"] && first.dropped == 1)
        // A new series ahead of them in the output doesn't push out one already kept.
        let second = interpreter.prometheus(PrometheusText.parse("a 0\nb 1\nc 2\n"), now: 1)
        #expect(second.metrics.map(\.definition.name) == ["b", "c"] && second.dropped == 1)
        // A series gone makes room.
        let third = interpreter.prometheus(PrometheusText.parse("a 0\nc 2\n"), now: 2)
        #expect(third.metrics.map(\.definition.name) == ["a", "c"] && third.dropped == 0)
    }

    @Test func seriesFoldingToOneNameKeepTheFirstAndSaySo() {
        var interpreter = PluginInterpreter(.init(plugin: "p"))
        let reading = interpreter.prometheus(PrometheusText.parse("x{k=\"a b\"} 1\nx{k=\"a/b\"} 2\nnan NaN\n"), now: 0)
        #expect(reading.metrics.map(\.definition.name) == ["x.a_b", "nan"])
        #expect(reading.metrics.first?.value == .double(1))
        #expect(reading.metrics.last?.value == nil)  // NaN: no value
        #expect(reading.problems.count == 1 && reading.problems[0].contains("x.a_b"), "\(reading.problems)")
    }

    @Test func gmetricLinesKeepTheirTypes() {
        var interpreter = PluginInterpreter(.init(plugin: "jobs", group: "batch"))
        let reading = interpreter.gmetric(GmetricLines.parse("queue_depth 12 uint32 jobs\nmotd \"all quiet\" string\nratio 0.5\n"), now: 0)
        let byName = Dictionary(uniqueKeysWithValues: reading.metrics.map { ($0.definition.name, $0) })
        #expect(byName["queue_depth"]?.value == .uint(12) && byName["queue_depth"]?.definition.type == .uint32)
        #expect(byName["queue_depth"]?.definition.units == "jobs" && byName["queue_depth"]?.definition.format == "%u")
        #expect(byName["motd"]?.value == .string("all quiet"))
        #expect(byName["ratio"]?.value == .double(0.5))
        #expect(reading.metrics.allSatisfy { $0.definition.group == "batch" })
    }
}
