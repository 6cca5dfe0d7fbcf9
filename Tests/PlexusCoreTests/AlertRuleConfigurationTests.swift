import Testing

@testable import PlexusCore

/// `[alerting]` and `[[alert]]`: what a rule says, and the rules `--check` refuses with file, key and reason.
@Suite struct AlertRuleConfigurationTests {
    @Test func rulesAndDeliveryAreRead() throws {
        let config = try AggregatorConfiguration.parse(
            """
            [alerting]
            alertmanager_url = "http://127.0.0.1:9093"
            webhook_url = "https://chat.example/hook"
            command = "/usr/local/bin/page-someone"
            evaluation_interval = 15
            resend_interval = 120

            [[alert]]
            name = "HighLoad"
            metric = "load_one"
            cluster = "web*"
            above = 4.0
            clear = 3.0
            for = 60
            severity = "critical"
            summary = "load {{value}} on {{host}}"

            [[alert]]
            name = "HostDown"
            kind = "host_down"

            [[alert]]
            name = "ClusterIdle"
            metric = "cpu_idle"
            scope = "cluster"
            below = 5

            [[alert]]
            name = "Stale_disk"
            kind = "stale"
            metric = "disk_*"
            stale_factor = 2

            [[alert]]
            name = "OddTraffic"
            kind = "anomaly"
            metric = "bytes_in"
            season = 604800
            alpha = 0.2
            failure_window = 12
            failure_threshold = 10
            """, file: "a.toml")
        #expect(config.alerting.alertmanagerURL == "http://127.0.0.1:9093" && config.alerting.webhookURL == "https://chat.example/hook")
        #expect(config.alerting.command == "/usr/local/bin/page-someone")
        #expect(config.alerting.evaluationInterval == 15 && config.alerting.resendInterval == 120)
        #expect(config.alerts.map(\.name) == ["HighLoad", "HostDown", "ClusterIdle", "Stale_disk", "OddTraffic"])
        let forecast = config.alerts[4].holtWinters
        #expect(forecast.season == 604_800 && forecast.alpha == 0.2 && forecast.beta == 0.0035 && forecast.gamma == 0.1)
        #expect(forecast.window == 12 && forecast.threshold == 10 && config.alerts[0].holtWinters == HoltWinters())
        let load = config.alerts[0]
        #expect(load.kind == .threshold && load.metric == "load_one" && load.cluster == "web*" && load.host == "*")
        #expect(load.condition == .above(4) && load.clear == 3 && load.forSeconds == 60 && load.severity == "critical")
        #expect(load.summary == "load {{value}} on {{host}}")
        #expect(config.alerts[1].kind == .hostDown && config.alerts[1].metric == nil)
        #expect(config.alerts[2].scope == .cluster && config.alerts[2].aggregate == .mean && config.alerts[2].condition == .below(5))
        #expect(config.alerts[3].kind == .stale && config.alerts[3].staleFactor == 2)
        // Nothing configured: no rules, default intervals.
        #expect(AggregatorConfiguration().alerts.isEmpty && AggregatorConfiguration().alerting.resendInterval == 60)
    }

    @Test func hysteresisHoldsAnActiveAlertUntilTheClearValue() {
        var rule = AlertRule(name: "HighLoad")
        rule.condition = .above(4)
        rule.clear = 3
        #expect(rule.holds(4.5, active: false) && !rule.holds(3.5, active: false))
        #expect(rule.holds(3.5, active: true) && !rule.holds(3, active: true))
        rule.condition = .below(10)
        rule.clear = 20
        #expect(rule.holds(9, active: false) && !rule.holds(15, active: false) && rule.holds(15, active: true) && !rule.holds(20, active: true))
        rule.clear = nil
        #expect(!rule.holds(10, active: true) && rule.clearValue == 10)
    }

    static let rule = "[[alert]]\nname = \"A\"\n"

    @Test(arguments: [
        ("[[alert]]\nmetric = \"x\"\nabove = 1", "t.toml: key alert[0].name: every alert needs a name (its alertname label)"),
        ("[[alert]]\nname = \"high load\"\nmetric = \"x\"\nabove = 1", "t.toml: key alert[0].name: use letters, digits and _"),
        (rule + "metric = \"load_one\"\nabove = 4\nbelow = 1", "t.toml: key alert[0].below: a rule has above or below, not both"),
        (
            rule + "metric = \"load_one\"\nabove = 4\nclear = 5",
            "t.toml: key alert[0].clear: with above = 4.0 the alert clears at or below a lower value, found 5.0"
        ),
        (
            rule + "metric = \"load_one\"\nbelow = 4\nclear = 3",
            "t.toml: key alert[0].clear: with below = 4.0 the alert clears at or above a higher value, found 3.0"
        ),
        (rule + "metric = \"load_one\"\nabove = 4\nfor = -5", "t.toml: key alert[0].for: -5 is out of range 0...4294967295"),
        (rule + "metric = \"disk/free\"\nabove = 4", "t.toml: key alert[0].metric: \"disk/free\" can never match a metric name"),
        (rule + "metric = \"load_one\"", "t.toml: key alert[0].above: a threshold rule needs above = … or below = …"),
        (rule + "above = 1", "t.toml: key alert[0].metric: a threshold rule needs the metric it watches"),
        (rule + "kind = \"host_down\"\nmetric = \"load_one\"", "t.toml: key alert[0].metric: a host_down rule watches no metric"),
        (rule + "kind = \"flapping\"", "t.toml: key alert[0].kind: expected one of threshold, host_down, stale, source_down, anomaly"),
        (rule + "kind = \"stale\"\nmetric = \"x\"\nscope = \"cluster\"", "t.toml: key alert[0].scope: only threshold rules look at summaries"),
        (rule + "metric = \"x\"\nabove = 1\nseverity = 3", "t.toml: key alert[0].severity: expected a string"),
        (rule + "metric = \"x\"\nabove = 1\nabove_ = 2", "t.toml: key alert[0].above_: unknown key"),
        (rule + "kind = \"anomaly\"\nmetric = \"x\"\nalpha = 1.5", "t.toml: key alert[0].alpha: 1.5 is out of range"),
        (rule + "kind = \"anomaly\"\nmetric = \"x\"\nfailure_threshold = 10", "t.toml: key alert[0].failure_threshold: 10 failures can't happen"),
        (rule + "kind = \"anomaly\"\nmetric = \"x\"\nfailure_window = 40", "t.toml: key alert[0].failure_window: 40 is out of range"),
        (rule + "metric = \"x\"\nabove = 1\nseason = 3600", "t.toml: key alert[0].season: only anomaly rules have a Holt-Winters forecast"),
        ("[alerting]\nalertmanager_url = \"127.0.0.1:9093\"", "t.toml: key alerting.alertmanager_url: expected an http:// or https:// URL"),
        ("[alerting]\ncommand = \"page-someone\"", "t.toml: key alerting.command: must be an absolute path"),
        ("[alerting]\nevaluation_interval = 0", "t.toml: key alerting.evaluation_interval: 0 is out of range 1...4294967295"),
    ])
    func badRulesNameFileKeyAndReason(text: String, message: String) {
        do {
            _ = try AggregatorConfiguration.parse(text, file: "t.toml")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description.hasPrefix(message), "\(error.description)")
        }
    }
}
