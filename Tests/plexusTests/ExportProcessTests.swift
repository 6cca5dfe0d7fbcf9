import Foundation
import PlexusCore
import PlexusTestSupport
import Testing

/// Exports end to end, to real receivers from Debian's packages started here on free loopback
/// ports: Graphite's carbon-cache (values read back from its whisper files with whisper-fetch)
/// and Prometheus with its remote-write receiver (read back with PromQL through its API).
@Suite struct ExportProcessTests {
    static func require() throws {
        try #require(FileManager.default.isExecutableFile(atPath: CarbonCache.path), "scripts/test installs graphite-carbon")
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/whisper-fetch"), "scripts/test installs python3-whisper")
        try #require(FileManager.default.isExecutableFile(atPath: PrometheusServer.path), "scripts/test installs prometheus")
    }

    /// A metric's value in the agent's own XML, once it has one.
    static func agentValue(_ agent: AgentProcess, _ host: String, _ metric: String) async -> Double? {
        var value: Double?
        _ = await Loopback.eventually(seconds: 30) {
            guard let bytes = Loopback.read(port: agent.port), case .cluster(let cluster)? = GangliaDocument.read(bytes).document?.items.first,
                let held = cluster.hosts.first(where: { $0.name.rawValue == host })
            else { return false }
            value = held.metrics.first { $0.name.rawValue == metric }?.numericValue
            return value != nil
        }
        return value
    }

    static func exports(_ aggregator: AggregatorProcess) -> [[String: Any]] {
        aggregator.status()?["exports"] as? [[String: Any]] ?? []
    }

    /// One aggregator, archives off, exporting two metrics to carbon (TCP, gmetad's default
    /// path under a prefix) and to Prometheus: host values, cluster and root summaries arrive
    /// named as docs/exports.md says, with the agent's values; other metrics stay home.
    @Test func hostValuesAndSummariesArriveNamedAsDocumented() async throws {
        let rig = try await ExportRig.start("plexus-export")
        defer { rig.stop() }
        let (folder, carbon, prometheus, agent) = (rig.folder, rig.carbon, rig.prometheus, rig.agent)
        let aggregator = try AggregatorProcess(
            folder: folder, name: "aggregator", gridname: "Ops",
            sources: AggregatorProcessTests.source("web", agent.port, step: 2) + """
                [[remote_write]]
                url = "\(prometheus.writeURL)"
                name = "prom"
                batch_send_deadline = 0.5
                [[remote_write]]
                url = "\(prometheus.writeURL.replacingOccurrences(of: "/api/v1/write", with: "/api/v1/nowhere"))"
                name = "wrong-path"
                batch_send_deadline = 0.5
                """,
            extra: """
                write_rrds = false
                carbon_server = "127.0.0.1"
                carbon_port = \(carbon.port)
                graphite_prefix = "plexus"
                export_metrics = ["cpu_num", "load_*"]
                """, httpPort: Loopback.freePort())
        defer { aggregator.stop() }
        try #require(await agent.serving(), "\(agent.process.output)")
        let cpus = try #require(await Self.agentValue(agent, "web-1", "cpu_num"), "\(agent.process.output)")

        // Graphite: gmetad's cluster.host.metric under the prefix; summaries as their RRD files.
        for (path, value) in [
            ("plexus.web.web-1.cpu_num", cpus), ("plexus.web.__SummaryInfo__.cpu_num.sum", cpus), ("plexus.web.__SummaryInfo__.cpu_num.num", 1),
            ("plexus.Ops.__SummaryInfo__.cpu_num.sum", cpus), ("plexus.Ops.__SummaryInfo__.cpu_num.num", 1),
        ] {
            var seen: [Double] = []
            let arrived = await Loopback.eventually(seconds: 60) {
                seen = Array(await carbon.values(path).values)
                return seen.contains(value)
            }
            #expect(arrived, "\(path): \(seen.sorted())\n\(aggregator.output)")
        }
        #expect(await Loopback.eventually(seconds: 30) { !(await carbon.values("plexus.web.web-1.load_one")).isEmpty })
        #expect(!FileManager.default.fileExists(atPath: carbon.file("plexus.web.web-1.mem_total").path), "export_metrics leaves mem_total out")

        // Prometheus: the labels and the values.
        var host: (labels: [String: String], value: Double)?
        #expect(
            await Loopback.eventually(seconds: 60) {
                host = await prometheus.series("cpu_num")
                return host != nil
            }, "\(aggregator.output)")
        #expect(host?.labels == ["__name__": "cpu_num", "cluster": "web", "grid": "Ops", "group": "cpu", "host": "web-1"])
        #expect(host?.value == cpus)
        let clusterCount = await prometheus.series("cpu_num_count{cluster=\"web\"}")
        let clusterSum = await prometheus.series("cpu_num_sum{cluster=\"web\"}")
        #expect(clusterSum?.labels == ["__name__": "cpu_num_sum", "cluster": "web", "grid": "Ops"] && clusterSum?.value == cpus)
        #expect(clusterCount?.value == 1)
        let root = await prometheus.series("cpu_num_count{cluster=\"\"}")
        #expect(root?.labels == ["__name__": "cpu_num_count", "grid": "Ops"] && root?.value == 1)
        let memory = await prometheus.query("mem_total")
        #expect(memory.isEmpty)

        // A receiver that refuses from the first batch on (Prometheus's 404 for a path it
        // doesn't serve): counted as refused and logged, while the others go on.
        var wrong: [String: Any]?
        let refused = await Loopback.eventually(seconds: 60) {
            wrong = Self.exports(aggregator).first { $0["name"] as? String == "wrong-path" }
            return (wrong?["refused"] as? Int ?? 0) > 0
        }
        #expect(refused && wrong?["sent"] as? Int == 0 && (wrong?["lastError"] as? String)?.hasPrefix("HTTP 404") == true, "\(String(describing: wrong))")
        #expect(aggregator.output.contains("export destination refused samples"), "\(aggregator.output)")

        // /status counts what went; nothing was dropped.
        let exports = Self.exports(aggregator).filter { $0["name"] as? String != "wrong-path" }
        #expect(exports.map { $0["kind"] as? String } == ["graphite", "remote_write"])
        for export in exports {
            #expect(export["up"] as? Bool == true && (export["sent"] as? Int ?? 0) > 0 && export["dropped"] as? Int == 0, "\(export)")
        }
        let metrics = await HTTP.get("http://127.0.0.1:\(aggregator.httpPort)/metrics").body
        #expect(metrics.contains("plexus_export_up{kind=\"graphite\",destination=\"carbon\"} 1"), "\(metrics)")
        #expect(metrics.contains("plexus_export_samples_total{kind=\"remote_write\",destination=\"prom\",fate=\"dropped\"} 0"))
    }

    /// carbon_protocol = "udp": datagrams of whole lines, with a graphite_path template.
    @Test func graphiteOverUDPWithATemplate() async throws {
        try Self.require()
        let folder = try TemporaryFolder("plexus-export-udp")
        let carbon = try CarbonCache(folder: folder)
        try await carbon.start()
        defer { carbon.stop() }
        let agent = try AgentProcess(folder: folder, name: "agent", cluster: "web farm", hostname: "Web-2.example.com")
        defer { agent.stop() }
        let aggregator = try AggregatorProcess(
            folder: folder, name: "aggregator", gridname: "Ops", sources: AggregatorProcessTests.source("web farm", agent.port, step: 2),
            extra: """
                write_rrds = false
                case_sensitive_hostnames = false
                carbon_server = "127.0.0.1"
                carbon_port = \(carbon.port)
                carbon_protocol = "udp"
                graphite_path = "ganglia.%s.hosts.%h.%m"
                """)
        defer { aggregator.stop() }
        try #require(await agent.serving(), "\(agent.process.output)")
        let cpus = try #require(await Self.agentValue(agent, "Web-2.example.com", "cpu_num"), "\(agent.process.output)")
        // The cluster's space and the host's dots become _, the host lower-cased.
        let path = "ganglia.web_farm.hosts.web-2_example_com.cpu_num"
        #expect(await Loopback.eventually(seconds: 60) { await carbon.values(path).values.contains(cpus) }, "\(aggregator.output)")
        #expect(await Loopback.eventually(seconds: 30) { !(await carbon.values("ganglia.web_farm.hosts.__SummaryInfo__.mem_total.num")).isEmpty })
    }
}
