import ArgumentParser
import Glibc
import PlexusAgent
import PlexusCore
import PlexusPlugins

/// `plexus-agent --test-plugin NAME --config FILE`: one plugin run as the agent would run it,
/// and what the agent makes of it, for operators writing or adopting plugins.
enum PluginTestRun {
    static func run(_ name: String, configuration: AgentConfiguration, file: String) async throws {
        if let module = configuration.modules.first(where: { $0.name == name }) {
            let run = await ModuleTest.run(module, configuration: configuration)
            print(render(run))
            if run.reading == nil { throw ExitCode(1) }
            return
        }
        let sources =
            configuration.plugins.map { PluginRunner.Source.plugin($0) } + (configuration.textfile.map { [PluginRunner.Source.textfile($0)] } ?? [])
        guard let source = sources.first(where: { PluginRunner($0, configuration: configuration).name == name }) else {
            let known = configuration.counterNames
            throw ValidationError(
                "\(file) has no plugin \(name.debugDescription)" + (known.isEmpty ? "" : " (it has \(known.joined(separator: ", ")))"))
        }
        var runner = PluginRunner(source, configuration: configuration)
        let clock = ContinuousClock()
        let start = clock.now
        let now: @Sendable () -> Double = {
            let elapsed = start.duration(to: ContinuousClock().now)
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
        var run = await runner.run(now: now)
        // A counter's rate needs a second reading.
        if let reading = run.reading, reading.metrics.contains(where: { $0.value == nil }) {
            print("# a counter needs two readings for its rate: running again in 2 s")
            try await Task.sleep(for: .seconds(2))
            run = await runner.run(now: now)
        }
        print(render(run))
        if run.reading == nil { throw ExitCode(1) }
    }

    /// The run as a table: one metric a line (name, value, type, units, slope, group, title,
    /// description), then the problems.
    static func render(_ run: PluginRunner.Run) -> String {
        guard let reading = run.reading else { return "# the run failed: \(run.failure ?? "no reason given")" }
        var lines = ["# NAME\tVALUE\tTYPE\tUNITS\tSLOPE\tGROUP\tTITLE\tDESC"]
        for metric in reading.metrics {
            let d = metric.definition
            let value = metric.value.map { ValueFormat.render($0, format: d.format) } ?? "(none)"
            lines.append(
                [d.name, value, d.type.rawValue, d.units.isEmpty ? "-" : d.units, d.slope.name, d.group, metric.title, d.description]
                    .joined(separator: "\t"))
        }
        lines.append(
            "# \(reading.metrics.count) metrics (TMAX \(reading.metrics.first?.definition.tmax ?? 0), DMAX \(reading.metrics.first?.definition.dmax ?? 0))")
        if reading.dropped > 0 { lines.append("# \(reading.dropped) series left out past max_metrics") }
        for problem in reading.problems { lines.append("# problem: \(problem)") }
        return lines.joined(separator: "\n")
    }
}
