import CompressNIO
import Foundation
import NIOCore
import PlexusCore
import PlexusTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Both daemons held against what a hostile peer sends them, as real processes on loopback:
/// each test reproduces an attack that once crashed or exhausted a daemon (issue 13).
@Suite(.serialized)
struct HostilePeerTests {
    static func int(_ value: Any?) -> Int { AggregatorProcessTests.int(value) }
    static func source(_ name: String, _ port: Int, step: Int = 1) -> String { AggregatorProcessTests.source(name, port, step: step) }

    /// ~3,000 nested GRIDs (150 KB) from a data source once killed the aggregator (SIGSEGV).
    @Test func aSourceOfNestedGridsCostsOnlyItself() async throws {
        let folder = try TemporaryFolder("plexus-nested")
        let agent = try AgentProcess(folder: folder, name: "agent", cluster: "good", hostname: "good-1")
        defer { agent.stop() }
        let levels = 20_000
        let nested =
            "<GANGLIA_XML VERSION=\"3.7.2\" SOURCE=\"gmetad\">"
            + String(repeating: "<GRID NAME=\"g\" AUTHORITY=\"http://x/\" LOCALTIME=\"1\">", count: levels)
            + String(repeating: "</GRID>", count: levels) + "</GANGLIA_XML>"
        let hostile = try await FixedReplyServer(folder: folder, name: "nested", reply: Array(nested.utf8))
        defer { hostile.stop() }
        let aggregator = try AggregatorProcess(
            folder: folder, name: "aggregator", gridname: "G",
            sources: Self.source("good", agent.port) + Self.source("nested", hostile.port))
        defer { aggregator.stop() }
        try #require(await Loopback.eventually(seconds: 30) { Self.int(aggregator.source("nested")?["pollsOK"]) >= 3 }, "\(aggregator.output)")
        #expect(aggregator.process.isRunning)
        let nestedStatus = try #require(aggregator.source("nested"))
        #expect(Self.int(nestedStatus["malformed"]) >= 3, "\(nestedStatus)")
        #expect(await Loopback.eventually(seconds: 20) { aggregator.rootSummary()?.hosts.up == 1 }, "the good source is still summarized")
        // Its whole XML, nested grids and all, is still served and still reads back.
        let dump = try #require(Loopback.read(port: aggregator.xmlPort))
        #expect(GangliaDocument.read(dump).report.fatal == nil)
    }

    /// 300 MiB of gzip-compressed spaces (300 KB on the wire) once inflated without a limit.
    @Test func aGzipBombIsRefusedAtTheDocumentCap() async throws {
        let folder = try TemporaryFolder("plexus-gzipbomb")
        let agent = try AgentProcess(folder: folder, name: "agent", cluster: "good", hostname: "good-1")
        defer { agent.stop() }
        var spaces = ByteBuffer(repeating: 0x20, count: 300 << 20)
        let bomb = try spaces.compress(with: .gzip())
        spaces = ByteBuffer()
        let hostile = try await FixedReplyServer(folder: folder, name: "bomb", reply: Array(bomb.readableBytesView))
        defer { hostile.stop() }
        let aggregator = try AggregatorProcess(
            folder: folder, name: "aggregator", gridname: "G",
            sources: Self.source("good", agent.port, step: 2) + Self.source("bomb", hostile.port, step: 2))
        defer { aggregator.stop() }
        try #require(await Loopback.eventually(seconds: 60) { Self.int(aggregator.source("bomb")?["pollsFailed"]) >= 3 }, "\(aggregator.output)")
        #expect(aggregator.output.contains("inflates to more than 268435456 bytes"), "\(aggregator.output)")
        let good = try #require(aggregator.source("good"))
        #expect(good["alive"] as? Bool == true && Self.int(good["pollsMissed"]) == 0, "\(good)")
        // The document cap is 256 MiB: the peak stays near it, not at the bomb's 300 MiB and more.
        let peak = try #require(ProcStatus.kilobytes("VmHWM", pid: aggregator.process.pid))
        #expect(peak < 400 << 10, "peak RSS \(peak) kB")
    }

    /// `plexus send -n boottime -v 1e300 -t double -S 10.7.7.2:bootbomb` once stopped the
    /// dashboard (SIGILL) when the host's page was opened; NaN made its JSON a `null` body.
    @Test(.enabled(if: Gmond.enabled, "gmetric is not installed (scripts/test installs ganglia-monitor)"))
    func aBoottimeOf1e300ThroughTheRealUDPPathReachesThePageAsText() async throws {
        let folder = try TemporaryFolder("plexus-bootbomb")
        let agent = try AgentProcess(folder: folder, name: "agent", cluster: "web", hostname: "web-1")
        defer { agent.stop() }
        let http = Loopback.freePort()
        let aggregator = try AggregatorProcess(folder: folder, name: "aggregator", gridname: "G", sources: Self.source("web", agent.port), httpPort: http)
        defer { aggregator.stop() }
        let plexus = try Executable("plexus")
        let gmetricConfig = try folder.write("gmetric.conf", "udp_send_channel {\n  host = 127.0.0.1\n  port = \(agent.port)\n}\n")
        let base = "http://127.0.0.1:\(http)"
        // UDP: a busy machine may drop a packet, so the values are sent again until they show.
        var shown = false
        for _ in 0..<10 where !shown {
            let sent = try await plexus.run([
                "send", "-n", "boottime", "-v", "1e300", "-t", "double", "-S", "10.7.7.2:bootbomb", "--to", "127.0.0.1:\(agent.port)",
            ])
            #expect(sent.status == 0, "\(sent.stderr)")
            // plexus send refuses NaN and infinities; Ganglia's own gmetric sends them as they are.
            for (name, value) in [("load_one", "nan"), ("cpu_num", "inf")] {
                let gmetric = try LocalProcess(
                    Gmond.gmetric, ["-c", gmetricConfig.path, "-n", name, "-v", value, "-t", "double", "-S", "10.7.7.2:bootbomb"],
                    log: folder.url.appendingPathComponent("gmetric-\(name).log"))
                gmetric.process.waitUntilExit()
                #expect(gmetric.process.terminationStatus == 0, "\(gmetric.output)")
            }
            shown = await Loopback.eventually(seconds: 5) {
                let body = await HTTP.get(base + "/api/v1/clusters/web/hosts/bootbomb").body
                return ["\"boottime\"", "\"cpu_num\"", "\"load_one\""].allSatisfy(body.contains)
            }
        }
        try #require(shown, "\(aggregator.output)")
        let page = await HTTP.get(base + "/cluster/web/host/bootbomb")
        #expect(page.status == 200 && page.body.contains("<th>Booted</th><td>not a time: "), "\(page.body)")
        let api = await HTTP.get(base + "/api/v1/clusters/web/hosts/bootbomb")
        let host = try #require(try JSONSerialization.jsonObject(with: Data(api.body.utf8)) as? [String: Any], "\(api.body)")
        let metrics = try #require(host["metrics"] as? [[String: Any]])
        let load = try #require(metrics.first { $0["metric"] as? String == "load_one" })
        #expect(load["number"] == nil && (load["value"] as? String)?.lowercased().contains("nan") == true, "\(load)")
        for path in ["/", "/cluster/web", "/api/v1/grid", "/api/v1/clusters/web", "/metrics"] {
            await #expect(HTTP.get(base + path).status == 200, "\(path)")
        }
        #expect(aggregator.process.isRunning)
    }
}

extension HostilePeerTests {
    /// 500 connections that never read once cost an agent 42 CPU-s in 33 s and 155 MB (a render
    /// each), and made the aggregator's polls of it fail. Now 64 are admitted at most, a quarter
    /// of them kept for the aggregator that polls it, and all share one render a second.
    @Test func fiveHundredClientsThatNeverReadCostAnAgentLittle() async throws {
        let folder = try TemporaryFolder("plexus-agentflood")
        let agent = try AgentProcess(folder: folder, name: "agent", cluster: "web", hostname: "web-1")
        defer { agent.stop() }
        try #require(await agent.serving())
        // A large cluster, so that one document is more than a socket takes unread.
        // Sent again while a busy machine made the agent drop some (it is UDP).
        let bench = try Executable("plexus-bench")
        for _ in 0..<4 where (Loopback.read(port: agent.port)?.count ?? 0) < 1 << 20 {
            let flood = try await bench.run(["flood", "127.0.0.1", "\(agent.port)", "800", "20", "5000", "7"])
            try #require(flood.status == 0, "\(flood.stderr)")
        }
        try #require((Loopback.read(port: agent.port)?.count ?? 0) > 1 << 20, "the agent holds the flood")
        let aggregator = try AggregatorProcess(folder: folder, name: "aggregator", gridname: "G", sources: Self.source("web", agent.port, step: 2))
        defer { aggregator.stop() }
        try #require(await Loopback.eventually(seconds: 30) { Self.int(aggregator.source("web")?["pollsOK"]) >= 2 }, "\(aggregator.output)")
        let before = try #require(aggregator.source("web"))
        let cpuBefore = try #require(ProcStatus.cpuSeconds(pid: agent.process.pid))
        let held = (0..<500).compactMap { i in StalledClient(port: agent.port, from: "127.0.0.\(10 + i / 10)") }
        #expect(held.count == 500)
        // Five polls (step 2 s) while the clients are held.
        #expect(await Loopback.eventually(seconds: 60) { Self.int(aggregator.source("web")?["pollsOK"]) >= Self.int(before["pollsOK"]) + 5 })
        let after = try #require(aggregator.source("web"))
        let cpu = try #require(ProcStatus.cpuSeconds(pid: agent.process.pid)) - cpuBefore
        let rss = try #require(ProcStatus.kilobytes("VmRSS", pid: agent.process.pid))
        withExtendedLifetime(held) {}
        #expect(Self.int(after["pollsFailed"]) == Self.int(before["pollsFailed"]), "polls failed under the flood: \(after)")
        #expect(Self.int(after["pollsOK"]) >= Self.int(before["pollsOK"]) + 3, "\(after)")
        #expect(cpu < 5, "the agent spent \(cpu) CPU-s on clients that never read")
        #expect(rss < 150 << 10, "agent RSS \(rss) kB")
        #expect(agent.process.output.contains("XML client refused"), "refusals reach the log")
    }

    /// 500 clients sending `/` to 8652 and never a line end each got a whole-grid render at
    /// their deadline (579 MB RSS). Now they get none.
    @Test func slowlorisClientsOfTheQueryPortGetNoRender() async throws {
        let folder = try TemporaryFolder("plexus-slowloris")
        let agent = try AgentProcess(folder: folder, name: "agent", cluster: "web", hostname: "web-1")
        defer { agent.stop() }
        let aggregator = try AggregatorProcess(
            folder: folder, name: "aggregator", gridname: "G", sources: Self.source("web", agent.port),
            extra: "server_timeout = 2\nmax_clients_per_address = 1000")
        defer { aggregator.stop() }
        try #require(await Loopback.eventually(seconds: 30) { aggregator.rootSummary()?.hosts.up == 1 }, "\(aggregator.output)")
        let renders = { (aggregator.status()?["renders"] as? [String: Any]).map { Self.int($0["interactive"]) } ?? -1 }
        let failed = { Self.int((aggregator.status()?["interactive"] as? [String: Any])?["failed"]) }
        let before = (renders: renders(), failed: failed())
        let slow = (0..<300).compactMap { _ in StalledClient(port: aggregator.queryPort, sending: "/") }
        #expect(slow.count == 300)
        // All of them run out of time, and are closed unanswered.
        let answers = try await withThrowingTaskGroup(of: Int.self) { group in
            for client in slow { group.addTask { try await onOwnThread { client.readAll().count } } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers.count == 300 && answers.allSatisfy { $0 == 0 })
        #expect(await Loopback.eventually(seconds: 20) { failed() >= before.failed + 300 }, "\(aggregator.status() ?? [:])")
        withExtendedLifetime(slow) {}
        // Only the /status queries above were rendered (they share one a second).
        #expect(renders() - before.renders <= 25, "renders \(before.renders) → \(renders())")
        let peak = try #require(ProcStatus.kilobytes("VmHWM", pid: aggregator.process.pid))
        #expect(peak < 200 << 10, "peak RSS \(peak) kB")
    }

    /// 1,100 half-sent HTTP requests under a descriptor limit of 1,024 once made every poll
    /// fail ("Too many open files"), stopped the archives and ended in SIGILL. Now clients are
    /// shed at the door and polls go on.
    @Test func halfOpenHTTPClientsUnderALowDescriptorLimitShedClientsNotPolls() async throws {
        let folder = try TemporaryFolder("plexus-nofile")
        let agent = try AgentProcess(folder: folder, name: "agent", cluster: "web", hostname: "web-1")
        defer { agent.stop() }
        let http = Loopback.freePort()
        let aggregator = try AggregatorProcess(
            folder: folder, name: "aggregator", gridname: "G", sources: Self.source("web", agent.port),
            extra: "http_idle_timeout = 4", httpPort: http, wrapper: ["/usr/bin/prlimit", "--nofile=1024:1024", "--"])
        defer { aggregator.stop() }
        let rrd = aggregator.root.appendingPathComponent("web/web-1/load_one.rrd")
        try #require(await Loopback.eventually(seconds: 30) { await RRDTool.lastUpdate(rrd) ?? 0 > 0 }, "\(aggregator.output)")
        let before = try #require(aggregator.source("web"))
        var spare = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &spare)
        try #require(spare.rlim_cur > 1300, "the test itself needs 1,100 descriptors")
        let request = "GET / HTTP/1.1\r\nHost: plexus\r\nX-Slow: "
        let held = (0..<1100).compactMap { i in StalledClient(port: http, from: "127.0.1.\(1 + i / 30)", sending: request) }
        #expect(held.count == 1100)
        // Every connection past the budget refused as it arrives.
        #expect(
            await Loopback.eventually(seconds: 30) {
                let clients = aggregator.status()?["clients"] as? [String: Any]
                return Self.int((clients?["refused"] as? [String: Any])?["full"]) >= 1100 - Self.int(clients?["limit"])
            })
        let status = try #require(aggregator.status())
        let clients = try #require(status["clients"] as? [String: Any])
        let refused = try #require(clients["refused"] as? [String: Any])
        let descriptors = ProcStatus.descriptors(pid: aggregator.process.pid)
        #expect(aggregator.process.isRunning)
        #expect(Self.int(refused["full"]) >= 1100 - Self.int(clients["limit"]), "\(clients)")
        #expect(descriptors < 1024 - 64, "\(descriptors) descriptors open")
        // Polls and archives go on while the clients are held, and after the idle timeout
        // closes the admitted ones.
        let last = await RRDTool.lastUpdate(rrd) ?? 0
        #expect(await Loopback.eventually(seconds: 15) { await RRDTool.lastUpdate(rrd) ?? 0 > last }, "archives stopped")
        #expect(await Loopback.eventually(seconds: 15) { Self.int((aggregator.status()?["clients"] as? [String: Any])?["open"]) <= 1 })
        withExtendedLifetime(held) {}
        let after = try #require(aggregator.source("web"))
        #expect(Self.int(after["pollsFailed"]) == Self.int(before["pollsFailed"]), "\(after)")
        await #expect(HTTP.get("http://127.0.0.1:\(http)/api/v1/grid").status == 200, "the dashboard answers again")
        #expect(aggregator.output.components(separatedBy: "HTTP client refused").count - 1 <= 2, "one log line a minute, not one per client")
    }

    /// Fifty clients reading the whole grid at once share one render.
    @Test func fiftyWholeGridReadsShareOneRender() async throws {
        let folder = try TemporaryFolder("plexus-renders")
        let agent = try AgentProcess(folder: folder, name: "agent", cluster: "web", hostname: "web-1")
        defer { agent.stop() }
        let aggregator = try AggregatorProcess(
            folder: folder, name: "aggregator", gridname: "G", sources: Self.source("web", agent.port, step: 5),
            extra: "max_clients_per_address = 100")
        defer { aggregator.stop() }
        try #require(await Loopback.eventually(seconds: 30) { aggregator.rootSummary()?.hosts.up == 1 }, "\(aggregator.output)")
        let renders = { (aggregator.status()?["renders"] as? [String: Any]).map { Self.int($0["xml"]) } ?? -1 }
        let before = renders()
        let port = aggregator.xmlPort
        let documents = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<50 { group.addTask { try await onOwnThread { Loopback.read(port: port)?.count ?? 0 } } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(documents.count == 50 && documents.allSatisfy { $0 > 1000 })
        #expect(renders() - before <= 3, "renders \(before) → \(renders())")
    }
}

extension HostilePeerTests {
    /// `start=1000000000&end=5000000000` once took librrd to 7.9 GB for 28 s while every other
    /// graph waited; `start=-5200w` answered 37 MB after 11 s; bad epochs answered 500. Now each
    /// is a 400 before librrd is called, and the CLI exits 1 with the same message.
    @Test func outlandishTimeRangesAreRefusedBeforeLibRRD() async throws {
        let folder = try TemporaryFolder("plexus-timerange")
        let agent = try AgentProcess(
            folder: folder, name: "agent", cluster: "web", hostname: "web-1",
            metrics: ["load_one", "cpu_user", "cpu_system", "cpu_idle", "cpu_num"])
        defer { agent.stop() }
        let http = Loopback.freePort()
        let aggregator = try AggregatorProcess(folder: folder, name: "aggregator", gridname: "G", sources: Self.source("web", agent.port), httpPort: http)
        defer { aggregator.stop() }
        let rrd = aggregator.root.appendingPathComponent("web/web-1/cpu_idle.rrd")
        try #require(await Loopback.eventually(seconds: 30) { await RRDTool.lastUpdate(rrd) ?? 0 > 0 }, "\(aggregator.output)")
        let base = "http://127.0.0.1:\(http)"
        for path in [
            "/graph.png?cluster=web&host=web-1&report=cpu&start=1000000000&end=5000000000",
            "/api/v1/series?cluster=web&host=web-1&metric=load_one&start=-5200w",
            "/graph.png?cluster=web&host=web-1&report=cpu&start=-999999999999w",
            "/graph.png?cluster=web&host=web-1&report=cpu&start=100000000&end=100000600",
            "/api/v1/series?cluster=web&host=web-1&metric=load_one&start=-100w&step=1",
        ] {
            let answer = await HTTP.get(base + path)
            #expect(answer.status == 400 && answer.body.contains("\"error\""), "\(path): \(answer.status) \(answer.body)")
        }
        await #expect(HTTP.get(base + "/graph.png?cluster=web&host=web-1&report=cpu&range=year").status == 200)
        let peak = try #require(ProcStatus.kilobytes("VmHWM", pid: aggregator.process.pid))
        #expect(peak < 250 << 10, "peak RSS \(peak) kB")
        let plexus = try Executable("plexus")
        let image = folder.url.appendingPathComponent("cpu.png").path
        let local = try await plexus.run([
            "graph", "--rrd-root", aggregator.root.path, "--report", "cpu", "--host", "web-1", "--start", "1000000000", "--end", "5000000000", "-o", image,
        ])
        #expect(local.status == 1 && local.stderr.contains("more than 366 days from now"), "\(local.stderr)")
        let remote = try await plexus.run(["export", "--server", base, "--metric", "load_one", "--host", "web-1", "--start", "-5200w"])
        #expect(remote.status == 1 && remote.stderr.contains("before 2000-01-01"), "\(remote.stderr)")
    }
}

extension HostilePeerTests {
    /// 800,000 spoofed metadata packets, each with a unique 1.3 KB description, once took an
    /// agent from 39 MB to 1.25 GB with no plateau. 150,000 of them (195 MB of metadata) now
    /// stop at the metadata budget (64 MiB by default) and the agent keeps serving.
    @Test func aFloodOfUniqueMetadataStopsAtTheAgentsBudget() async throws {
        let folder = try TemporaryFolder("plexus-metaflood")
        let agent = try AgentProcess(folder: folder, name: "agent", cluster: "web", hostname: "web-1")
        defer { agent.stop() }
        try #require(await agent.serving())
        let baseline = try #require(ProcStatus.kilobytes("VmRSS", pid: agent.process.pid))
        let port = agent.port
        let sent = try await onOwnThread { () -> Int in
            let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var count = 0
            for i in 0..<150_000 {
                let host = "10.\(i / 50 / 250).\(i / 50 % 250).1:flood-\(i / 50)"
                let name = "m\(i % 50)"
                let message = GangliaMessage.metadata(
                    MetricIdentity(host: host, name: name, spoof: true),
                    MetricMetadata(
                        name: name, type: .float,
                        extraData: [
                            ExtraElement(name: "SPOOF_HOST", value: host),
                            ExtraElement(name: "DESC", value: "\(i)" + String(repeating: "x", count: 1_300)),
                        ]))
                let bytes = message.xdr
                let n = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                if n == bytes.count { count += 1 }
                // A pause now and then, so the agent hears most of it rather than the kernel dropping it.
                if i % 200 == 199 { usleep(2_000) }
            }
            return count
        }
        #expect(sent == 150_000)
        try await Task.sleep(for: .seconds(2))
        let rss = try #require(ProcStatus.kilobytes("VmRSS", pid: agent.process.pid))
        let peak = try #require(ProcStatus.kilobytes("VmHWM", pid: agent.process.pid))
        #expect(peak - baseline < 180 << 10, "the agent grew from \(baseline) kB to a peak of \(peak) kB (now \(rss) kB)")
        // Still serving its cluster, its own host first among what it holds.
        let xml = try #require(Loopback.read(port: agent.port))
        #expect(GangliaDocument.read(xml).report.fatal == nil && String(decoding: xml, as: UTF8.self).contains("NAME=\"web-1\""))
    }
}

extension HostilePeerTests {
    /// A source adding 5,000 new hosts a poll with DMAX 0 once grew the aggregator without end
    /// (40,000 hosts after 8 polls), and every new metric became a 631 KB file. Now the source
    /// holds `max_hosts_per_source` hosts, new files come at `max_new_series_per_cluster` a
    /// minute, and what was refused is listed in /status and on the dashboard.
    @Test func aSourceThatInventsHostsStopsAtItsBounds() async throws {
        let folder = try TemporaryFolder("plexus-growing")
        let growing = try await GrowingSource(folder: folder, hostsPerPoll: 5_000)
        defer { growing.stop() }
        let http = Loopback.freePort()
        let aggregator = try AggregatorProcess(
            folder: folder, name: "aggregator", gridname: "G", sources: Self.source("growing", growing.port, step: 1),
            extra: "max_hosts_per_source = 8000\nmax_new_series_per_cluster = 500\nmax_new_series_per_host = 1", httpPort: http)
        defer { aggregator.stop() }
        try #require(await Loopback.eventually(seconds: 60) { Self.int(aggregator.source("growing")?["pollsOK"]) >= 6 }, "\(aggregator.output)")
        let status = try #require(aggregator.status())
        let source = try #require(aggregator.source("growing"))
        #expect(Self.int(source["hosts"]) == 8_000, "\(source)")
        #expect(Self.int(source["hostsRefused"]) >= 20_000, "\(source)")
        let archive = try #require(status["archive"] as? [String: Any])
        // 500 files a minute for the cluster (its hosts' and summary's together) and 500 for the
        // grid's summary; the test spans at most two minutes.
        #expect(Self.int(archive["filesCreated"]) <= 2_000 && Self.int(archive["seriesRefused"]) > 0, "\(archive)")
        let quarantine = try #require(status["quarantine"] as? [[String: Any]])
        #expect(quarantine.contains { ($0["reason"] as? String) == "over max_hosts_per_source" })
        #expect(quarantine.contains { ($0["reason"] as? String)?.hasPrefix("over max_new_series") == true })
        let grid = await HTTP.get("http://127.0.0.1:\(http)/")
        #expect(grid.status == 200 && grid.body.contains("Refused at a limit") && grid.body.contains("over max_hosts_per_source"))
        let rss = try #require(ProcStatus.kilobytes("VmRSS", pid: aggregator.process.pid))
        #expect(rss < 400 << 10, "RSS \(rss) kB")
    }
}

/// A data source (python3) that answers every poll with a cluster of `hostsPerPoll` hosts never
/// seen before (DMAX 0): a source inventing hosts.
final class GrowingSource: @unchecked Sendable {
    let process: LocalProcess
    let port: Int

    init(folder: TemporaryFolder, hostsPerPoll: Int) async throws {
        port = Loopback.freePort()
        let script = """
            import socket, sys, time
            per = int(sys.argv[2]); n = 0
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen(16)
            while True:
                c, _ = s.accept()
                now = int(time.time())
                hosts = ''.join('<HOST NAME="g%d" IP="10.1.%d.%d" REPORTED="%d" TN="1" TMAX="20" DMAX="0" LOCATION="x" GMOND_STARTED="0">'
                                '<METRIC NAME="load_one" VAL="0.5" TYPE="float" UNITS="" TN="1" TMAX="70" DMAX="0" SLOPE="both"/>'
                                '<METRIC NAME="m%d" VAL="1" TYPE="float" UNITS="" TN="1" TMAX="70" DMAX="0" SLOPE="both"/></HOST>'
                                % (i, i // 250 % 250, i % 250, now, i) for i in range(n, n + per))
                n += per
                doc = ('<?xml version="1.0" encoding="ISO-8859-1" standalone="yes"?>\\n<GANGLIA_XML VERSION="3.7.2" SOURCE="gmond">'
                       '<CLUSTER NAME="inventive" LOCALTIME="%d" OWNER="x" LATLONG="x" URL="x">%s</CLUSTER></GANGLIA_XML>\\n' % (now, hosts))
                try: c.sendall(doc.encode())
                except OSError: pass
                c.close()
            """
        process = try LocalProcess("/usr/bin/python3", ["-c", script, "\(port)", "\(hostsPerPoll)"], log: folder.url.appendingPathComponent("growing.log"))
        _ = await Loopback.eventually(seconds: 5) { Loopback.read(port: self.port) != nil }
    }

    func stop() { process.stop(grace: 0) }
}

/// A client that connects (from a loopback address of its choice), maybe sends a little, and
/// then neither reads nor closes until it is released: a tiny receive buffer makes the server's
/// writes stall.
final class StalledClient: @unchecked Sendable {
    let fd: Int32

    init?(port: Int, from: String = "127.0.0.1", sending: String = "") {
        guard let fd = LoopbackSocket.connect(port: port, from: from, timeout: 20, receiveBuffer: 4096) else { return nil }
        if !sending.isEmpty { _ = send(fd, sending, sending.utf8.count, Int32(MSG_NOSIGNAL)) }
        self.fd = fd
    }

    /// What the server sent before closing (or before 20 s of silence).
    func readAll() -> [UInt8] { LoopbackSocket.readAll(fd) }

    deinit { close(fd) }
}

/// Reading `/proc/PID/status`.
enum ProcStatus {
    /// A `kB` field (`VmRSS`, `VmHWM`) of a process, in kilobytes.
    static func kilobytes(_ field: String, pid: Int32) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        let line = text.split(separator: "\n").first { $0.hasPrefix(field + ":") }
        return line?.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) }
    }

    /// User and system CPU time of a process so far, in seconds.
    static func cpuSeconds(pid: Int32) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // Fields 14 and 15 of the file (utime, stime) are the 12th and 13th after the name.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Open descriptors of a process.
    static func descriptors(pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }
}

/// Plain HTTP GETs through curl, with a deadline.
enum HTTP {
    static func get(_ url: String, timeout: Int = 20) async -> (status: Int, body: String) {
        guard
            let result = try? await Executable(url: URL(fileURLWithPath: "/usr/bin/curl"))
                .run(["-s", "--max-time", "\(timeout)", "-w", "\n%{http_code}", url])
        else { return (0, "") }
        let text = String(decoding: result.output, as: UTF8.self)
        guard let cut = text.lastIndex(of: "\n") else { return (0, text) }
        return (Int(text[text.index(after: cut)...]) ?? 0, String(text[..<cut]))
    }
}
