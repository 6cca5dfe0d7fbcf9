import Foundation
import PlexusCore
import PlexusTestSupport
import Testing

/// plexus-agent and a real gmond 3.7.2 (Debian's ganglia-monitor) on loopback, both ways.
/// scripts/test installs ganglia-monitor; without it these tests are skipped.
@Suite(.serialized, .enabled(if: Gmond.enabled, "gmond is not installed (scripts/test installs ganglia-monitor)"))
struct GmondInteropTests {
    /// Metrics both sides collect in these tests, with the type and units gmond uses.
    static let expected: [String: (MetricType, String)] = [
        "cpu_num": (.uint16, "CPUs"), "cpu_speed": (.uint32, "MHz"), "mem_total": (.float, "KB"), "load_one": (.float, " "),
        "os_name": (.string, ""), "machine_type": (.string, ""), "disk_total": (.double, "GB"), "proc_total": (.uint32, " "),
        "cpu_user": (.float, "%"), "bytes_in": (.float, "bytes/sec"),
    ]

    static func host(_ ip: String, in port: Int) -> PlexusCore.Host? {
        guard let bytes = Loopback.read(port: port), let document = GangliaDocument.read(bytes).document,
            case .cluster(let cluster)? = document.items.first
        else { return nil }
        return cluster.hosts.first { $0.ip == ip }
    }

    static func hasExpectedMetrics(_ host: PlexusCore.Host?) -> Bool {
        guard let host else { return false }
        return expected.allSatisfy { name, typeAndUnits in
            host.metrics.contains { $0.name.rawValue == name && $0.type == typeAndUnits.0 && $0.units == typeAndUnits.1 }
        }
    }

    @Test func gmondAndPlexusAgentExchangeMetricsAndMetadataRequests() async throws {
        let folder = try TemporaryFolder("plexus-interop")
        let ports = (gmondUDP: Loopback.freePort(), gmondXML: Loopback.freePort(), agentUDP: Loopback.freePort(), agentXML: Loopback.freePort())
        let agentConfig = try folder.write(
            "agent.toml",
            Agent.config(
                sendTo: ports.gmondUDP, bind: "127.0.0.2", receive: ports.agentUDP, xml: ports.agentXML, metrics: Array(Self.expected.keys)))
        let gmondConfig = try folder.write(
            "gmond.conf",
            Gmond.config(
                sendTo: [ports.agentUDP, ports.gmondUDP], receive: ports.gmondUDP, xml: ports.gmondXML, metrics: Array(Self.expected.keys)))

        // Our agent first, with send_metadata_interval 0: gmond starts after our metadata went
        // out, so it shows our metrics only if it asks (id 136) and we answer.
        // Our metadata is heard on gmond's port before gmond is there; then gmond takes the port.
        let listening = try UDPPort(port: ports.gmondUDP)
        var agent = try LocalProcess(
            try Executable("plexus-agent").url.path, ["-c", agentConfig.path],
            log: folder.url.appendingPathComponent("agent-1.log"))
        try #require(try await onOwnThread { listening.waitForMetadata(seconds: 30) }, "our agent sent no metadata:\n\(agent.output)")
        listening.close()
        let gmond = try LocalProcess(Gmond.path, ["-f", "-c", gmondConfig.path], log: folder.url.appendingPathComponent("gmond.log"))
        defer {
            gmond.stop()
            agent.stop()
        }

        let gmondSeesUs = await Loopback.eventually(seconds: 30) { Self.hasExpectedMetrics(Self.host("127.0.0.2", in: ports.gmondXML)) }
        #expect(gmondSeesUs, "gmond's XML lacks our host or metrics:\n\(gmond.output)")
        let weSeeGmond = await Loopback.eventually(seconds: 30) { Self.hasExpectedMetrics(Self.host("127.0.0.1", in: ports.agentXML)) }
        #expect(weSeeGmond, "our XML lacks gmond's host or metrics:\n\(agent.output)")
        if let ours = Self.host("127.0.0.2", in: ports.gmondXML) {
            #expect(ours.gmondStarted > 1_700_000_000, "our heartbeat reached gmond")
            #expect(ours.metrics.first { $0.name.rawValue == "cpu_num" }?.value == "\(ProcessInfo.processInfo.processorCount)")
        }
        if let theirs = Self.host("127.0.0.1", in: ports.agentXML) {
            #expect(theirs.location == "rack9,1,0", "gmond's location metric became the host's LOCATION")
            #expect(theirs.gmondStarted > 1_700_000_000)
        }

        // A restarted agent has lost gmond's metadata; gmond (interval 0) resends it only when
        // we ask for it.
        agent.stop()
        agent = try LocalProcess(
            try Executable("plexus-agent").url.path, ["-c", agentConfig.path],
            log: folder.url.appendingPathComponent("agent-2.log"))
        let weAskedAndGot = await Loopback.eventually(seconds: 30) { Self.hasExpectedMetrics(Self.host("127.0.0.1", in: ports.agentXML)) }
        #expect(weAskedAndGot, "after a restart our XML lacks gmond's metrics:\n\(agent.output)")
        #expect(gmond.isRunning, "gmond survived our traffic")
    }

    @Test func gmetricPacketsShowInOurXML() async throws {
        let folder = try TemporaryFolder("plexus-gmetric")
        let ports = (agentUDP: Loopback.freePort(), agentXML: Loopback.freePort(), unused: Loopback.freePort())
        let agentConfig = try folder.write(
            "agent.toml",
            Agent.config(
                sendTo: ports.unused, bind: nil, receive: ports.agentUDP, xml: ports.agentXML, metrics: ["load_one"]))
        let gmetricConfig = try folder.write("gmetric.conf", "udp_send_channel {\n  host = 127.0.0.1\n  port = \(ports.agentUDP)\n}\n")
        let agent = try LocalProcess(
            try Executable("plexus-agent").url.path, ["-c", agentConfig.path],
            log: folder.url.appendingPathComponent("agent.log"))
        defer { agent.stop() }
        #expect(await Loopback.eventually(seconds: 10) { Loopback.read(port: ports.agentXML) != nil })
        let runs: [[String]] = [
            ["-n", "daily_signups", "-v", "1234", "-t", "uint32", "-u", "users", "-g", "business", "-T", "Daily sign-ups", "-D", "Accounts created today"],
            ["-n", "checkout_latency_ms", "-v", "87.25", "-t", "float", "-u", "ms", "-s", "both", "-x", "30", "-d", "600", "-g", "business,latency"],
            ["-n", "build_version", "-v", "v2.14.1-rc1", "-t", "string", "-g", "deploy"],
            ["-n", "queue_depth", "-v", "-42", "-t", "int32", "-u", "jobs"],
            ["-n", "sw_temp", "-v", "31", "-t", "int16", "-u", "C", "-S", "10.0.0.9:switch9.example", "-g", "env"],
        ]
        for arguments in runs {
            let process = try LocalProcess(Gmond.gmetric, ["-c", gmetricConfig.path] + arguments, log: folder.url.appendingPathComponent("gmetric.log"))
            process.process.waitUntilExit()
            #expect(process.process.terminationStatus == 0, "gmetric \(arguments): \(process.output)")
        }
        var local: PlexusCore.Host?, switch9: PlexusCore.Host?
        let arrived = await Loopback.eventually(seconds: 10) {
            guard let bytes = Loopback.read(port: ports.agentXML), case .cluster(let c)? = GangliaDocument.read(bytes).document?.items.first else {
                return false
            }
            local = c.hosts.first { $0.metrics.contains { $0.name.rawValue == "daily_signups" } }
            switch9 = c.hosts.first { $0.name.rawValue == "switch9.example" }
            // The spoofed host appears with its metadata; wait for its value too (under load
            // the two packets can be read between polls).
            return local?.metrics.count ?? 0 >= 4 && switch9?.metrics.contains { $0.name.rawValue == "sw_temp" && !$0.value.isEmpty } == true
        }
        #expect(arrived)
        func metric(_ name: String) -> Metric? { local?.metrics.first { $0.name.rawValue == name } }
        #expect(metric("daily_signups")?.value == "1234" && metric("daily_signups")?.type == .uint32 && metric("daily_signups")?.units == "users")
        #expect(metric("daily_signups")?.extraData.contains(ExtraElement(name: "TITLE", value: "Daily sign-ups")) == true)
        #expect(metric("checkout_latency_ms")?.value == "87.25" && metric("checkout_latency_ms")?.dmax == 600 && metric("checkout_latency_ms")?.tmax == 30)
        #expect(metric("checkout_latency_ms")?.extraData.filter { $0.name == "GROUP" }.map(\.value) == ["latency", "business"])
        #expect(metric("build_version")?.value == "v2.14.1-rc1" && metric("build_version")?.type == .string)
        #expect(metric("queue_depth")?.value == "-42" && metric("queue_depth")?.type == .int32)
        #expect(switch9?.ip == "10.0.0.9")
        #expect(switch9?.metrics.first?.value == "31" && switch9?.metrics.first?.type == .int16)
    }
}

extension GmondInteropTests {
    /// `plexus send` → a real gmond → its XML shows the metric as gmetric's would; and
    /// `plexus status` reads that gmond.
    @Test func plexusSendReachesRealGmond() async throws {
        let folder = try TemporaryFolder("plexus-send")
        let ports = (udp: Loopback.freePort(), xml: Loopback.freePort())
        let gmondConfig = try folder.write("gmond.conf", Gmond.config(sendTo: [ports.udp], receive: ports.udp, xml: ports.xml, metrics: ["load_one"]))
        let gmond = try LocalProcess(Gmond.path, ["-f", "-c", gmondConfig.path], log: folder.url.appendingPathComponent("gmond.log"))
        defer { gmond.stop() }
        #expect(await Loopback.eventually(seconds: 10) { Loopback.read(port: ports.xml) != nil })
        let plexus = try Executable("plexus")
        let sends: [[String]] = [
            ["-n", "daily_signups", "-v", "1234", "-t", "uint32", "-u", "users", "-g", "business,growth", "-T", "Daily sign-ups"],
            ["-n", "checkout_latency_ms", "-v", "87.25", "-t", "float", "-u", "ms", "-d", "600"],
            ["-n", "build_version", "-v", "v2.14.1-rc1", "-t", "string"],
            ["-n", "sw_temp", "-v", "31", "-t", "int16", "-u", "C", "-S", "10.0.0.9:switch9.example"],
        ]
        for arguments in sends {
            let result = try await plexus.run(["send", "--to", "127.0.0.1:\(ports.udp)"] + arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        var hosts: [PlexusCore.Host] = []
        let arrived = await Loopback.eventually(seconds: 15) {
            guard let bytes = Loopback.read(port: ports.xml), case .cluster(let c)? = GangliaDocument.read(bytes).document?.items.first else { return false }
            hosts = c.hosts
            return c.hosts.contains { $0.metrics.contains { $0.name.rawValue == "build_version" } } && c.hosts.contains { $0.ip == "10.0.0.9" }
        }
        #expect(arrived, "\(gmond.output)")
        let metrics = hosts.flatMap(\.metrics)
        func metric(_ name: String) -> Metric? { metrics.first { $0.name.rawValue == name } }
        #expect(metric("daily_signups")?.value == "1234" && metric("daily_signups")?.type == .uint32 && metric("daily_signups")?.units == "users")
        #expect(metric("daily_signups")?.extraData.filter { $0.name == "GROUP" }.map(\.value).sorted() == ["business", "growth"])
        #expect(metric("checkout_latency_ms")?.value == "87.25" && metric("checkout_latency_ms")?.dmax == 600)
        #expect(metric("build_version")?.type == .string)
        #expect(hosts.first { $0.ip == "10.0.0.9" }?.name.rawValue == "switch9.example")
        #expect(metric("sw_temp")?.value == "31" && metric("sw_temp")?.type == .int16)

        let status = try await plexus.run(["status", "127.0.0.1:\(ports.xml)"])
        #expect(status.status == 0)
        #expect(status.stdout.hasPrefix("CLUSTER Interop: "))
        #expect(status.stdout.contains("switch9.example"))
        let refused = try await plexus.run(["status", "127.0.0.1:\(Loopback.freePort())"])
        #expect(refused.status == 2 && refused.stderr.contains("Connection refused"))
    }
}

/// Debian's gmond and gmetric.
enum Gmond {
    static let path = "/usr/sbin/gmond"
    static let gmetric = "/usr/bin/gmetric"
    static var installed: Bool { FileManager.default.isExecutableFile(atPath: path) && FileManager.default.isExecutableFile(atPath: gmetric) }
    /// scripts/test sets PLEXUS_REQUIRE_GANGLIA=1: there a missing gmond is a failure, not a skip.
    static var enabled: Bool { installed || ProcessInfo.processInfo.environment["PLEXUS_REQUIRE_GANGLIA"] == "1" }

    /// Where the package put its metric modules (`/usr/lib/<triplet>/ganglia`).
    static var moduleDirectory: String {
        let lib = "/usr/lib"
        let triplets = (try? FileManager.default.contentsOfDirectory(atPath: lib)) ?? []
        return triplets.map { "\(lib)/\($0)/ganglia" }.first { FileManager.default.fileExists(atPath: "\($0)/modcpu.so") } ?? "\(lib)/ganglia"
    }

    /// A gmond.conf: unicast to each of `sendTo`, receiving and serving XML on loopback, every
    /// metric in one fast collection group.
    static func config(sendTo: [Int], receive: Int, xml: Int, metrics: [String]) -> String {
        let modules = ["cpu": "modcpu", "disk": "moddisk", "load": "modload", "mem": "modmem", "net": "modnet", "proc": "modproc", "sys": "modsys"]
            .map { "  module {\n    name = \"\($0.key)_module\"\n    path = \"\(moduleDirectory)/\($0.value).so\"\n  }" }.joined(separator: "\n")
        return """
            globals {
              daemonize = no
              setuid = no
              user = root
              debug_level = 0
              mute = no
              deaf = no
              host_dmax = 86400
              host_tmax = 20
              cleanup_threshold = 300
              send_metadata_interval = 0
            }
            cluster {
              name = "Interop"
              owner = "Test"
            }
            host {
              location = "rack9,1,0"
            }
            \(sendTo.map { "udp_send_channel {\n  host = 127.0.0.1\n  port = \($0)\n}" }.joined(separator: "\n"))
            udp_recv_channel {
              port = \(receive)
              bind = 127.0.0.1
            }
            tcp_accept_channel {
              port = \(xml)
              bind = 127.0.0.1
            }
            modules {
              module {
                name = "core_metrics"
              }
            \(modules)
            }
            collection_group {
              collect_once = yes
              time_threshold = 4
              metric {
                name = "heartbeat"
              }
            }
            collection_group {
              collect_every = 2
              time_threshold = 4
            \(metrics.map { "  metric {\n    name = \"\($0)\"\n  }" }.joined(separator: "\n"))
              metric {
                name = "location"
              }
            }

            """
    }
}

/// plexus-agent configurations for the tests.
enum Agent {
    static func config(sendTo: Int, bind: String?, receive: Int, xml: Int, metrics: [String]) -> String {
        """
        [globals]
        send_metadata_interval = 0
        [cluster]
        name = "Interop"
        [[udp_send_channel]]
        host = "127.0.0.1"
        port = \(sendTo)
        \(bind.map { "bind = \"\($0)\"" } ?? "")
        [[udp_recv_channel]]
        bind = "127.0.0.1"
        port = \(receive)
        [[tcp_accept_channel]]
        bind = "127.0.0.1"
        port = \(xml)
        [[collection_group]]
        collect_once = true
        time_threshold = 4
        [[collection_group.metric]]
        name = "heartbeat"
        [[collection_group]]
        collect_every = 2
        time_threshold = 4
        \(metrics.map { "[[collection_group.metric]]\nname = \"\($0)\"" }.joined(separator: "\n"))

        """
    }
}

extension UDPPort {
    /// True once a datagram whose message id is 128 (metadata) arrives within `seconds`.
    func waitForMetadata(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if receive(count: 1, seconds: 1).contains(where: { $0.starts(with: [0, 0, 0, 128]) }) { return true }
        }
        return false
    }
}
