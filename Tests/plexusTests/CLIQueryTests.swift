import Foundation
import PlexusTestSupport
import Testing

/// `plexus query` and the nightly `scripts/export-graphs` against a real aggregator polling a
/// real agent on loopback.
@Suite struct CLIQueryTests {
    static func plexus(_ arguments: [String]) async throws -> Executable.Result {
        try await CLIArchiveTests.plexus(arguments)
    }

    /// Whether `plexus ARGUMENTS` and the API at `url` (its `member`) give the same rows, within 20 tries.
    static func agreeing(_ arguments: [String], _ url: String, member: String?) async -> Bool {
        for _ in 0..<20 {
            let same =
                (try? await { () async throws -> Bool in
                    let cli = try rows(try await Executable("plexus").run(arguments).output)
                    let body = try JSONSerialization.jsonObject(with: Data(await HTTP.get(url).body.utf8))
                    let api = try rows(member.map { (body as? [String: Any])?[$0] ?? [] } ?? body)
                    return agree(cli, api)
                }()) ?? false
            if same { return true }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    /// Rows of JSON objects, a missing number and a null being the same (no value).
    static func rows(_ json: Any) throws -> [[String: Any]] {
        let value = json is Data ? try JSONSerialization.jsonObject(with: json as! Data) : json
        guard let rows = value as? [[String: Any]], !rows.isEmpty else { throw Failure("not rows: \(value)") }
        return rows.map { $0.filter { !($0.value is NSNull) } }
    }

    /// Same members, the same texts, numbers equal to 1e-9 (the CLI prints 12 significant digits).
    static func agree(_ a: [[String: Any]], _ b: [[String: Any]]) -> Bool {
        a.count == b.count
            && zip(a, b).allSatisfy { x, y in
                Set(x.keys) == Set(y.keys)
                    && x.keys.allSatisfy { key in
                        switch (x[key], y[key]) {
                        case (let p as NSNumber, let q as NSNumber): abs(p.doubleValue - q.doubleValue) <= 1e-9 * max(1, abs(p.doubleValue))
                        case (let p as String, let q as String): p == q
                        default: false
                        }
                    }
            }
    }

    @Test func queriesARealAggregatorAndExportsItsGraphsNightly() async throws {
        let folder = try TemporaryFolder("plexus-cli-query")
        let agent = try AgentProcess(
            folder: folder, name: "agent", cluster: "web", hostname: "web-1",
            metrics: [
                "load_one", "cpu_num", "proc_run", "cpu_user", "cpu_nice", "cpu_system", "cpu_wio", "cpu_idle", "mem_total", "mem_free",
                "mem_cached", "mem_buffers", "mem_shared", "bytes_in", "bytes_out",
            ])
        defer { agent.stop() }
        let token = "cli-test-token-0123456789"
        let aggregator = try AggregatorProcess(
            folder: folder, name: "aggregator", gridname: "Ops",
            sources: AggregatorProcessTests.source("web", agent.port), extra: "events_token = \"\(token)\"",
            httpPort: Loopback.freePort())
        defer { aggregator.stop() }
        try #require(
            await Loopback.eventually(seconds: 30) {
                ["load_one", "cpu_idle", "mem_free", "bytes_out"].allSatisfy { metric in
                    FileManager.default.fileExists(atPath: aggregator.root.appendingPathComponent("__SummaryInfo__/\(metric).rrd").path)
                }
            }, "the aggregator has the agent's host")
        let address = ["--aggregator", "127.0.0.1:\(aggregator.queryPort)"]

        // The grid summary: a table, and JSON with the counts and the key metrics.
        let table = try await Self.plexus(["query"] + address)
        #expect(table.status == 0 && table.stderr.isEmpty)
        #expect(table.stdout.hasPrefix("GRID Ops: 1 hosts, 1 up, 0 down, 1 cluster\nMETRIC"))
        #expect(table.stdout.contains("\ncpu_num ") && table.stdout.contains("\nload_one "))
        let summary = try #require(
            try JSONSerialization.jsonObject(with: try await Self.plexus(["query", "summary", "--json"] + address).output) as? [String: Any])
        #expect(summary["grid"] as? String == "Ops" && summary["hosts_up"] as? Int == 1 && summary["hosts_down"] as? Int == 0)
        let cpus = (summary["metrics"] as? [[String: Any]])?.first { $0["metric"] as? String == "cpu_num" }
        #expect(cpus?["sum"] as? Double == Double(ProcessInfo.processInfo.activeProcessorCount) && cpus?["hosts"] as? Int == 1)

        // Clusters, hosts with state and age, a host's metrics, one metric across hosts.
        let clusters = try await Self.plexus(["query", "clusters", "--csv"] + address)
        #expect(clusters.stdout.hasPrefix("cluster,grid,up,down,cpus,load_avg,cpu_used_percent,mem_total_kb,mem_free_kb,bytes_in,bytes_out\r\nweb,Ops,1,0,"))
        #expect(try await Self.plexus(["query", "clusters", "--names"] + address).stdout == "web\n")
        let hosts = try await Self.plexus(["query", "hosts", "web", "--json"] + address)
        let hostRows = try #require(try JSONSerialization.jsonObject(with: hosts.output) as? [[String: Any]])
        #expect(hostRows.count == 1 && hostRows[0]["host"] as? String == "web-1" && hostRows[0]["state"] as? String == "up")
        #expect((hostRows[0]["age_seconds"] as? Int).map { $0 < 60 } == true)
        // One definition of the rows: the CLI's JSON and the HTTP API's agree, member for member
        // (asked again while a poll falls between the two answers).
        let base = "http://127.0.0.1:\(aggregator.httpPort)/api/v1"
        #expect(
            await Self.agreeing(["query", "hosts", "web", "--json"] + address, base + "/clusters/web", member: "hosts"),
            "plexus query hosts --json and /api/v1/clusters/web list the same host rows")
        #expect(
            await Self.agreeing(["query", "clusters", "--json"] + address, base + "/clusters", member: nil),
            "plexus query clusters --json and /api/v1/clusters list the same cluster rows")

        let metrics = try await Self.plexus(["query", "host", "web-1", "--filter", "load_*"] + address)
        #expect(metrics.status == 0 && metrics.stdout.hasPrefix("METRIC    VALUE  UNITS  AGE(s)  GROUP  TITLE\nload_one"))
        #expect(metrics.stdout.split(separator: "\n").count == 2, "the filter keeps only load_one: \(metrics.stdout)")
        let top = try await Self.plexus(["query", "metric", "cpu_num", "--top", "1", "--csv"] + address)
        #expect(top.stdout.hasPrefix("cluster,host,state,value,units,age_seconds\r\nweb,web-1,up,\(ProcessInfo.processInfo.activeProcessorCount),CPUs,"))

        // Bad input and an aggregator that isn't there: one line, exit 1 or 2.
        let closed = Loopback.freePort()
        for (arguments, status, message) in [
            (["query", "hosts", "db"] + address, 1, "unknown cluster \"db\" (the aggregator has: web)"),
            (["query", "host", "web-9"] + address, 1, "unknown host \"web-9\""),
            (["query", "host", "web-1", "--cluster", "db"] + address, 1, "unknown cluster \"db\""),
            (["query", "metric", "no_such_metric"] + address, 1, "no host reports a metric named \"no_such_metric\""),
            (["query", "metric", "load_one", "--top", "0"] + address, 1, "--top must be at least 1"),
            (["query", "--aggregator", "127.0.0.1:\(closed)"], 2, "cannot read the aggregator at 127.0.0.1:\(closed)"),
            (["query", "hosts", "--aggregator", "not a host:x"], 1, "expected HOST[:PORT]"),
        ] as [([String], Int32, String)] {
            let result = try await Self.plexus(arguments)
            #expect(result.status == status && result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(result.output.isEmpty && result.stderr.split(separator: "\n").count == 1)
        }

        // Through the aggregator's HTTP API (--server), from a machine without the RRD root.
        let server = ["--server", "http://127.0.0.1:\(aggregator.httpPort)"]
        let image = folder.url.appendingPathComponent("remote.png").path
        let remote = try await Self.plexus(["graph", "--report", "load", "--cluster", "web", "--start", "-5m", "-q", "-o", image] + server)
        #expect(remote.status == 0, "\(remote.stderr)")
        #expect(try PNGImage([UInt8](Data(contentsOf: URL(fileURLWithPath: image)))).colorCount > 10)
        let series = try await Self.plexus(["export", "--metric", "load_one", "--host", "web-1", "--start", "-2m"] + server)
        #expect(series.status == 0 && series.stdout.hasPrefix("time,load_one\r\n"), "\(series.stderr)")
        let environment = ["PLEXUS_EVENTS_TOKEN": token]
        let executable = try Executable("plexus")
        let added = try await executable.run(["events", "add", "--tag", "deploy", "--json", "v2 via the API"] + server, environment: environment)
        #expect(added.status == 0 && added.stdout.contains("\"text\":\"v2 via the API\""), "\(added.stderr)")
        let listed = try await Self.plexus(["events", "list", "--csv"] + server)
        #expect(listed.stdout.contains(",deploy,,,v2 via the API\r\n"), "\(listed.stdout)")
        // The journal beside the aggregator's RRD root is the same one plexus events reads there.
        #expect(try await Self.plexus(["events", "list", "--rrd-root", aggregator.root.path, "--csv"]).stdout.contains("v2 via the API"))
        let removed = try await executable.run(["events", "remove", "1"] + server, environment: environment)
        #expect(removed.status == 0 && removed.stderr == "plexus: removed event 1: v2 via the API\n")
        for (arguments, status, message) in [
            (["events", "add", "x"] + server, 1, "needs the aggregator's events_token"),
            (["events", "add", "--token", "wrong-token-wrong-token", "x"] + server, 1, "a valid \"Authorization: Bearer <events_token>\" header is needed"),
            (["graph", "--report", "cpu", "--host", "web-9", "-o", image] + server, 1, "unknown host \"web-9\""),
            (["graph", "--report", "cpu", "-o", image, "--server", "http://127.0.0.1:\(closed)"], 2, "cannot reach http://127.0.0.1:\(closed)"),
            (["export", "--metric", "load_one", "--server", "ftp://x"], 1, "expected http://HOST:PORT"),
            // Times the server would refuse are refused here, in the local archive's words.
            (["graph", "--report", "cpu", "--cluster", "web", "--start", "1970-01-02", "-o", image] + server, 1, "--start (86400) is before 2000-01-01"),
            (["graph", "--report", "cpu", "--cluster", "web", "--end", "+5000d", "-o", image] + server, 1, "--end"),
            // A name promising another format than the bytes it would hold.
            (["graph", "--report", "cpu", "--cluster", "web", "-o", "x.gif"] + server, 1, "draws PNG or SVG, not GIF"),
        ] as [([String], Int32, String)] {
            let result = try await Self.plexus(arguments)
            #expect(result.status == status && result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1)
        }

        // The nightly job: silent without a terminal, a dated folder with every report and an index.
        let plexus = try Executable("plexus").url.path
        let out = folder.url.appendingPathComponent("graphs")
        let script = Executable(url: AgentProcessTests.repositoryRoot.appendingPathComponent("scripts/export-graphs"))
        let arguments = ["--out", out.path, "--rrd-root", aggregator.root.path, "--range", "hour", "--aggregator", "127.0.0.1:\(aggregator.queryPort)"]
        let nightly = try await script.run(arguments, environment: ["PLEXUS": plexus])
        #expect(nightly.status == 0 && nightly.output.isEmpty && nightly.stderr.isEmpty, "\(nightly.stderr)")
        let day = try #require(try FileManager.default.contentsOfDirectory(atPath: out.path).first)
        #expect(day.range(of: #"^\d{4}-\d{2}-\d{2}$"#, options: .regularExpression) != nil)
        let files = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent(day).path).sorted()
        #expect(
            files == [
                "_grid-cpu.png", "_grid-load.png", "_grid-mem.png", "_grid-network.png", "index.html",
                "web-cpu.png", "web-load.png", "web-mem.png", "web-network.png",
            ])
        for file in files where file.hasSuffix(".png") {
            let image = try PNGImage([UInt8](Data(contentsOf: out.appendingPathComponent(day).appendingPathComponent(file))))
            #expect(image.width > 480 && image.colorCount > 10, "\(file)")
        }
        let index = try String(contentsOf: out.appendingPathComponent(day).appendingPathComponent("index.html"), encoding: .utf8)
        #expect(index.contains("<h2>web</h2>") && index.contains("<img src=\"web-cpu.png\"") && index.hasSuffix("</body></html>\n"))
        // On a terminal: a progress line (run under script(1), which gives it a pseudo-terminal).
        let command = "PLEXUS='\(plexus)' " + ([script.url.path] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let tty = try await Executable(url: URL(fileURLWithPath: "/usr/bin/script")).run(["-qec", command, "/dev/null"])
        #expect(tty.status == 0 && tty.stdout.contains("[10/10] web probes"), "\(tty.stdout.debugDescription)")
        // An aggregator that can't be reached fails the job with plexus's code and one line.
        let down = try await script.run(["--out", out.path, "--aggregator", "127.0.0.1:\(closed)"], environment: ["PLEXUS": plexus])
        #expect(down.status == 2 && down.stderr.contains("cannot read the aggregator") && down.stderr.split(separator: "\n").count == 1)
    }
}
