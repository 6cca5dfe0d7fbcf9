import Foundation
import PlexusCore
import PlexusTestSupport
import Testing

/// Alerts end to end: a plexus-aggregator evaluating rules on what it polls, delivering to a
/// real Prometheus Alertmanager (Debian's `prometheus-alertmanager`, started here on a free
/// loopback port with its own storage), to a webhook receiver and to a command, across a
/// restart of the aggregator.
@Suite(.serialized) struct AlertProcessTests {
    static let alertmanager = "/usr/bin/prometheus-alertmanager"

    /// A host's line in the polled document: its load and how long it has been silent.
    struct HostState {
        var name: String
        var load: Double
        var silent: UInt32 = 0
    }

    /// The source the aggregator polls: a gmond-shaped document rewritten by the test.
    static func document(_ hosts: [HostState]) throws -> String {
        let now = Int64(Date().timeIntervalSince1970)
        let document = GangliaDocument(
            source: .gmond,
            items: [
                .cluster(
                    Cluster(
                        name: try ClusterName("web"), localtime: now,
                        hosts: try hosts.enumerated().map { i, host in
                            PlexusCore.Host(
                                name: try HostName(host.name), ip: "10.9.0.\(i + 1)", reported: now - Int64(host.silent), tn: host.silent, tmax: 20,
                                dmax: 0,
                                metrics: [
                                    Metric(name: try MetricName("load_one"), value: "\(host.load)", type: .float, tn: host.silent, tmax: 70)
                                ])
                        }))
            ])
        var bytes: [UInt8] = []
        GangliaXMLWriter(dialect: .gmond).write(document, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func alertsReachAlertmanagerTheWebhookAndTheCommandAndSurviveARestart() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.alertmanager), "scripts/test installs prometheus-alertmanager")
        let folder = try TemporaryFolder("plexus-alerts")
        // Alertmanager, routing everything to a receiver that notifies no one.
        let amPort = Loopback.freePort()
        let amConfig = try folder.write("alertmanager.yml", "route:\n  receiver: quiet\n  group_wait: 1s\nreceivers:\n  - name: quiet\n")
        let am = try LocalProcess(
            Self.alertmanager,
            [
                "--config.file=\(amConfig.path)", "--storage.path=\(folder.url.appendingPathComponent("am-data").path)",
                "--web.listen-address=127.0.0.1:\(amPort)", "--cluster.listen-address=",
            ], log: folder.url.appendingPathComponent("alertmanager.log"))
        defer { am.stop() }
        let amURL = "http://127.0.0.1:\(amPort)"
        try #require(await Loopback.eventually(seconds: 60) { await HTTP.get("\(amURL)/-/ready").status == 200 }, "Alertmanager:\n\(am.output)")
        // The webhook: every POST's body, one per line.
        let hook = try await WebhookReceiver(folder: folder)
        defer { hook.stop() }
        // The command: its standard input and environment, one line each per run.
        let commandLog = folder.url.appendingPathComponent("command.jsonl")
        let command = try folder.write(
            "page-someone",
            "#!/bin/sh\n{ cat; echo; } >> '\(commandLog.path)'\necho \"$PLEXUS_ALERT_STATUS $PLEXUS_ALERT_NAME $PLEXUS_ALERT_HOST\" >> '\(commandLog.path).env'\n"
        )
        chmod(command.path, 0o755)
        // The polled source.
        let source = try await FileReplyServer(
            folder: folder, name: "web", text: try Self.document([.init(name: "web-1", load: 1), .init(name: "web-2", load: 1)]))
        defer { source.stop() }
        let rules = """
            [alerting]
            alertmanager_url = "\(amURL)"
            webhook_url = "http://127.0.0.1:\(hook.port)/hook"
            command = "\(command.path)"
            evaluation_interval = 1
            resend_interval = 2
            dashboard_url = "http://dashboard.test:8080"

            [[alert]]
            name = "HighLoad"
            metric = "load_one"
            above = 4
            clear = 3
            severity = "page"
            summary = "load {{value}} on {{host}}"

            [[alert]]
            name = "HostDown"
            kind = "host_down"
            """
        var aggregator = try AggregatorProcess(
            folder: folder, name: "aggregator", gridname: "Prod", sources: AggregatorProcessTests.source("web", source.port), extra: rules,
            httpPort: Loopback.freePort())
        defer { aggregator.stop() }
        func amAlerts() async -> [[String: Any]] {
            let answer = await HTTP.get("\(amURL)/api/v2/alerts")
            return (try? JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [[String: Any]]) ?? []
        }
        func amAlert(_ name: String) async -> [String: Any]? {
            await amAlerts().first { ($0["labels"] as? [String: String])?["alertname"] == name }
        }
        func lines(_ url: URL) -> [String] {
            ((try? String(contentsOf: url, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
        func statuses(_ url: URL) -> [String] {
            lines(url).compactMap { line in (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["status"] as? String }
        }
        try #require(await Loopback.eventually(seconds: 60) { aggregator.grid() != nil }, "\(aggregator.output)")

        // web-1's load crosses 4: firing everywhere, with the labels and the link to its page.
        try source.serve(try Self.document([.init(name: "web-1", load: 9.5), .init(name: "web-2", load: 1)]))
        let fired = await Loopback.eventually(seconds: 60) {
            await amAlert("HighLoad") != nil && statuses(hook.log).count >= 1 && statuses(commandLog).count >= 1
        }
        let alertsIfNot = fired ? [] : await amAlerts()
        try #require(fired, "no HighLoad in Alertmanager:\n\(alertsIfNot)\n\(aggregator.output)")
        let high = try #require(await amAlert("HighLoad"))
        #expect(
            high["labels"] as? [String: String] == [
                "alertname": "HighLoad", "grid": "Prod", "cluster": "web", "host": "web-1", "metric": "load_one", "severity": "page",
            ])
        #expect(high["annotations"] as? [String: String] == ["summary": "load 9.5 on web-1", "value": "9.5"])
        #expect(high["generatorURL"] as? String == "http://dashboard.test:8080/cluster/web/host/web-1/metric/load_one")
        let startsAt = high["startsAt"] as? String
        #expect(statuses(hook.log) == ["firing"] && statuses(commandLog) == ["firing"])
        #expect(lines(URL(fileURLWithPath: commandLog.path + ".env")) == ["firing HighLoad web-1"])
        // The dashboard, the API, the CLI and /metrics show it; the events journal has it.
        let web = "http://127.0.0.1:\(aggregator.httpPort)"
        await #expect(HTTP.get("\(web)/").body.contains("HighLoad · web-1 load_one"))
        await #expect(HTTP.get("\(web)/tv").body.contains("id=\"alerts\""))
        await #expect(HTTP.get("\(web)/cluster/web/host/web-1").body.contains("id=\"host-alerts\""))
        await #expect(HTTP.get("\(web)/metrics").body.contains("plexus_alerts_firing 1"))
        let cli = try await runCommand(try Executable("plexus").url.path, ["alerts", "--server", web, "--json"])
        #expect(cli.status == 3 && cli.output.contains("\"state\" : \"firing\""), "\(cli)")
        await #expect(HTTP.get("\(web)/api/v1/events?tag=alert").body.contains("HighLoad firing: load 9.5 on web-1"))

        // web-2 stops reporting: HostDown.
        try source.serve(try Self.document([.init(name: "web-1", load: 9.5), .init(name: "web-2", load: 1, silent: 600)]))
        let hostDown = await Loopback.eventually(seconds: 60) { await amAlert("HostDown") != nil && statuses(hook.log).count >= 2 }
        let alertsIfNotDown = hostDown ? [] : await amAlerts()
        try #require(hostDown, "\(alertsIfNotDown)")
        await #expect((amAlert("HostDown")?["labels"] as? [String: String])?["host"] == "web-2")
        // Everything delivered, then a restart: neither re-announced nor lost.
        try #require(
            await Loopback.eventually(seconds: 60) {
                let deliveries = (aggregator.status()?["alerts"] as? [String: Any])?["deliveries"] as? [[String: Any]] ?? []
                return deliveries.count == 3 && deliveries.allSatisfy { $0["queued"] as? Int == 0 }
            })
        aggregator.stop()
        aggregator = try AggregatorProcess(restarting: aggregator, log: folder.url.appendingPathComponent("aggregator-2.log"))
        try #require(
            await Loopback.eventually(seconds: 60) { ((aggregator.status()?["alerts"] as? [String: Any])?["evaluations"] as? Int ?? 0) >= 3 },
            "\(aggregator.output)")
        #expect(statuses(hook.log) == ["firing", "firing"] && statuses(commandLog) == ["firing", "firing"])
        let (highAfter, downAfter) = (await amAlert("HighLoad"), await amAlert("HostDown"))
        #expect(highAfter?["startsAt"] as? String == startsAt && downAfter != nil)

        // Back to normal: both resolve, in Alertmanager and at the webhook and the command.
        try source.serve(try Self.document([.init(name: "web-1", load: 2), .init(name: "web-2", load: 1)]))
        let resolved = await Loopback.eventually(seconds: 60) {
            await amAlerts().isEmpty && statuses(hook.log).count == 4 && statuses(commandLog).count == 4
        }
        let alertsIfNotResolved = resolved ? [] : await amAlerts()
        try #require(resolved, "\(alertsIfNotResolved)\n\(lines(hook.log))\n\(aggregator.output)")
        #expect(statuses(hook.log).suffix(2) == ["resolved", "resolved"])
        await #expect(HTTP.get("\(web)/api/v1/events?tag=resolved").body.contains("HighLoad resolved"))
        #expect(try await runCommand(try Executable("plexus").url.path, ["alerts", "--server", web]).status == 0)
    }
}

extension AlertProcessTests {
    /// A series with a regular pattern and then a spike: RRDtool's Holt-Winters forecast (the
    /// FAILURES archive) flags it and the anomaly rule fires; an archive that was there without a
    /// forecast is given one, its data kept.
    @Test func aSpikeInARegularSeriesFiresAnAnomaly() async throws {
        let folder = try TemporaryFolder("plexus-anomaly")
        let root = folder.url.appendingPathComponent("aggregator-rrds")
        var forecast = HoltWinters()
        forecast.season = 10
        let now = Int64(Date().timeIntervalSince1970)
        // Forty seasons of a ten-second rhythm for web-1, with the forecast; web-2 without one.
        func history(_ host: String, forecast definitions: [String]) async throws -> URL {
            let file = root.appendingPathComponent("web/\(host)/load_one.rrd")
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            let start = now - 403
            let create = try await runCommand(
                RRDTool.path, ["create", file.path, "--step", "1", "--start", "\(start)", "DS:sum:GAUGE:8:U:U", "RRA:AVERAGE:0.5:1:2000"] + definitions)
            try #require(create.status == 0, "\(create.output)")
            let values = (1...400).map { i in "\(start + Int64(i)):\(10 + 5 * sin(2 * Double.pi * Double(i % 10) / 10))" }
            let update = try await runCommand(RRDTool.path, ["update", file.path] + values)
            try #require(update.status == 0, "\(update.output)")
            return file
        }
        _ = try await history("web-1", forecast: forecast.definitions(step: 1, after: 1))
        let plain = try await history("web-2", forecast: [])
        let plainUpdate = try #require(await RRDTool.lastUpdate(plain))
        // The source: web-1 jumps to 100, web-2 stays in its band.
        let source = try await FileReplyServer(
            folder: folder, name: "web", text: try Self.document([.init(name: "web-1", load: 100), .init(name: "web-2", load: 10)]))
        defer { source.stop() }
        let aggregator = try AggregatorProcess(
            folder: folder, name: "aggregator", gridname: "Prod", sources: AggregatorProcessTests.source("web", source.port),
            extra: "[alerting]\nevaluation_interval = 1\n\n[[alert]]\nname = \"OddLoad\"\nkind = \"anomaly\"\nmetric = \"load_one\"\nseason = 10\n",
            httpPort: Loopback.freePort(), root: root)
        defer { aggregator.stop() }
        let web = "http://127.0.0.1:\(aggregator.httpPort)"
        func firing() async -> [[String: Any]] {
            let answer = await (try? JSONSerialization.jsonObject(with: Data(HTTP.get("\(web)/api/v1/alerts").body.utf8))) as? [String: Any]
            return (answer?["alerts"] as? [[String: Any]] ?? []).filter { $0["state"] as? String == "firing" }
        }
        let fired = await Loopback.eventually(seconds: 60) { await !firing().isEmpty }
        try #require(fired, "no anomaly:\n\(aggregator.output)")
        let alert = try await #require(firing().first)
        #expect(alert["name"] as? String == "OddLoad")
        #expect((alert["labels"] as? [String: String])?["host"] == "web-1" && (alert["labels"] as? [String: String])?["metric"] == "load_one")
        // web-2's archive was given the forecast at start, its history kept.
        let info = try #require(await RRDTool.info(plain))
        #expect((0..<6).map { info["rra[\($0)].cf"] } == ["\"AVERAGE\"", "\"HWPREDICT\"", "\"SEASONAL\"", "\"DEVSEASONAL\"", "\"DEVPREDICT\"", "\"FAILURES\""])
        let fetched = try await runCommand(RRDTool.path, ["fetch", plain.path, "AVERAGE", "-s", "\(plainUpdate - 100)", "-e", "\(plainUpdate - 50)"])
        #expect(fetched.output.split(separator: "\n").filter { $0.contains(": ") && !$0.contains("nan") }.count >= 50, "\(fetched.output)")
        #expect(aggregator.output.contains("Holt-Winters forecasts added to existing archives"))
    }
}

/// An XML source (python3) answering each connection with a file's current document, its times
/// moved to now: the test rewrites it to change what the aggregator polls.
final class FileReplyServer: @unchecked Sendable {
    let process: LocalProcess
    let port: Int
    let file: URL

    init(folder: TemporaryFolder, name: String, text: String) async throws {
        port = Loopback.freePort()
        file = folder.url.appendingPathComponent("\(name).xml")
        try Data(text.utf8).write(to: file)
        // Times move on as a gmond's do: LOCALTIME becomes now, REPORTED keeps its distance to it.
        let script = """
            import re, socket, sys, time
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(('127.0.0.1', int(sys.argv[2]))); s.listen(16)
            while True:
                c, _ = s.accept()
                try:
                    data = open(sys.argv[1], 'rb').read()
                    base = int(re.search(rb'LOCALTIME="(\\d+)"', data).group(1))
                    shift = int(time.time()) - base
                    data = re.sub(rb'(LOCALTIME|REPORTED)="(\\d+)"', lambda m: m.group(1) + b'="%d"' % (int(m.group(2)) + shift), data)
                    c.sendall(data)
                except OSError: pass
                c.close()
            """
        process = try LocalProcess("/usr/bin/python3", ["-c", script, file.path, "\(port)"], log: folder.url.appendingPathComponent("\(name).log"))
        _ = await Loopback.eventually(seconds: 5) { Loopback.read(port: self.port) != nil }
    }

    /// Replaces what the next connection gets, whole (written beside, renamed).
    func serve(_ text: String) throws {
        let next = file.appendingPathExtension("new")
        try Data(text.utf8).write(to: next)
        _ = rename(next.path, file.path)
    }

    func stop() { process.stop(grace: 0) }
}

/// A webhook receiver (python3): appends each POST's body as a line to `log`, answers 200.
final class WebhookReceiver: @unchecked Sendable {
    let process: LocalProcess
    let port: Int
    let log: URL

    init(folder: TemporaryFolder) async throws {
        port = Loopback.freePort()
        log = folder.url.appendingPathComponent("webhook.jsonl")
        let script = """
            import http.server, sys
            class Hook(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
                    with open(sys.argv[1], 'ab') as f: f.write(body + b'\\n')
                    self.send_response(200); self.end_headers()
                def log_message(self, *args): pass
            http.server.HTTPServer(('127.0.0.1', int(sys.argv[2])), Hook).serve_forever()
            """
        process = try LocalProcess("/usr/bin/python3", ["-c", script, log.path, "\(port)"], log: folder.url.appendingPathComponent("webhook.log"))
        _ = await Loopback.eventually(seconds: 5) { Loopback.connect(port: self.port).map { close($0) } != nil }
    }

    func stop() { process.stop(grace: 0) }
}
