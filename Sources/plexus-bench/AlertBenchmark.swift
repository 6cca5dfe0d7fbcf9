import Foundation
import PlexusAlerts
import PlexusCore
import PlexusTestSupport

/// `plexus-bench alerts HOSTS METRICS RULES [ITERATIONS]`: one evaluation of RULES alert rules
/// over the synthetic cluster (what `AlertService` does every evaluation: the inputs taken from
/// the grid, then the rules), beside one poll's reading of the same cluster into state (what the
/// aggregator does every poll), in the same run. Prints both and their ratio.
///
/// The rules are an operator's mix, made from the data so that some fire: thresholds on every
/// numeric metric (a quarter on all hosts, the rest on a tenth of them by host glob, a third with
/// `for`; one in ten at the 99th percentile of the metric's values, so that hundreds of alerts
/// are active, the others above every value), ten on the cluster's summary, five `host_down`,
/// five `stale`.
struct AlertBenchmark {
    var hosts: Int
    var metrics: Int
    var rules: Int
    var iterations: Int

    func run() throws {
        let grid = SyntheticGrid(hosts: hosts, metricsPerHost: metrics)
        var bytes: [UInt8] = []
        GangliaXMLWriter(dialect: .gmond).write(try grid.clusterDocument(), into: &bytes)
        func poll(_ now: Int64) -> SourceContent {
            var assembler = SourceAssembler(options: .init(), now: now)
            _ = GangliaXMLReader.read(bytes) { assembler.apply($0) }
            return assembler.finish(previous: nil)
        }
        var state = GridState(gridname: try GridName("Bench"), authority: "http://bench/", sources: ["Synthetic"])
        state.sources[0].content = poll(grid.now)
        state.sources[0].alive = true
        let rules = Self.rules(rules, for: AlertInputs(state, now: grid.now))
        var evaluator = AlertEvaluator(rules: rules)
        var now = grid.now
        var fired = 0
        // Every evaluation follows a fresh poll (the hosts stay up, as with a live source):
        // twice first, so that the alerts become pending and fire, as in a steady state.
        func next() -> GridState {
            now += 15
            var fresh = state
            fresh.sources[0].content = poll(now)
            return fresh
        }
        for _ in 0..<2 {
            let current = next()
            fired += evaluator.evaluate(AlertInputs(current, now: now, gridSummary: false), now: now).count
        }
        print("alerts: \(rules.count) rules over \(hosts) hosts × \(metrics) metrics; \(evaluator.active.count) alerts active, \(fired) changes")
        let polling = time { _ = poll(grid.now) }
        var evaluations: [Double] = []
        var inputs: [Double] = []
        for _ in 0..<iterations {
            let current = next()
            let start = ContinuousClock.now
            let taken = AlertInputs(current, now: now, gridSummary: false)
            let middle = ContinuousClock.now
            _ = evaluator.evaluate(taken, now: now)
            let end = ContinuousClock.now
            evaluations.append(Self.milliseconds(end - start))
            inputs.append(Self.milliseconds(middle - start))
        }
        evaluations.sort()
        inputs.sort()
        let median = evaluations[evaluations.count / 2]
        print(String(format: "poll (read into state): best %.2f ms  median %.2f ms", polling.best, polling.median))
        print(
            String(
                format: "evaluation:             best %.2f ms  median %.2f ms (taking the inputs: median %.2f ms)", evaluations[0], median,
                inputs[inputs.count / 2]))
        print(String(format: "evaluation / poll: %.1f %% (medians)", median / polling.median * 100))
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.attoseconds) / 1e15 + Double(duration.components.seconds) * 1000
    }

    private func time(_ body: () -> Void) -> (best: Double, median: Double) {
        body()
        var times: [Double] = []
        for _ in 0..<iterations {
            let start = ContinuousClock.now
            body()
            let elapsed = ContinuousClock.now - start
            times.append(Self.milliseconds(elapsed))
        }
        times.sort()
        return (times[0], times[times.count / 2])
    }

    /// `plexus-bench alert-rules HOSTS METRICS RULES`: the same rules as the aggregator's TOML,
    /// for `scripts/bench aggregator` to run them in a real aggregator.
    static func printRules(hosts: Int, metrics: Int, rules count: Int) throws {
        let grid = SyntheticGrid(hosts: hosts, metricsPerHost: metrics)
        var bytes: [UInt8] = []
        GangliaXMLWriter(dialect: .gmond).write(try grid.clusterDocument(), into: &bytes)
        var assembler = SourceAssembler(options: .init(), now: grid.now)
        _ = GangliaXMLReader.read(bytes) { assembler.apply($0) }
        var state = GridState(gridname: try GridName("Bench"), authority: "http://bench/", sources: ["Synthetic"])
        state.sources[0].content = assembler.finish(previous: nil)
        for rule in rules(count, for: AlertInputs(state, now: grid.now)) {
            var lines = ["[[alert]]", "name = \"\(rule.name)\""]
            if rule.kind != .threshold { lines.append("kind = \"\(rule.kind.rawValue)\"") }
            if let metric = rule.metric { lines.append("metric = \"\(metric)\"") }
            if rule.host != "*" { lines.append("host = \"\(rule.host)\"") }
            if rule.scope != .host { lines.append("scope = \"\(rule.scope.rawValue)\"") }
            if case .above(let v) = rule.condition { lines.append("above = \(v)") }
            if case .below(let v) = rule.condition { lines.append("below = \(v)") }
            if rule.forSeconds > 0 { lines.append("for = \(rule.forSeconds)") }
            if let summary = rule.summary { lines.append("summary = \"\(summary)\"") }
            print(lines.joined(separator: "\n") + "\n")
        }
    }

    static func rules(_ count: Int, for inputs: AlertInputs) -> [AlertRule] {
        let first = inputs.hosts.first?.metrics.filter { $0.value != nil } ?? []
        var values: [String: [Double]] = [:]
        for host in inputs.hosts {
            for metric in host.metrics { if let v = metric.value { values[metric.name, default: []].append(v) } }
        }
        for key in values.keys { values[key]?.sort() }
        var rules: [AlertRule] = []
        for i in 0..<max(0, count - 20) {
            let metric = first[i % first.count].name
            var rule = AlertRule(name: "Rule_\(i)")
            rule.metric = metric
            if i % 4 != 0 { rule.host = "node\(i % 10)*" }
            let sorted = values[metric] ?? [0]
            let threshold = i % 10 == 0 ? sorted[min(sorted.count - 1, sorted.count * 99 / 100)] : (sorted.last ?? 0) + 1
            rule.condition = .above(threshold)
            rule.forSeconds = i % 3 == 0 ? 30 : 0
            rule.summary = "{{metric}} {{value}} on {{host}}"
            rules.append(rule)
        }
        for i in 0..<min(count, 10) {
            var rule = AlertRule(name: "Cluster_\(i)")
            rule.metric = first[i % first.count].name
            rule.scope = .cluster
            rule.condition = .above(0)
            rules.append(rule)
        }
        for i in 0..<min(count, 5) {
            var down = AlertRule(name: "Down_\(i)")
            down.kind = .hostDown
            rules.append(down)
            var stale = AlertRule(name: "Stale_\(i)")
            stale.kind = .stale
            stale.metric = first[i % first.count].name
            rules.append(stale)
        }
        return rules
    }
}
