/// Reading `[alerting]` and `[[alert]]` (their keys appear here only; `docs/alerts.md`).
extension AggregatorConfiguration {
    static func readAlerting(_ table: ConfigTable) throws(ConfigError) -> AlertingConfiguration {
        var t = table
        var a = AlertingConfiguration()
        a.alertmanagerURL = try url(&t, "alertmanager_url")
        a.webhookURL = try url(&t, "webhook_url")
        a.command = try t.string("command")
        if let command = a.command, !command.hasPrefix("/") {
            throw t.error("command", "must be an absolute path (it runs without a shell), found \(command.debugDescription)")
        }
        a.evaluationInterval = try t.seconds("evaluation_interval", minimum: 1)
        a.resendInterval = try t.seconds("resend_interval", minimum: 1) ?? a.resendInterval
        a.dashboardURL = try url(&t, "dashboard_url")
        a.timeout = try t.seconds("timeout", minimum: 1) ?? a.timeout
        try t.finish()
        return a
    }

    private static func url(_ t: inout ConfigTable, _ key: String) throws(ConfigError) -> String? {
        guard let text = try t.string(key) else { return nil }
        guard text.hasPrefix("http://") || text.hasPrefix("https://"), text.count > 8, !text.contains(where: \.isWhitespace) else {
            throw t.error(key, "expected an http:// or https:// URL, found \(text.debugDescription)")
        }
        return text
    }

    static func readAlertRule(_ table: ConfigTable) throws(ConfigError) -> AlertRule {
        var t = table
        guard let name = try t.string("name") else { throw t.error("name", "every alert needs a name (its alertname label)") }
        guard let first = name.unicodeScalars.first, first == "_" || first.properties.isAlphabetic && first.isASCII,
            name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") })
        else {
            throw t.error(
                "name", "use letters, digits and _ (not first a digit), as Alertmanager's label values for alertname do, found \(name.debugDescription)")
        }
        var rule = AlertRule(name: name)
        if let kind = try t.string("kind") {
            guard let known = AlertRule.Kind(rawValue: kind) else {
                throw t.error("kind", "expected one of \(AlertRule.Kind.allCases.map(\.rawValue).joined(separator: ", ")), found \(kind.debugDescription)")
            }
            rule.kind = known
        }
        rule.metric = try t.string("metric")
        if let metric = rule.metric, let problem = Self.globProblem(metric) { throw t.error("metric", problem) }
        rule.cluster = try t.string("cluster") ?? rule.cluster
        rule.host = try t.string("host") ?? rule.host
        if let scope = try t.string("scope") {
            guard let known = AlertRule.Scope(rawValue: scope) else {
                throw t.error("scope", "expected host, cluster or grid, found \(scope.debugDescription)")
            }
            rule.scope = known
        }
        if let aggregate = try t.string("aggregate") {
            guard let known = AlertRule.Aggregate(rawValue: aggregate) else {
                throw t.error("aggregate", "expected mean or sum, found \(aggregate.debugDescription)")
            }
            rule.aggregate = known
        }
        let above = try t.number("above", in: -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude)
        let below = try t.number("below", in: -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude)
        switch (above, below) {
        case (let a?, nil): rule.condition = .above(a)
        case (nil, let b?): rule.condition = .below(b)
        case (_?, _?): throw t.error("below", "a rule has above or below, not both (write two rules for a band)")
        case (nil, nil): break
        }
        rule.clear = try t.number("clear", in: -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude)
        rule.forSeconds = try t.seconds("for") ?? rule.forSeconds
        rule.staleFactor = try t.number("stale_factor", in: 1...1000) ?? rule.staleFactor
        rule.severity = try t.string("severity") ?? rule.severity
        rule.summary = try t.string("summary")
        if rule.kind == .anomaly {
            rule.holtWinters = try readHoltWinters(&t)
        } else if let key = ["season", "alpha", "beta", "gamma", "failure_window", "failure_threshold"].first(where: t.has) {
            throw t.error(key, "only anomaly rules have a Holt-Winters forecast")
        }
        try check(rule, &t)
        try t.finish()
        return rule
    }

    /// `season` (seconds), `alpha`, `beta`, `gamma` (0 < x < 1), `failure_window` (1-28, RRDtool's
    /// bound) and `failure_threshold` (1 to the window).
    private static func readHoltWinters(_ t: inout ConfigTable) throws(ConfigError) -> HoltWinters {
        var hw = HoltWinters()
        hw.season = try t.seconds("season", minimum: 2) ?? hw.season
        let open = Double.leastNonzeroMagnitude...(1 - Double.ulpOfOne)
        hw.alpha = try t.number("alpha", in: open) ?? hw.alpha
        hw.beta = try t.number("beta", in: open) ?? hw.beta
        hw.gamma = try t.number("gamma", in: open) ?? hw.gamma
        hw.window = try t.integer("failure_window", in: 1...28) ?? hw.window
        hw.threshold = try t.integer("failure_threshold", in: 1...28) ?? hw.threshold
        if hw.threshold > hw.window {
            throw t.error("failure_threshold", "\(hw.threshold) failures can't happen in a window of \(hw.window) values")
        }
        return hw
    }

    /// What each kind needs, and what it cannot take.
    private static func check(_ rule: AlertRule, _ t: inout ConfigTable) throws(ConfigError) {
        switch rule.kind {
        case .threshold:
            guard rule.metric != nil else { throw t.error("metric", "a threshold rule needs the metric it watches") }
            guard let condition = rule.condition else { throw t.error("above", "a threshold rule needs above = … or below = …") }
            if let clear = rule.clear {
                switch condition {
                case .above(let threshold) where clear > threshold:
                    throw t.error("clear", "with above = \(threshold) the alert clears at or below a lower value, found \(clear)")
                case .below(let threshold) where clear < threshold:
                    throw t.error("clear", "with below = \(threshold) the alert clears at or above a higher value, found \(clear)")
                default: break
                }
            }
        case .stale, .anomaly:
            guard rule.metric != nil else { throw t.error("metric", "a \(rule.kind.rawValue) rule needs the metric it watches") }
            if rule.condition != nil { throw t.error("above", "a \(rule.kind.rawValue) rule takes no threshold") }
        case .hostDown, .sourceDown:
            if rule.metric != nil { throw t.error("metric", "a \(rule.kind.rawValue) rule watches no metric") }
            if rule.condition != nil { throw t.error("above", "a \(rule.kind.rawValue) rule takes no threshold") }
        }
        if rule.scope != .host, rule.kind != .threshold {
            throw t.error("scope", "only threshold rules look at summaries (scope = \(rule.scope.rawValue))")
        }
        if rule.clear != nil, rule.condition == nil { throw t.error("clear", "clear goes with above or below") }
    }

    /// Why a metric name or glob can never match a metric (nil when it can).
    static func globProblem(_ pattern: String) -> String? {
        let literal = pattern.filter { !"*?[]!".contains($0) }
        if pattern.isEmpty { return "must not be empty" }
        if literal.isEmpty { return nil }
        if let problem = MetricName.problem(with: literal) {
            return "\(pattern.debugDescription) can never match a metric name (\(problem))"
        }
        return nil
    }
}
