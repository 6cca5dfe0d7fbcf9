import PlexusCore

extension AgentConfiguration {
    /// Every metric this agent can send, the collectors' and the probes', by name.
    public var metricDefinitions: [String: MetricDefinition] {
        var extra: [any Collector] = [ProbeCollector(probes: probes, board: ProbeBoard())]
        if security.isEnabled { extra.append(SecurityCollector(read: { [:] })) }
        if !counterNames.isEmpty { extra.append(PluginCountersCollector(plugins: counterNames, read: { [:] })) }
        return CollectorSet.standard(startTime: 0, location: location, extra: extra).definitions
    }

    /// The names plugins' counters go by: every `[[plugin]]`'s, and `textfile` for `[textfile]`.
    public var counterNames: [String] {
        plugins.map(\.name) + modules.map(\.name) + (textfile == nil ? [] : ["textfile"])
    }

    /// Whether a plugin could make a metric called `name` (which can't be known before it runs):
    /// a Munin plugin's fields have a dot (`load.load`); a command or textfile may print anything.
    func pluginMayMake(_ name: String) -> Bool {
        textfile != nil || !modules.isEmpty
            || plugins.contains { plugin in
                if case .munin = plugin.kind { return name.contains(".") }
                return true
            }
    }

    /// What the parser alone can't know: every metric a `collection_group` names is one this
    /// agent provides (gmond logs an unknown one and sends nothing for it: a typo such as
    /// `load_onee` would go unnoticed for months). `--check` and start-up both ask.
    public func checkMetrics(file: String) throws(ConfigError) {
        let known = Set(metricDefinitions.keys)
        for (g, group) in collectionGroups.enumerated() {
            for (m, metric) in group.metrics.enumerated() where !known.contains(metric.name) && !pluginMayMake(metric.name) {
                let near = known.map { ($0, Self.distance($0, metric.name)) }.filter { $0.1 <= 2 }.min { ($0.1, $0.0) < ($1.1, $1.0) }
                throw ConfigError(
                    file: file, key: "collection_group[\(g)].metric[\(m)].name",
                    reason: "no metric \(metric.name.debugDescription) here" + (near.map { " (did you mean \($0.0.debugDescription)?)" } ?? "")
                        + "; `plexus-agent --list-metrics` lists the \(known.count) there are")
            }
        }
    }

    /// Edits (insert, delete, replace) from `a` to `b`.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        // previous[j]: edits from the first i-1 bytes of `a` to the first j of `b`.
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}
