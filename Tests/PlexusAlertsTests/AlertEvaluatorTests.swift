import PlexusCore
import Testing

@testable import PlexusAlerts

/// Rules on values and times given to them: thresholds, hysteresis, `for`, globs, summaries,
/// stale metrics, hosts and sources down.
@Suite struct AlertEvaluatorTests {
    static let t0: Int64 = 1_795_543_200

    static func load(_ value: Double, host: String = "web-1", cluster: String = "web") -> AlertInputs.Host {
        AlertInputs.Host(cluster: cluster, name: host, metrics: [.init(name: "load_one", value: value), .init(name: "os_name", value: nil)])
    }

    static var highLoad: AlertRule {
        var rule = AlertRule(name: "HighLoad")
        rule.metric = "load_*"
        rule.condition = .above(4)
        rule.clear = 3
        rule.forSeconds = 60
        rule.summary = "load {{value}} on {{host}}"
        return rule
    }

    @Test func aThresholdIsPendingForItsForThenFiresAndResolvesPastItsClearValue() {
        var evaluator = AlertEvaluator(rules: [Self.highLoad])
        #expect(evaluator.evaluate(AlertInputs(hosts: [Self.load(2)]), now: Self.t0).isEmpty)
        #expect(evaluator.evaluate(AlertInputs(hosts: [Self.load(5)]), now: Self.t0 + 15).isEmpty)
        #expect(evaluator.active.values.map(\.state) == [.pending])
        // Still above at 60 s after it began: fires, with its labels and summary.
        #expect(evaluator.evaluate(AlertInputs(hosts: [Self.load(4.5)]), now: Self.t0 + 60).isEmpty)
        let fired = evaluator.evaluate(AlertInputs(hosts: [Self.load(4.25)]), now: Self.t0 + 75)
        #expect(fired.map(\.kind) == [.firing] && fired.first?.at == Self.t0 + 75)
        let alert = try! #require(fired.first?.alert)
        #expect(alert.labels == ["alertname": "HighLoad", "severity": "warning", "cluster": "web", "host": "web-1", "metric": "load_one"])
        #expect(alert.activeSince == Self.t0 + 15 && alert.firingSince == Self.t0 + 75 && alert.summary == "load 4.25 on web-1")
        // Below the threshold but above clear: still firing, nothing to say.
        #expect(evaluator.evaluate(AlertInputs(hosts: [Self.load(3.5)]), now: Self.t0 + 90).isEmpty)
        #expect(evaluator.active.values.first?.value == 3.5)
        let resolved = evaluator.evaluate(AlertInputs(hosts: [Self.load(3)]), now: Self.t0 + 105)
        #expect(resolved.map(\.kind) == [.resolved] && resolved.first?.alert.value == 3 && evaluator.active.isEmpty)
    }

    @Test func aPendingAlertWhoseConditionEndsSaysNothing() {
        var evaluator = AlertEvaluator(rules: [Self.highLoad])
        _ = evaluator.evaluate(AlertInputs(hosts: [Self.load(9)]), now: Self.t0)
        #expect(evaluator.evaluate(AlertInputs(hosts: [Self.load(1)]), now: Self.t0 + 30).isEmpty && evaluator.active.isEmpty)
        // Without `for`, it fires at once.
        var now = AlertEvaluator(rules: [
            {
                var r = Self.highLoad
                r.forSeconds = 0
                return r
            }()
        ])
        #expect(now.evaluate(AlertInputs(hosts: [Self.load(9)]), now: Self.t0).map(\.kind) == [.firing])
    }

    @Test func globsChooseTheSeriesAndEachSeriesIsItsOwnAlert() {
        var rule = Self.highLoad
        rule.forSeconds = 0
        rule.cluster = "web*"
        rule.host = "*-[12]"
        var evaluator = AlertEvaluator(rules: [rule])
        let hosts = [Self.load(9, host: "web-1"), Self.load(9, host: "web-2"), Self.load(9, host: "web-3"), Self.load(9, host: "db-1", cluster: "db")]
        let fired = evaluator.evaluate(AlertInputs(hosts: hosts), now: Self.t0)
        #expect(fired.compactMap { $0.alert.labels["host"] }.sorted() == ["web-1", "web-2"])
        // A host that disappears resolves its alert; the other stays.
        let gone = evaluator.evaluate(AlertInputs(hosts: [Self.load(9, host: "web-2")]), now: Self.t0 + 15)
        #expect(gone.map(\.kind) == [.resolved] && gone.first?.alert.labels["host"] == "web-1" && evaluator.active.count == 1)
    }

    @Test func summariesAreWatchedAsMeansOrSums() {
        var mean = AlertRule(name: "ClusterBusy")
        mean.metric = "cpu_user"
        mean.scope = .cluster
        mean.condition = .above(50)
        var total = AlertRule(name: "GridBytes")
        total.metric = "bytes_in"
        total.scope = .grid
        total.aggregate = .sum
        total.condition = .above(1000)
        var evaluator = AlertEvaluator(rules: [mean, total])
        let inputs = AlertInputs(
            clusters: [.init(name: "web", metrics: ["cpu_user": (sum: 240, num: 4)]), .init(name: "db", metrics: ["cpu_user": (sum: 40, num: 2)])],
            grid: .init(name: "Ops", metrics: ["bytes_in": (sum: 1500, num: 6)]))
        let fired = evaluator.evaluate(inputs, now: Self.t0)
        #expect(Set(fired.map { $0.alert.labels["cluster"] ?? $0.alert.labels["grid"] ?? "" }) == ["web", "Ops"])
        #expect(fired.first { $0.alert.name == "ClusterBusy" }?.alert.value == 60)
        #expect(fired.first { $0.alert.name == "GridBytes" }?.alert.value == 1500)
    }

    @Test func hostsDownStaleMetricsAndSourcesDown() {
        var down = AlertRule(name: "HostDown")
        down.kind = .hostDown
        var stale = AlertRule(name: "Stale")
        stale.kind = .stale
        stale.metric = "disk_free"
        stale.staleFactor = 2
        var source = AlertRule(name: "SourceDown")
        source.kind = .sourceDown
        var evaluator = AlertEvaluator(rules: [down, stale, source])
        let inputs = AlertInputs(
            hosts: [
                .init(cluster: "web", name: "web-1", up: false, tn: 400),
                .init(cluster: "web", name: "web-2", metrics: [.init(name: "disk_free", value: 10, tn: 300, tmax: 120)]),
                .init(cluster: "web", name: "web-3", metrics: [.init(name: "disk_free", value: 10, tn: 200, tmax: 120)]),
            ],
            sources: [(name: "web", alive: true), (name: "db", alive: false)])
        let fired = evaluator.evaluate(inputs, now: Self.t0)
        #expect(
            fired.map { "\($0.alert.name) \($0.alert.labels["host"] ?? $0.alert.labels["source"] ?? "")" }.sorted()
                == ["HostDown web-1", "SourceDown db", "Stale web-2"])
        #expect(fired.first { $0.alert.name == "HostDown" }?.alert.value == 400)
    }

    @Test func restoredAlertsResolveWithoutFiringAgain() {
        var rule = Self.highLoad
        rule.forSeconds = 0
        var first = AlertEvaluator(rules: [rule])
        _ = first.evaluate(AlertInputs(hosts: [Self.load(9)]), now: Self.t0)
        // After a restart: the firing alert is restored, not re-announced, and its resolve is not lost.
        var second = AlertEvaluator(rules: [rule], restoring: Array(first.active.values))
        #expect(second.evaluate(AlertInputs(hosts: [Self.load(8)]), now: Self.t0 + 30).isEmpty)
        #expect(second.evaluate(AlertInputs(hosts: [Self.load(1)]), now: Self.t0 + 45).map(\.kind) == [.resolved])
        // A rule removed from the configuration drops what it held.
        #expect(AlertEvaluator(rules: [], restoring: Array(first.active.values)).active.isEmpty)
    }

    @Test func anAnomalyFiresWhileTheForecastFailsAndResolvesWhenItHoldsAgain() {
        var rule = AlertRule(name: "OddLoad")
        rule.kind = .anomaly
        rule.metric = "load_*"
        rule.cluster = "web"
        var evaluator = AlertEvaluator(rules: [rule])
        func inputs(_ failing: Bool) -> AlertInputs {
            var inputs = AlertInputs()
            inputs.anomalies = [
                .init(cluster: "web", host: "web-1", metric: "load_one", failing: failing),
                .init(cluster: "db", host: "db-1", metric: "load_one", failing: true),
                .init(cluster: "web", host: "web-2", metric: "cpu_user", failing: true),
            ]
            return inputs
        }
        #expect(evaluator.evaluate(inputs(false), now: Self.t0).isEmpty)
        let fired = evaluator.evaluate(inputs(true), now: Self.t0 + 15)
        #expect(fired.map(\.kind) == [.firing], "only the rule's cluster and metrics")
        #expect(fired.first?.alert.labels == ["alertname": "OddLoad", "severity": "warning", "cluster": "web", "host": "web-1", "metric": "load_one"])
        #expect(evaluator.evaluate(inputs(false), now: Self.t0 + 30).map(\.kind) == [.resolved])
        #expect(AnomalyWatch([rule]).rule(cluster: "web", host: "web-9", metric: "load_five")?.name == "OddLoad")
        #expect(AnomalyWatch([rule, Self.highLoad]).rule(cluster: "db", host: "db-1", metric: "load_one") == nil)
    }

    /// Many rules on one metric (walked by sorted threshold): each fires and clears at its own
    /// values, with hysteresis, above and below, for every host its globs choose.
    @Test func manyRulesOnOneMetricEachKeepTheirOwnThresholds() {
        func rule(_ name: String, above: Double? = nil, below: Double? = nil, clear: Double? = nil, host: String = "*") -> AlertRule {
            var rule = AlertRule(name: name)
            rule.metric = "load_one"
            rule.host = host
            rule.condition = above.map { .above($0) } ?? below.map { .below($0) }
            rule.clear = clear
            return rule
        }
        let rules = [
            rule("Above8", above: 8), rule("Above2", above: 2, clear: 1), rule("Above5", above: 5, clear: 4), rule("Below1", below: 1, clear: 1.5),
            rule("Above3OnWeb2", above: 3, host: "web-2"),
        ]
        var evaluator = AlertEvaluator(rules: rules)
        func firing(_ values: [Double], at t: Int64) -> [String] {
            let hosts = values.enumerated().map { Self.load($0.element, host: "web-\($0.offset + 1)") }
            _ = evaluator.evaluate(AlertInputs(hosts: hosts), now: Self.t0 + t)
            return evaluator.alerts.filter { $0.state == .firing }.map { "\($0.name)@\($0.labels["host"] ?? "")" }.sorted()
        }
        #expect(firing([6, 0.5], at: 0) == ["Above2@web-1", "Above5@web-1", "Below1@web-2"])
        // web-1 falls to 4.5 (above Above5's clear), web-2 rises to 1.2 (below Below1's clear).
        #expect(firing([4.5, 1.2], at: 15) == ["Above2@web-1", "Above5@web-1", "Below1@web-2"])
        // Past the clear values: Above5 and Below1 end; web-2 at 3.5 passes its own rule and Above2.
        #expect(firing([3.9, 3.5], at: 30) == ["Above2@web-1", "Above2@web-2", "Above3OnWeb2@web-2"])
        // web-2 at 1 is at Above2's clear value: resolved; not below 1: no Below1.
        #expect(firing([9, 1], at: 45) == ["Above2@web-1", "Above5@web-1", "Above8@web-1"])
        #expect(firing([1, 1], at: 60).isEmpty)
    }
}
