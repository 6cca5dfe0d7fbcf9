import CompressNIO
import Foundation
import NIOCore
import PlexusCore
import PlexusTestSupport
import Testing

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
        let nested = "<GANGLIA_XML VERSION=\"3.7.2\" SOURCE=\"gmetad\">"
            + String(repeating: "<GRID NAME=\"g\" AUTHORITY=\"http://x/\" LOCALTIME=\"1\">", count: levels)
            + String(repeating: "</GRID>", count: levels) + "</GANGLIA_XML>"
        let hostile = try FixedReplyServer(folder: folder, name: "nested", reply: Array(nested.utf8))
        defer { hostile.stop() }
        let aggregator = try AggregatorProcess(folder: folder, name: "aggregator", gridname: "G",
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
        let hostile = try FixedReplyServer(folder: folder, name: "bomb", reply: Array(bomb.readableBytesView))
        defer { hostile.stop() }
        let aggregator = try AggregatorProcess(folder: folder, name: "aggregator", gridname: "G",
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
        let sent = try await onOwnThread {
            try plexus.run(["send", "-n", "boottime", "-v", "1e300", "-t", "double", "-S", "10.7.7.2:bootbomb", "--to", "127.0.0.1:\(agent.port)"])
        }
        #expect(sent.status == 0, "\(sent.stderr)")
        // plexus send refuses NaN and infinities; Ganglia's own gmetric sends them as they are.
        let gmetricConfig = try folder.write("gmetric.conf", "udp_send_channel {\n  host = 127.0.0.1\n  port = \(agent.port)\n}\n")
        for (name, value) in [("load_one", "nan"), ("cpu_num", "inf")] {
            let gmetric = try LocalProcess(Gmond.gmetric, ["-c", gmetricConfig.path, "-n", name, "-v", value, "-t", "double", "-S", "10.7.7.2:bootbomb"],
                                           log: folder.url.appendingPathComponent("gmetric-\(name).log"))
            gmetric.process.waitUntilExit()
            #expect(gmetric.process.terminationStatus == 0, "\(gmetric.output)")
        }
        let base = "http://127.0.0.1:\(http)"
        try #require(await Loopback.eventually(seconds: 30) {
            HTTP.get(base + "/api/v1/clusters/web/hosts/bootbomb").body.contains("\"cpu_num\"")
        }, "\(aggregator.output)")
        let page = HTTP.get(base + "/cluster/web/host/bootbomb")
        #expect(page.status == 200 && page.body.contains("<th>Booted</th><td>not a time: "), "\(page.body)")
        let api = HTTP.get(base + "/api/v1/clusters/web/hosts/bootbomb")
        let host = try #require(try JSONSerialization.jsonObject(with: Data(api.body.utf8)) as? [String: Any], "\(api.body)")
        let metrics = try #require(host["metrics"] as? [[String: Any]])
        let load = try #require(metrics.first { $0["metric"] as? String == "load_one" })
        #expect(load["number"] == nil && (load["value"] as? String)?.lowercased().contains("nan") == true, "\(load)")
        for path in ["/", "/cluster/web", "/api/v1/grid", "/api/v1/clusters/web", "/metrics"] {
            #expect(HTTP.get(base + path).status == 200, "\(path)")
        }
        #expect(aggregator.process.isRunning)
    }
}

/// Reading `/proc/PID/status`.
enum ProcStatus {
    /// A `kB` field (`VmRSS`, `VmHWM`) of a process, in kilobytes.
    static func kilobytes(_ field: String, pid: Int32) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        let line = text.split(separator: "\n").first { $0.hasPrefix(field + ":") }
        return line?.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) }
    }

    /// Open descriptors of a process.
    static func descriptors(pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }
}

/// Plain HTTP GETs through curl, with a deadline.
enum HTTP {
    static func get(_ url: String, timeout: Int = 20) -> (status: Int, body: String) {
        guard let result = try? Executable(url: URL(fileURLWithPath: "/usr/bin/curl"))
            .run(["-s", "--max-time", "\(timeout)", "-w", "\n%{http_code}", url]) else { return (0, "") }
        let text = String(decoding: result.output, as: UTF8.self)
        guard let cut = text.lastIndex(of: "\n") else { return (0, text) }
        return (Int(text[text.index(after: cut)...]) ?? 0, String(text[..<cut]))
    }
}
