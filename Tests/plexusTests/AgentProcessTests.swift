import Foundation
import PlexusTestSupport
import Testing

/// plexus-agent as operators and systemd meet it: command line, configuration errors, the unit
/// file, graceful stop.
@Suite struct AgentProcessTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func printsTheDefaultConfiguration() async throws {
        let result = try await Executable("plexus-agent").run(["--print-default-config"])
        #expect(result.status == 0)
        #expect(result.stdout == (try String(contentsOf: Self.repositoryRoot.appendingPathComponent("config/agent.toml"), encoding: .utf8)))
    }

    @Test func checkNamesFileKeyAndReason() async throws {
        let folder = try TemporaryFolder("plexus-check")
        let good = try folder.write("good.toml", "[cluster]\nname = \"Prod\"\n")
        let bad = try folder.write("bad.toml", "[[udp_send_channel]]\nhost = \"h\"\nttl = \"one\"\n")
        let ok = try await Executable("plexus-agent").run(["--check", "--config", good.path])
        #expect(ok.status == 0 && ok.stdout == "\(good.path): OK\n")
        let failed = try await Executable("plexus-agent").run(["--check", "--config", bad.path])
        #expect(failed.status == 1)
        #expect(failed.stderr == "plexus-agent: \(bad.path): key udp_send_channel[0].ttl: expected an integer, found a string\n")
        let missing = try await Executable("plexus-agent").run(["--check", "--config", folder.url.appendingPathComponent("nope.toml").path])
        #expect(missing.status == 1 && missing.stderr.hasSuffix("nope.toml: no such file\n"))
        // Syntax errors say where; what is not UTF-8 text, or is larger than any configuration, is refused.
        let syntax = try folder.write("syntax.toml", "[cluster]\nname = \"Prod\" owner\n")
        #expect(
            try await Executable("plexus-agent").run(["--check", "--config", syntax.path]).stderr
                == "plexus-agent: \(syntax.path):2:15: expected the end of the line, found 'o'\n")
        let binary = folder.url.appendingPathComponent("binary.toml")
        try Data([0x61, 0x20, 0x3D, 0x20, 0xFF]).write(to: binary)
        #expect(try await Executable("plexus-agent").run(["--check", "--config", binary.path]).stderr == "plexus-agent: \(binary.path): not UTF-8 text\n")
        let huge = folder.url.appendingPathComponent("huge.toml")
        try Data(repeating: 0x23, count: 17 << 20).write(to: huge)
        #expect(
            try await Executable("plexus-agent").run(["--check", "--config", huge.path]).stderr
                == "plexus-agent: \(huge.path): larger than 16 MiB: not a configuration file\n")
        let directory = try await Executable("plexus-agent").run(["--check", "--config", folder.url.path])
        #expect(directory.stderr == "plexus-agent: \(folder.url.path): cannot read the file: Is a directory\n")
        // A metric nobody provides is a typo, said before the agent runs for months without it.
        let typo = try folder.write("typo.toml", "[[collection_group]]\ncollect_every = 20\n[[collection_group.metric]]\nname = \"load_onee\"\n")
        let unknown = try await Executable("plexus-agent").run(["--check", "--config", typo.path])
        #expect(unknown.status == 1)
        #expect(
            unknown.stderr.hasPrefix(
                "plexus-agent: \(typo.path): key collection_group[0].metric[0].name: no metric \"load_onee\" here (did you mean \"load_one\"?)"),
            "\(unknown.stderr)")
        let listed = try await Executable("plexus-agent").run(["--list-metrics"])
        #expect(
            listed.status == 0 && listed.stdout.contains("load_one\t-\tload\t") && listed.stdout.contains("cpu_user\t%\tcpu\t"), "\(listed.stdout.prefix(300))")
        // The probes' metrics count as provided.
        let probed = try folder.write(
            "probe.toml", "[[probe]]\nname = \"api\"\ntcp = \"127.0.0.1:1\"\n[[collection_group]]\n[[collection_group.metric]]\nname = \"probe_api_up\"\n")
        #expect(try await Executable("plexus-agent").run(["--check", "--config", probed.path]).status == 0)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze")))
    func systemdUnitVerifies() async throws {
        let folder = try TemporaryFolder("plexus-unit")
        let unit = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("config/systemd/plexus-agent.service"), encoding: .utf8)
        #expect(unit.contains("ExecStart=/usr/sbin/plexus-agent --config /etc/plexus/agent.toml"))
        #expect(unit.contains("KillSignal=SIGTERM") && unit.contains("Restart=on-failure"))
        // systemd-analyze checks that ExecStart's binary exists: point it at the one we built.
        let local = try folder.write(
            "plexus-agent.service",
            unit.replacingOccurrences(of: "/usr/sbin/plexus-agent", with: try Executable("plexus-agent").url.path))
        let problems = try await SystemdVerify.problems(of: local)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    @Test func sigtermStopsGracefully() async throws {
        let folder = try TemporaryFolder("plexus-stop")
        let xml = Loopback.freePort()
        let config = try folder.write("agent.toml", Loopback.agentConfig(xml: xml))
        let agent = try LocalProcess(try Executable("plexus-agent").url.path, ["-c", config.path], log: folder.url.appendingPathComponent("agent.log"))
        #expect(await Loopback.eventually(seconds: 10) { Loopback.read(port: xml) != nil })
        let start = Date()
        kill(agent.pid, SIGTERM)
        agent.process.waitUntilExit()
        #expect(agent.process.terminationStatus == 0, "\(agent.output)")
        #expect(Date().timeIntervalSince(start) < 5)
        #expect(agent.output.contains("plexus-agent stopped"))
    }

    /// A port already taken (another agent, a gmond) is an error that names the channel, after
    /// the channels opened before it are closed: not a crash (SwiftNIO traps on an async channel
    /// dropped open, which the agent did until issue 20's measurements ran into it).
    @Test func aTakenPortIsAClearErrorNotACrash() async throws {
        let folder = try TemporaryFolder("plexus-taken")
        let (taken, holder) = try #require(Loopback.occupiedPort())
        defer { close(holder) }
        // The UDP receive channel opens first, then the XML port fails.
        let config = try folder.write("agent.toml", Loopback.agentConfig(xml: taken))
        let agent = try LocalProcess(try Executable("plexus-agent").url.path, ["-c", config.path], log: folder.url.appendingPathComponent("agent.log"))
        #expect(await agent.ends(within: 60), "the agent runs without its XML port")
        #expect(agent.process.terminationReason == .exit && agent.process.terminationStatus == 1, "\(agent.output)")
        #expect(agent.output.contains("cannot open tcp_accept_channel[0] (127.0.0.1:\(taken))"), "\(agent.output)")
        #expect(agent.output.contains("Address already in use"), "\(agent.output)")
    }
}
