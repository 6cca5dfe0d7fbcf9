import Foundation
import PlexusCore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// plexus-agent running real plugins from Debian's packages (munin-plugins-core's load, cpu,
/// forks, memory, uptime; prometheus-node-exporter-collectors' directory-size.sh), a textfile
/// directory, and commands that misbehave: their metrics in the agent's XML with the plugins'
/// own types, units, groups and titles, counters as rates, and every limit holding.
@Suite(.enabled(if: PluginPackages.enabled, "munin-plugins-core or prometheus-node-exporter-collectors missing (scripts/test installs them)"))
struct PluginProcessTests {
    /// The agent's own host's metrics, by name, once `ready` holds for them (nil after `seconds`).
    static func metrics(xmlPort: Int, seconds: Double, until ready: ([String: Metric]) -> Bool) async -> [String: Metric]? {
        var latest: [String: Metric] = [:]
        let done = await Loopback.eventually(seconds: seconds) {
            guard let bytes = Loopback.read(port: xmlPort, timeout: 30), case .cluster(let cluster)? = GangliaDocument.read(bytes).document?.items.first,
                let host = cluster.hosts.first
            else { return false }
            latest = Dictionary(host.metrics.map { ($0.name.rawValue, $0) }, uniquingKeysWith: { a, _ in a })
            return ready(latest)
        }
        return done ? latest : nil
    }

    static func extra(_ metric: Metric?, _ name: String) -> String? {
        metric?.extraData.first { $0.name == name }?.value
    }

    @Test func realMuninPluginsAndANodeExporterCollectorBecomeMetrics() async throws {
        let folder = try TemporaryFolder("plexus-plugins")
        let textfiles = folder.url.appendingPathComponent("textfile")
        try FileManager.default.createDirectory(at: textfiles, withIntermediateDirectories: true)
        try
            "# HELP backup_last_success_timestamp_seconds When the last backup ended.\n# TYPE backup_last_success_timestamp_seconds gauge\nbackup_last_success_timestamp_seconds{job=\"db\"} 1796280000\n"
            .write(to: textfiles.appendingPathComponent("backup.prom"), atomically: true, encoding: .utf8)
        let xml = Loopback.freePort()
        var body = ""
        for plugin in ["load", "cpu", "forks", "memory", "uptime"] {
            // Runs every 2 s, with a timeout no loaded machine reaches.
            body += "[[plugin]]\nname = \"\(plugin)\"\nmunin = \"/usr/share/munin/plugins/\(plugin)\"\ninterval = 2\ntimeout = 60\n"
        }
        body += """
            [[plugin]]
            name = "dirsize"
            command = ["/usr/share/prometheus-node-exporter-collectors/directory-size.sh", "\(textfiles.path)"]
            interval = 2
            timeout = 60
            [textfile]
            directory = "\(textfiles.path)"
            interval = 2
            """
        let config = try folder.write(
            "agent.toml", Loopback.agentConfig(xml: xml, "[globals]\nplugin_state_dir = \"\(folder.url.appendingPathComponent("state").path)\"\n" + body))
        let agent = try LocalProcess(try Executable("plexus-agent").url.path, ["-c", config.path], log: folder.url.appendingPathComponent("agent.log"))
        defer { agent.stop() }
        // DERIVE fields need two runs for a rate: wait until they have one, and until every
        // plugin's counters are announced (they follow the plugin's first run on their own schedule).
        let plugins = ["load", "cpu", "forks", "memory", "uptime", "dirsize", "textfile"]
        let counters = plugins.flatMap { ["plugin_\($0)_runs", "plugin_\($0)_failures"] } + ["plugin_cpu_metrics"]
        let metrics = await Self.metrics(xmlPort: xml, seconds: 90) { m in
            (["load.load", "cpu.user", "cpu.idle", "forks.forks", "memory.apps", "uptime.uptime", "backup_last_success_timestamp_seconds.db"] + counters)
                .allSatisfy { m[$0] != nil } && m.keys.contains { $0.hasPrefix("node_directory_size_bytes.") }
        }
        let m = try #require(metrics, "\(agent.output)")
        let load = m["load.load"]
        #expect(load?.type == .double && load?.units == "load" && load?.slope == .both)
        #expect(Self.extra(load, "GROUP") == "system" && Self.extra(load, "TITLE") == "Load average: load")
        #expect(Self.extra(load, "DESC") == "5 minute load average")
        #expect(Double(load?.value ?? "") != nil)
        // DERIVE: CPU time in jiffies per second (a percentage of one CPU, as Munin draws it),
        // never the raw counter (millions of jiffies since boot).
        let cpus = Double(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        for field in ["cpu.user", "cpu.system", "cpu.idle"] {
            let value = try #require(Double(m[field]?.value ?? ""), "\(field): \(String(describing: m[field]))")
            #expect(value >= 0 && value <= 100 * cpus * 1.5, "\(field) = \(value)")
            #expect(m[field]?.units == "%" && Self.extra(m[field], "GROUP") == "system")
        }
        let forks = try #require(Double(m["forks.forks"]?.value ?? ""))
        #expect(forks >= 0 && forks < 100_000)
        #expect(m["forks.forks"]?.units == "forks / second" && Self.extra(m["forks.forks"], "GROUP") == "processes")
        #expect(Self.extra(m["forks.forks"], "TITLE") == "Fork rate: forks")
        #expect((Double(m["memory.apps"]?.value ?? "") ?? 0) > 0 && m["memory.apps"]?.units == "Bytes")
        #expect((Double(m["uptime.uptime"]?.value ?? "") ?? 0) > 0 && m["uptime.uptime"]?.units == "uptime in days")
        // The Prometheus collector: its one series, its label folded into the name.
        let size = m.first { $0.key.hasPrefix("node_directory_size_bytes.") }?.value
        #expect((Double(size?.value ?? "") ?? 0) > 0 && size?.units == "bytes" && Self.extra(size, "GROUP") == "dirsize")
        #expect(Self.extra(size, "DESC") == "Disk space used by some directories")
        let backup = m["backup_last_success_timestamp_seconds.db"]
        #expect(backup?.value == "1796280000" && Self.extra(backup, "GROUP") == "textfile")
        #expect(Self.extra(backup, "TITLE") == "backup_last_success_timestamp_seconds{job=\"db\"}")
        // Counters of the runs: none failed.
        for plugin in plugins {
            #expect(m["plugin_\(plugin)_failures"]?.value == "0", "\(plugin): \(agent.output.suffix(2000))")
            #expect((Int(m["plugin_\(plugin)_runs"]?.value ?? "") ?? 0) >= 1)
        }
        #expect(m["plugin_cpu_metrics"].map { Int($0.value) ?? 0 } ?? 0 >= 8)

        // An aggregator polling the agent archives plugins' metrics and sums them like any other:
        // the host's files, and the cluster summary's.
        let aggregator = try AggregatorProcess(
            folder: folder, name: "aggregator", gridname: "plugins", sources: "[[data_source]]\nname = \"plugged\"\nstep = 2\nhosts = [\"127.0.0.1:\(xml)\"]")
        defer { aggregator.process.stop() }
        // Files go by the cluster's name in the agent's XML (the default, "unspecified").
        let cluster = aggregator.root.appendingPathComponent("unspecified")
        func archived(_ metric: String) async -> Bool {
            let hosts = (try? FileManager.default.contentsOfDirectory(atPath: cluster.path)) ?? []
            for host in hosts where host != "__SummaryInfo__" {
                if (await RRDTool.lastUpdate(cluster.appendingPathComponent("\(host)/\(metric).rrd")) ?? 0) > 0 { return true }
            }
            return false
        }
        let summary = cluster.appendingPathComponent("__SummaryInfo__/load.load.rrd")
        #expect(
            await Loopback.eventually(seconds: 60) {
                for metric in ["load.load", "forks.forks", "memory.apps"] where !(await archived(metric)) { return false }
                return (await RRDTool.lastUpdate(summary) ?? 0) > 0
            }, "\(aggregator.process.output.suffix(2000))")
    }

    @Test func pluginsThatFloodHangOrPrintGarbageCostOnlyThemselves() async throws {
        let folder = try TemporaryFolder("plexus-plugins-bad")
        let xml = Loopback.freePort()
        // A unique sleep length marks the processes the hanging plugin starts, children included.
        let marker = "\(Int.random(in: 100_000...999_999))"
        let body = """
            [[plugin]]
            name = "flood"
            command = ["python3", "-c", "for i in range(10000): print(f'series_{i} {i}')"]
            interval = 2
            timeout = 60
            [[plugin]]
            name = "hang"
            command = ["/bin/sh", "-c", "sleep \(marker) & sleep \(marker)"]
            interval = 2
            timeout = 1
            [[plugin]]
            name = "endless"
            command = ["yes", "endless_output 1"]
            interval = 2
            timeout = 60
            max_output_bytes = 65536
            [[plugin]]
            name = "garbage"
            command = ["printf", "%s\\\\n", "good_one 1", "this is not { prometheus", "good_two 2"]
            interval = 2
            timeout = 60
            [[plugin]]
            name = "complains"
            command = ["/bin/sh", "-c", "echo 'cannot open /var/run/app.sock' >&2; exit 3"]
            interval = 2
            timeout = 60
            [[plugin]]
            name = "lingers"
            command = ["/bin/sh", "-c", "exec >&- 2>&-; sleep \(marker)"]
            interval = 2
            timeout = 1
            [[plugin]]
            name = "missing"
            command = ["/nonexistent/plugin"]
            interval = 2
            timeout = 60
            """
        let config = try folder.write("agent.toml", Loopback.agentConfig(xml: xml, body))
        let agent = try LocalProcess(try Executable("plexus-agent").url.path, ["-c", config.path], log: folder.url.appendingPathComponent("agent.log"))
        defer { agent.stop() }
        let metrics = await Self.metrics(xmlPort: xml, seconds: 90) { m in
            (Int(m["plugin_hang_timeouts"]?.value ?? "") ?? 0) >= 2 && (Int(m["plugin_endless_failures"]?.value ?? "") ?? 0) >= 1
                && (Int(m["plugin_missing_failures"]?.value ?? "") ?? 0) >= 1 && (Int(m["plugin_lingers_timeouts"]?.value ?? "") ?? 0) >= 1
                && (Int(m["plugin_complains_failures"]?.value ?? "") ?? 0) >= 1 && m["plugin_flood_metrics"]?.value == "500" && m["good_two"] != nil
        }
        let m = try #require(metrics, "\(agent.output.suffix(3000))")
        // The flood: 500 metrics kept (the default max_metrics), the others counted and logged.
        #expect(m.keys.filter { $0.hasPrefix("series_") }.count == 500)
        #expect(m["series_0"]?.value == "0" && m["series_499"] != nil && m["series_500"] == nil)
        #expect(agent.output.contains("9500 series past max_metrics (500) left out"))
        // Garbage: the bad line reported with its number, the good ones kept.
        #expect(m["good_one"]?.value == "1" && m["good_two"]?.value == "2")
        #expect(agent.output.contains("plugin garbage: 1 problem(s) in its output") && agent.output.contains("line 2:"))
        #expect(agent.output.contains("still running after 1.0 s: killed"))
        #expect(agent.output.contains("printed more than max_output_bytes (65536): killed"))
        #expect(agent.output.contains("could not start /nonexistent/plugin"))
        // What a failing plugin said on its standard error is in the log.
        #expect(agent.output.contains("exited with status 3: cannot open /var/run/app.sock"))
        // The hanging plugin's processes, its children too, were killed at each timeout, and so
        // was the one that closed its output but lingers: at most the current run of each is alive (hang: its shell and two sleeps; lingers: its shell and
        // a sleep), never the runs before, although each hung run left children.
        #expect(Self.processes(containing: marker).count <= 5, "\(Self.processes(containing: marker))")
        // The agent's own metrics went on all along.
        #expect(m["load_one"] != nil && m["mem_total"] != nil)
        agent.stop()
        #expect(await Loopback.eventually(seconds: 10) { Self.processes(containing: marker).isEmpty }, "\(Self.processes(containing: marker))")
    }

    /// PIDs of the processes whose command line contains `text`.
    static func processes(containing text: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> Int32? in
            guard let pid = Int32(entry), let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return nil }
            let line = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            return line.contains("sleep \(text)") ? pid : nil
        }
    }
}

/// Debian's plugin packages, installed by scripts/test (which sets PLEXUS_REQUIRE_PLUGINS=1:
/// there a missing package is a failure, not a skip).
enum PluginPackages {
    static var installed: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/share/munin/plugins/load")
            && FileManager.default.isExecutableFile(atPath: "/usr/share/prometheus-node-exporter-collectors/directory-size.sh")
    }
    static var enabled: Bool { installed || ProcessInfo.processInfo.environment["PLEXUS_REQUIRE_PLUGINS"] == "1" }
}
