import PlexusCore

/// Each plugin's counters as metrics of the agent's own host, in the `plugins` group
/// (`docs/plugins.md`): `plugin_NAME_runs`, `_failures` and `_timeouts` (totals since the agent
/// started, slope positive: runs and failures per second on a graph, every new failure seen by
/// alert rules) and `_metrics` (what its last good run made). The textfile directory counts as
/// a plugin called `textfile`.
public struct PluginCountersCollector: Collector {
    public static let counters: [(suffix: String, units: String, what: String)] = [
        ("runs", "runs", "Runs of plugin %@ since the agent started"),
        ("failures", "runs", "Failed runs of plugin %@ (exit status, signal, timeout, output) since the agent started"),
        ("timeouts", "runs", "Runs of plugin %@ killed at its timeout since the agent started"),
    ]

    public let plugins: [String]
    /// Counter values by metric name, read at each collection.
    public let read: @Sendable () -> [String: Int]

    public init(plugins: [String], read: @escaping @Sendable () -> [String: Int]) {
        self.plugins = plugins
        self.read = read
    }

    public static func metricNames(_ plugin: String) -> [String] {
        counters.map { "plugin_\(plugin)_\($0.suffix)" } + ["plugin_\(plugin)_metrics"]
    }

    public var definitions: [MetricDefinition] {
        plugins.flatMap { plugin in
            Self.counters.map { counter in
                MetricDefinition(
                    "plugin_\(plugin)_\(counter.suffix)", .uint32, units: counter.units, slope: .positive, tmax: 120, format: "%u",
                    group: "plugins", description: counter.what.replacing("%@", with: plugin))
            }
                + [
                    MetricDefinition(
                        "plugin_\(plugin)_metrics", .uint32, units: "metrics", slope: .both, tmax: 120, format: "%u", group: "plugins",
                        description: "Metrics made by the last good run of plugin \(plugin)")
                ]
        }
    }

    /// Collected every 10 s, sent at a change (a failure at once) and at least every minute.
    public static func collectionGroup(_ plugins: [String]) -> AgentConfiguration.CollectionGroup {
        AgentConfiguration.CollectionGroup(
            collectEvery: 10, timeThreshold: 60,
            metrics: plugins.flatMap { metricNames($0) }.map { AgentConfiguration.MetricSelection(name: $0, valueThreshold: 1) })
    }

    public mutating func sample(_ proc: HostSystem, now: Double) throws(CollectorError) -> [String: MetricValue] {
        read().mapValues { .uint(UInt32(truncatingIfNeeded: $0)) }
    }
}
