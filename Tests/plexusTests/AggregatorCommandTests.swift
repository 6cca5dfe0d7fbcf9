import Foundation
import PlexusTestSupport
import Testing

/// plexus-aggregator as operators and systemd meet it: command line, configuration errors, the
/// unit file, graceful stop.
@Suite struct AggregatorCommandTests {
    @Test func printsTheDefaultConfiguration() async throws {
        let result = try await Executable("plexus-aggregator").run(["--print-default-config"])
        #expect(result.status == 0)
        #expect(result.stdout == (try String(contentsOf: AgentProcessTests.repositoryRoot.appendingPathComponent("config/aggregator.toml"), encoding: .utf8)))
    }

    @Test func checkNamesFileKeyAndReason() async throws {
        let folder = try TemporaryFolder("plexus-check")
        let good = try folder.write("good.toml", "gridname = \"Prod\"\n[[data_source]]\nname = \"web\"\nhosts = [\"web1\", \"web2:8650\"]\n")
        let bad = try folder.write("bad.toml", "[[data_source]]\nname = \"web\"\nhosts = [\"web1:http\"]\n")
        let cached = try folder.write("cached.toml", "rrdcached_address = \"unix:relative.sock\"\n")
        let aggregator = try Executable("plexus-aggregator")
        let ok = try await aggregator.run(["--check", "--config", good.path])
        #expect(ok.status == 0 && ok.stdout == "\(good.path): OK\n")
        let failed = try await aggregator.run(["--check", "--config", bad.path])
        #expect(failed.status == 1)
        #expect(failed.stderr == "plexus-aggregator: \(bad.path): key data_source[0].hosts[0]: expected host, host:port or [v6]:port, found \"web1:http\"\n")
        let badCache = try await aggregator.run(["--check", "--config", cached.path])
        #expect(badCache.status == 1 && badCache.stderr.contains("key rrdcached_address: expected unix:/path"))
        let missing = try await aggregator.run(["--check", "--config", folder.url.appendingPathComponent("nope.toml").path])
        #expect(missing.status == 1 && missing.stderr.hasSuffix("nope.toml: no such file\n"))
    }

    @Test func anUnwritableArchiveRootIsAClearError() async throws {
        let folder = try TemporaryFolder("plexus-root")
        let file = try folder.write("not-a-directory", "")
        let config = try folder.write("a.toml", "rrd_rootdir = \"\(file.path)/rrds\"\nxml_port = 0\ninteractive_port = 0\n")
        let result = try await Executable("plexus-aggregator").run(["--config", config.path])
        #expect(result.status == 1 && result.stderr.hasPrefix("plexus-aggregator: cannot create rrd_rootdir \(file.path)/rrds"), "\(result.stderr)")
    }

    /// A port already taken is an error naming it, and the services already running stop as on
    /// SIGTERM: cancelled outright, the web server never returned and the aggregator hung.
    @Test func aTakenPortStopsTheAggregatorWithAClearError() async throws {
        let folder = try TemporaryFolder("plexus-taken")
        let (taken, holder) = try #require(Loopback.occupiedPort())
        defer { close(holder) }
        let config = try folder.write(
            "a.toml",
            """
            bind = "127.0.0.1"
            xml_port = 0
            interactive_port = \(taken)
            http_port = \(Loopback.freePort())
            rrd_rootdir = "\(folder.url.path)/rrds"
            [[data_source]]
            name = "c1"
            hosts = ["127.0.0.1:1"]
            """)
        let aggregator = try LocalProcess(
            try Executable("plexus-aggregator").url.path, ["-c", config.path], log: folder.url.appendingPathComponent("aggregator.log"))
        #expect(await aggregator.ends(within: 60), "the aggregator runs without its interactive port")
        #expect(aggregator.process.terminationReason == .exit && aggregator.process.terminationStatus == 1, "\(aggregator.output)")
        #expect(aggregator.output.contains("cannot listen on interactive_port (127.0.0.1:\(taken))"), "\(aggregator.output)")
        // The web side's port, named the same way (Hummingbird's own error names none).
        let web = try folder.write(
            "web.toml",
            """
            bind = "127.0.0.1"
            xml_port = 0
            interactive_port = 0
            http_port = \(taken)
            rrd_rootdir = "\(folder.url.path)/rrds"
            """)
        let second = try LocalProcess(
            try Executable("plexus-aggregator").url.path, ["-c", web.path], log: folder.url.appendingPathComponent("web.log"))
        #expect(await second.ends(within: 60), "the aggregator runs without its web port")
        #expect(second.process.terminationReason == .exit && second.process.terminationStatus == 1, "\(second.output)")
        #expect(second.output.contains("cannot listen on http_port (127.0.0.1:\(taken))"), "\(second.output)")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze")))
    func systemdUnitVerifies() async throws {
        let folder = try TemporaryFolder("plexus-unit")
        let unit = try String(contentsOf: AgentProcessTests.repositoryRoot.appendingPathComponent("config/systemd/plexus-aggregator.service"), encoding: .utf8)
        #expect(unit.contains("ExecStart=/usr/sbin/plexus-aggregator --config /etc/plexus/aggregator.toml"))
        #expect(unit.contains("ReadWritePaths=/var/lib/ganglia/rrds"))
        let local = try folder.write(
            "plexus-aggregator.service",
            unit.replacingOccurrences(of: "/usr/sbin/plexus-aggregator", with: try Executable("plexus-aggregator").url.path))
        let problems = try await SystemdVerify.problems(of: local)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    @Test func sigtermStopsGracefullyAfterWritingTheQueue() async throws {
        let folder = try TemporaryFolder("plexus-aggregator-stop")
        let agent = try AgentProcess(folder: folder, name: "agent", cluster: "web", hostname: "web-1")
        defer { agent.stop() }
        let aggregator = try AggregatorProcess(folder: folder, name: "aggregator", gridname: "G", sources: AggregatorProcessTests.source("web", agent.port))
        let file = aggregator.root.appendingPathComponent("web/web-1/load_one.rrd")
        try #require(await Loopback.eventually(seconds: 30) { await RRDTool.lastUpdate(file) ?? 0 > 0 })
        let start = Date()
        kill(aggregator.process.pid, SIGTERM)
        aggregator.process.process.waitUntilExit()
        #expect(aggregator.process.process.terminationStatus == 0, "\(aggregator.output)")
        #expect(Date().timeIntervalSince(start) < 5)
        #expect(aggregator.output.contains("plexus-aggregator stopped"))
    }
}
