import PlexusCore
import Testing

@testable import PlexusPlugins

/// Prometheus text exposition format as plugins print it: families, labels and escapes, special
/// values, histograms, and every bad line reported with its number while the rest is kept.
@Suite struct PrometheusTextTests {
    /// What `inotify-instances` and a textfile collector print, and the corners of the format.
    static let fixture = #"""
        # HELP node_inotify_instances Inotify instances per user.\nSecond line, a \\ backslash.
        # TYPE node_inotify_instances gauge
        node_inotify_instances{user="root",uid="0"} 12
        node_inotify_instances{uid="1000", user="ann \"the\" admin\\x\n",} 3
        # a comment, ignored
        # TYPE node_forks_total counter
        node_forks_total 8.0462e+06 1795543200000

        # TYPE rpc_duration_seconds histogram
        rpc_duration_seconds_bucket{le="0.005"} 24
        rpc_duration_seconds_bucket{le="+Inf"} 144
        rpc_duration_seconds_sum 53.4
        rpc_duration_seconds_count 144
        weird_values{kind="nan"} NaN
        weird_values{kind="inf"} +Inf
        weird_values{kind="neg"} -Inf
        untyped_thing -0.5
        """#

    @Test func readsFamiliesLabelsEscapesAndSpecialValues() {
        let parsed = PrometheusText.parse(Substring(Self.fixture))
        #expect(parsed.problems.isEmpty, "\(parsed.problems)")
        #expect(parsed.samples.count == 11)
        let inotify = parsed.samples.filter { $0.name == "node_inotify_instances" }
        #expect(inotify.map(\.value) == [12, 3] && inotify.allSatisfy { $0.type == .gauge })
        #expect(inotify[0].help == "Inotify instances per user.\nSecond line, a \\ backslash.")
        #expect(inotify[0].labels == [.init("user", "root"), .init("uid", "0")])
        #expect(inotify[1].labels == [.init("uid", "1000"), .init("user", "ann \"the\" admin\\x\n")], "escapes, spaces, a trailing comma")
        let forks = parsed.samples.first { $0.name == "node_forks_total" }
        #expect(forks?.type == .counter && forks?.value == 8_046_200 && forks?.timestamp == 1_795_543_200_000)
        // A histogram's _bucket, _sum and _count are of its family.
        #expect(parsed.samples.filter { $0.name.hasPrefix("rpc_duration_seconds") }.allSatisfy { $0.type == .histogram })
        let weird = parsed.samples.filter { $0.name == "weird_values" }.map(\.value)
        #expect(weird[0].isNaN && weird[1] == .infinity && weird[2] == -.infinity)
        #expect(parsed.samples.last?.type == .untyped && parsed.samples.last?.value == -0.5)
    }

    @Test(arguments: [
        ("9bad 1", "line 1: \"9bad\" is not a metric name"),
        ("ok{a=\"1\" 2", "line 1: ok: expected , or } after label a"),
        ("ok{a=1} 2", "line 1: ok: label a's value is not quoted"),
        ("ok{a=\"1} 2", "line 1: ok: label a's value is not closed"),
        ("ok{a=\"\\t\"} 2", "line 1: ok: label a's value has an unknown escape"),
        ("ok{a=\"1\",a=\"2\"} 2", "line 1: ok: a label given twice"),
        ("ok{9=\"1\"} 2", "line 1: ok: \"9\" is not a label name"),
        ("ok twelve", "line 1: ok: \"twelve\" is not a number"),
        ("ok 1 soon", "line 1: ok: timestamp \"soon\" is not whole milliseconds"),
        ("ok 1 2 3", "line 1: ok: expected a value and an optional timestamp"),
        ("ok", "line 1: ok: expected a value and an optional timestamp"),
        ("# TYPE ok gauges", "line 1: TYPE of ok is not counter, gauge, histogram, summary or untyped"),
    ])
    func aBadLineIsReportedAndTheRestKept(line: String, problem: String) {
        let parsed = PrometheusText.parse(Substring(line + "\ngood 1\n"))
        #expect(parsed.problems.map(\.description) == [problem])
        #expect(parsed.samples == [PrometheusText.Sample(name: "good", value: 1)])
    }

    @Test func whatAPluginCanMakeUsHoldIsBounded() {
        var limits = PrometheusText.Limits()
        limits.maxSamples = 100
        let flood = (0..<10_000).map { "series_\($0) \($0)" }.joined(separator: "\n")
        let parsed = PrometheusText.parse(Substring(flood), limits: limits)
        #expect(parsed.samples.count == 100 && parsed.dropped == 9_900)
        limits.maxLineBytes = 20
        #expect(PrometheusText.parse(Substring("x{a=\"" + String(repeating: "y", count: 50) + "\"} 1"), limits: limits).problems.count == 1)
        limits = PrometheusText.Limits()
        limits.maxLabels = 2
        #expect(PrometheusText.parse("x{a=\"1\",b=\"2\",c=\"3\"} 1", limits: limits).problems.map(\.reason) == ["x: more than 2 labels"])
    }

    @Test func seriesGetPredictableMetricNames() throws {
        let parsed = PrometheusText.parse(Substring(Self.fixture))
        let names = parsed.samples.compactMap(PluginNames.metricName).map(\.rawValue)
        #expect(names.contains("node_inotify_instances.0.root"))
        #expect(names.contains("node_inotify_instances.1000.ann_the_admin_x"))
        #expect(names.contains("rpc_duration_seconds_bucket.0_005") && names.contains("rpc_duration_seconds_bucket.Inf"))
        #expect(names.contains("node_forks_total") && names.contains("weird_values.nan"))
        #expect(PluginNames.metricName(.init(name: "fs", labels: [.init("mountpoint", "/")], value: 1))?.rawValue == "fs._")
        #expect(PluginNames.metricName(.init(name: "fs", labels: [.init("mountpoint", "/var/log")], value: 1))?.rawValue == "fs.var_log")
        #expect(PluginNames.labelText([.init("user", "root"), .init("uid", "0")]) == "{uid=\"0\",user=\"root\"}")
        // Too long for a file name: no metric (the caller counts it).
        #expect(PluginNames.metricName(.init(name: String(repeating: "a", count: 300), value: 1)) == nil)
    }
}
