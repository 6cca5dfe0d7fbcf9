import PlexusCollectors
import PlexusCore
import PlexusPlugins
import Synchronization

/// A plugin's counters, in the agent's own metrics (`plugin_NAME_runs` ...) and its log.
public struct PluginCounts: Sendable, Equatable {
    /// Runs finished, whatever their outcome.
    public var runs = 0
    /// Runs that failed: non-zero exit, killed, too much output, not started, nothing readable.
    public var failures = 0
    /// Runs killed at the timeout (counted in failures too).
    public var timeouts = 0
    /// Metrics the last successful run made.
    public var metrics = 0
    /// Series left out past `max_metrics`, last run.
    public var dropped = 0

    public init() {}
}

/// What the plugins' tasks hand the announcer: each plugin's latest metrics and counters, and
/// what changed since the announcer last looked (new and vanished names, finished runs).
/// A plugin's task never waits on the announcer, nor the announcer on a plugin.
final class PluginBoard: Sendable {
    struct Changes {
        /// New metrics, with their plugin and title.
        var adopted: [(plugin: String, name: String, title: String)] = []
        /// Metrics no longer in their plugin's output.
        var retired: Set<String> = []
        /// Metrics whose metadata changed (a Munin plugin's new config).
        var changed: Set<String> = []
        /// Plugins that finished a run since.
        var ran: Set<String> = []
    }

    private struct State {
        /// Latest value and definition of every plugin metric, by name.
        var metrics: [String: PluginMetric] = [:]
        /// The metric names each plugin holds.
        var owned: [String: Set<String>] = [:]
        var counts: [String: PluginCounts] = [:]
        var changes = Changes()
    }

    private let state = Mutex(State())

    /// A finished run: `reading` nil when it failed (its metrics then have no value until the next
    /// good run, and are kept). A name another plugin (or a built-in metric, `taken`) already has
    /// stays with its first owner and is reported in the result.
    func record(plugin: String, reading: PluginReading?, timedOut: Bool, taken: (String) -> Bool) -> [String] {
        state.withLock { s in
            var counts = s.counts[plugin] ?? PluginCounts()
            counts.runs += 1
            s.changes.ran.insert(plugin)
            let owned = s.owned[plugin] ?? []
            guard let reading else {
                counts.failures += 1
                if timedOut { counts.timeouts += 1 }
                for name in owned { s.metrics[name]?.value = nil }
                s.counts[plugin] = counts
                return []
            }
            var kept: Set<String> = []
            var clashes: [String] = []
            for metric in reading.metrics {
                let name = metric.definition.name
                if !owned.contains(name) {
                    guard !taken(name), s.metrics[name] == nil else {
                        clashes.append(name)
                        continue
                    }
                    s.changes.adopted.append((plugin, name, metric.title))
                } else if let old = s.metrics[name], old.definition != metric.definition || old.title != metric.title {
                    s.changes.changed.insert(name)
                }
                kept.insert(name)
                s.metrics[name] = metric
            }
            for name in owned.subtracting(kept) {
                s.metrics[name] = nil
                s.changes.retired.insert(name)
            }
            s.owned[plugin] = kept
            counts.metrics = kept.count
            counts.dropped = reading.dropped
            s.counts[plugin] = counts
            return clashes
        }
    }

    func takeChanges() -> Changes {
        state.withLock { s in
            defer { s.changes = Changes() }
            return s.changes
        }
    }

    func value(_ name: String) -> MetricValue? { state.withLock { $0.metrics[name]?.value } }

    func definition(_ name: String) -> MetricDefinition? { state.withLock { $0.metrics[name]?.definition } }

    /// Every plugin's counters as the values of `PluginCountersCollector`'s metrics.
    func counterMetricValues() -> [String: Int] {
        state.withLock { s in
            var values: [String: Int] = [:]
            for (plugin, counts) in s.counts {
                values["plugin_\(plugin)_runs"] = counts.runs
                values["plugin_\(plugin)_failures"] = counts.failures
                values["plugin_\(plugin)_timeouts"] = counts.timeouts
                values["plugin_\(plugin)_metrics"] = counts.metrics
            }
            return values
        }
    }
}
