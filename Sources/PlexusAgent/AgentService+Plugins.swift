import Glibc
import Logging
import PlexusCollectors
import PlexusCore
import PlexusPlugins
import Synchronization

/// The agent's plugins (`docs/plugins.md`): one task a plugin runs it every interval and hands
/// the announcer what it made (`PluginBoard`); the announcer takes new metrics into the
/// schedule and sends them like its own.
extension AgentService {
    /// A runner for every `[[plugin]]`, and one for `[textfile]`.
    func pluginRunners() -> [PluginRunner] {
        config.plugins.map { PluginRunner(.plugin($0), configuration: config) }
            + (config.textfile.map { [PluginRunner(.textfile($0), configuration: config)] } ?? [])
    }

    /// Runs one plugin every interval, from the start of one run to the next (a run never
    /// overlaps the next: one longer than the interval delays it).
    func runPlugin(_ runner: PluginRunner) async throws {
        var runner = runner
        if case .plugin(let plugin) = runner.source, case .munin = plugin.kind {
            Self.makeDirectory(config.pluginEnvironment.stateDirectory)
        }
        while true {
            let started = Self.monotonic()
            let run = await runner.run(now: { Self.monotonic() })
            recordPlugin(runner.name, limits: runner.limits, run: run)
            try await Task.sleep(for: .seconds(max(0.1, Double(runner.limits.interval) - (Self.monotonic() - started))))
        }
    }

    /// Keeps one `[[module]]`'s Python host running: a collection every interval while it lives;
    /// when it fails (exits, raises in `metric_init`, a call that outlasts the timeout, a reply
    /// past `max_output_bytes`) the failure is counted and logged and a new host is started
    /// after a back-off: 1 s, doubling to the interval (at most 5 minutes), back to 1 s after a
    /// good collection.
    func runModule(_ module: AgentConfiguration.Module) async throws {
        let readings = Mutex(ModuleReadings(module, configuration: config))
        var backoff = 1.0
        while true {
            let collected = Mutex(false)
            let end = await ModuleSession.run(module, now: { Self.monotonic() }) { event in
                guard let reading = readings.withLock({ $0.take(event, now: Self.monotonic()) }) else { return }
                collected.withLock { $0 = true }
                self.recordPlugin(module.name, limits: module.limits, run: PluginRunner.Run(reading: reading))
            }
            guard let failure = end.failure else { return }
            recordPlugin(module.name, limits: module.limits, run: failure)
            // A good collection in this host's life starts the back-off over.
            if collected.withLock({ $0 }) { backoff = 1 }
            try await Task.sleep(for: .milliseconds(Int(backoff * 1000)))
            backoff = min(backoff * 2, Double(min(module.limits.interval, 300)))
        }
    }

    /// Files one run's outcome on the board and logs its failure or its output's problems
    /// (once a minute per plugin and kind).
    func recordPlugin(_ name: String, limits: AgentConfiguration.PluginLimits, run: PluginRunner.Run) {
        let clashes = plugins.record(plugin: name, reading: run.reading, timedOut: run.timedOut) { builtinDefinitions[$0] != nil }
        news.wake()
        if let failure = run.failure {
            peerLog.log(.warning, "plugin \(name) failed", detail: failure)
        } else if let reading = run.reading {
            var complaints = reading.problems
            if reading.dropped > 0 { complaints.append("\(reading.dropped) series past max_metrics (\(limits.maxMetrics)) left out") }
            if !clashes.isEmpty { complaints.append("metrics another plugin or the agent already has: \(clashes.prefix(5).joined(separator: ", "))") }
            if let first = complaints.first {
                peerLog.log(.notice, "plugin \(name): \(complaints.count) problem(s) in its output", detail: first)
            }
        }
    }

    /// Takes the plugins' news into the schedule: new metrics (into the group that names or
    /// matches them, else their plugin's own), vanished ones, changed metadata, finished runs.
    static func apply(_ changes: PluginBoard.Changes, to schedule: inout CollectionSchedule, intervals: [String: UInt32], now: Double) {
        var byPlugin: [String: [(name: String, title: String)]] = [:]
        for adopted in changes.adopted { byPlugin[adopted.plugin, default: []].append((adopted.name, adopted.title)) }
        for (plugin, metrics) in byPlugin {
            let interval = intervals[plugin] ?? 60
            let own = AgentConfiguration.CollectionGroup(collectEvery: interval, timeThreshold: interval, metrics: [])
            schedule.adopt(metrics, owner: plugin, own: own, now: now)
        }
        schedule.retire(changes.retired)
        for name in changes.changed { schedule.metadataRequested(name, now: now) }
        for plugin in changes.ran { schedule.due(owner: plugin, now: now) }
    }

    /// Creates `path` and its parents (0755), as munin-node does its plugin state directory;
    /// a failure is left for the plugins to report.
    static func makeDirectory(_ path: String) {
        var current = ""
        for component in path.split(separator: "/") {
            current += "/" + component
            _ = mkdir(current, 0o755)
        }
    }
}
