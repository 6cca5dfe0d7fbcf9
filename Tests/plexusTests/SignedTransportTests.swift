import Foundation
import PlexusCore
import PlexusSecurity
import PlexusTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Signed datagrams end to end on loopback (`docs/security.md`): two agents and an aggregator's
/// listened source with keys from `plexus keygen`; `plexus send` and real `gmetric` as the
/// other senders; a real gmond next to signed traffic.
@Suite(.serialized) struct SignedTransportTests {
    /// Agent configuration for host `name` (spoofed as `ip:name`, as override_hostname does).
    static func agent(name: String, ip: String, sendTo: [Int], plainTo: [Int] = [], receive: Int, xml: Int, security: String) -> String {
        """
        [globals]
        send_metadata_interval = 0
        override_hostname = "\(name)"
        override_ip = "\(ip)"
        [cluster]
        name = "Signed"
        \(sendTo.map { "[[udp_send_channel]]\nhost = \"127.0.0.1\"\nport = \($0)" }.joined(separator: "\n"))
        \(plainTo.map { "[[udp_send_channel]]\nhost = \"127.0.0.1\"\nport = \($0)\nsign = false" }.joined(separator: "\n"))
        [[udp_recv_channel]]
        bind = "127.0.0.1"
        port = \(receive)
        [[tcp_accept_channel]]
        bind = "127.0.0.1"
        port = \(xml)
        [[collection_group]]
        collect_every = 2
        time_threshold = 4
        [[collection_group.metric]]
        name = "load_one"
        [security]
        \(security)

        """
    }

    /// A Ganglia datagram, not an envelope (decoded off the async context: see the note in
    /// `docs/architecture.md` on typed throws in async frames).
    static func isPlainGanglia(_ bytes: [UInt8]) -> Bool {
        !Envelope.isEnvelope(bytes) && (try? GangliaMessage(xdr: bytes)) != nil
    }

    static func hosts(in port: Int) -> [PlexusCore.Host] {
        guard let bytes = Loopback.read(port: port), case .cluster(let cluster)? = GangliaDocument.read(bytes).document?.items.first else { return [] }
        return cluster.hosts
    }

    static func value(_ metric: String, of host: String, in port: Int) -> String? {
        hosts(in: port).first { $0.name.rawValue == host }?.metrics.first { $0.name.rawValue == metric }?.value
    }

    /// A counter the agent reports about itself (`SecurityCollector`), as a number.
    static func count(_ metric: String, of host: String, in port: Int) -> Int {
        value(metric, of: host, in: port).flatMap { Int($0) } ?? 0
    }

    @Test func signedValuesAreTakenAndForgeriesReplaysAndUnsignedPacketsRefused() async throws {
        let folder = try TemporaryFolder("plexus-signed")
        let ports = (
            aUDP: Loopback.freePort(), aXML: Loopback.freePort(), bUDP: Loopback.freePort(), bXML: Loopback.freePort(),
            capture: Loopback.freePort(), listen: Loopback.freePort(), unused: Loopback.freePort(), legacy: Loopback.freePort()
        )
        // Keys as operators make them; the printed entries are the keyring.
        var keyring = ""
        for host in ["web-a", "web-b"] {
            let made = try await CLIArchiveTests.plexus([
                "keygen", "--host", host, "--id", "\(host)-key", "-o", folder.url.appendingPathComponent("\(host).key").path,
            ])
            try #require(made.status == 0, "\(made.stderr)")
            keyring += made.stdout
        }
        let ringFile = try folder.write("keyring.toml", keyring)
        chmod(ringFile.path, 0o600)
        let key = { (host: String) in folder.url.appendingPathComponent("\(host).key").path }

        let capture = try UDPPort(port: ports.capture)
        let legacyPort = try UDPPort(port: ports.legacy)
        defer {
            capture.close()
            legacyPort.close()
        }
        let aConfig = try folder.write(
            "a.toml",
            Self.agent(
                name: "web-a", ip: "10.9.0.1", sendTo: [ports.bUDP, ports.listen], plainTo: [ports.legacy], receive: ports.aUDP, xml: ports.aXML,
                security: "key_file = \"\(key("web-a"))\""))
        let bConfig = try folder.write(
            "b.toml",
            Self.agent(
                name: "web-b", ip: "10.9.0.2", sendTo: [ports.unused], receive: ports.bUDP, xml: ports.bXML,
                security: """
                    key_file = "\(key("web-b"))"
                    keyring = "\(ringFile.path)"
                    require_signed = true
                    accept_unsigned_from = ["127.0.0.3"]
                    """))
        let agentPath = try Executable("plexus-agent").url.path
        let check = try await Executable("plexus-agent").run(["--check", "-c", bConfig.path])
        #expect(check.status == 0, "\(check.stderr)")
        let aggregator = try AggregatorProcess(
            folder: folder, name: "agg", gridname: "G",
            sources: """
                [[data_source]]
                name = "signed"
                step = 1
                [data_source.listen]
                bind = "127.0.0.1"
                port = \(ports.listen)
                keyring = "\(ringFile.path)"
                require_signed = true
                """)
        let a = try LocalProcess(agentPath, ["-c", aConfig.path], log: folder.url.appendingPathComponent("a.log"))
        let b = try LocalProcess(agentPath, ["-c", bConfig.path], log: folder.url.appendingPathComponent("b.log"))
        defer {
            a.stop()
            b.stop()
            aggregator.process.stop()
        }

        // A's signed values reach B and the aggregator.
        let heard = await Loopback.eventually(seconds: 60) { Self.value("load_one", of: "web-a", in: ports.bXML) != nil }
        #expect(heard, "B lacks web-a:\n\(b.output)\n\(a.output)")
        let listened = await Loopback.eventually(seconds: 60) {
            ((aggregator.source("signed")?["signatures"] as? [String: Any])?["signed"] as? Int ?? 0) > 0
        }
        #expect(listened, "the listened source took no signed datagram:\n\(aggregator.process.output)")
        // The channel with sign = false carries plain Ganglia (for gmonds still listening there).
        let plain = try await onOwnThread { legacyPort.receive(count: 1, seconds: 30) }
        #expect(plain.count == 1 && Self.isPlainGanglia(plain[0]))

        // plexus send with web-a's key: taken. Its datagrams are captured on the way, to replay.
        func send(_ value: Int, key keyHost: String?, to port: Int, environment: [String: String]? = nil) async throws -> Executable.Result {
            var arguments = ["send", "-n", "deploys", "-v", "\(value)", "-t", "uint32", "-S", "10.9.0.1:web-a", "--to", "127.0.0.1:\(port)"]
            if let keyHost { arguments += ["--key-file", key(keyHost)] }
            return try await CLIArchiveTests.plexus(arguments, environment: environment)
        }
        #expect(try await send(1, key: "web-a", to: ports.capture).status == 0)
        // Metadata, then the value.
        let datagrams = try await onOwnThread { capture.receive(count: 2, seconds: 30) }
        try #require(datagrams.count == 2, "plexus send sent \(datagrams.count) datagrams")
        let captured = datagrams[1]
        #expect(datagrams.allSatisfy { Envelope.isEnvelope($0) }, "plexus send --key-file signs")
        for datagram in datagrams { capture.send(datagram, to: ports.bUDP) }
        #expect(await Loopback.eventually(seconds: 30) { Self.value("deploys", of: "web-a", in: ports.bXML) == "1" }, "\(b.output)")
        // A newer value (the key through PLEXUS_KEY_FILE), then the capture replayed: still 2.
        #expect(try await send(2, key: nil, to: ports.bUDP, environment: ["PLEXUS_KEY_FILE": key("web-a")]).status == 0)
        #expect(await Loopback.eventually(seconds: 30) { Self.value("deploys", of: "web-a", in: ports.bXML) == "2" })
        capture.send(captured, to: ports.bUDP)
        // A tampered byte (in the value) is refused.
        var tampered = captured
        tampered[tampered.count - 36] ^= 0x01
        capture.send(tampered, to: ports.bUDP)
        // web-b's key speaking for web-a: refused.
        #expect(try await send(99, key: "web-b", to: ports.bUDP).status == 0)
        // Unsigned: real gmetric (or plexus send without a key) from 127.0.0.1 is refused; from
        // 127.0.0.3, listed in accept_unsigned_from, it is taken.
        if Gmond.enabled {
            let conf = try folder.write("gmetric.conf", "udp_send_channel {\n  host = 127.0.0.1\n  port = \(ports.bUDP)\n}\n")
            let gmetric = try LocalProcess(
                Gmond.gmetric, ["-c", conf.path, "-n", "deploys", "-v", "98", "-t", "uint32", "-S", "10.9.0.1:web-a"],
                log: folder.url.appendingPathComponent("gmetric.log"))
            gmetric.process.waitUntilExit()
            #expect(gmetric.process.terminationStatus == 0, "\(gmetric.output)")
        } else {
            #expect(try await send(98, key: nil, to: ports.bUDP).status == 0)
        }
        let legacy = try folder.write("legacy.toml", "[[udp_send_channel]]\nhost = \"127.0.0.1\"\nport = \(ports.bUDP)\nbind = \"127.0.0.3\"\n")
        let fromLegacy = try await CLIArchiveTests.plexus([
            "send", "-c", legacy.path, "-n", "legacy_jobs", "-v", "5", "-t", "uint32", "-S", "10.9.0.7:old-gmond",
        ])
        #expect(fromLegacy.status == 0, "\(fromLegacy.stderr)")

        // Every refusal counted by reason in B's own metrics, the value never moved past 2.
        let counted = await Loopback.eventually(seconds: 60) {
            ["replay", "bad_mac", "host_not_allowed", "unsigned"].allSatisfy { Self.count("datagrams_refused_\($0)", of: "web-b", in: ports.bXML) >= 1 }
                && Self.value("legacy_jobs", of: "old-gmond", in: ports.bXML) == "5"
        }
        let bHosts = Self.hosts(in: ports.bXML).map { "\($0.name): \($0.metrics.map { "\($0.name)=\($0.value)" })" }
        #expect(counted, "B's counts: \(bHosts)\n\(b.output)")
        #expect(Self.value("deploys", of: "web-a", in: ports.bXML) == "2", "no replay, forgery or unsigned packet changed the value")
        #expect(Self.count("datagrams_signed", of: "web-b", in: ports.bXML) >= 3)
        // The log names the reason and the sender.
        for reason in ["replay", "bad_mac", "host_not_allowed", "unsigned"] {
            #expect(b.output.contains("datagram refused: \(reason)") && b.output.contains("127.0.0.1"), "\(reason) not logged:\n\(b.output)")
        }
        #expect(b.output.contains("key web-b-key for host 10.9.0.1:web-a"))

        // The aggregator refuses unsigned datagrams on its listened source and says so in /status.
        #expect(try await send(97, key: nil, to: ports.listen).status == 0)
        let refusedThere = await Loopback.eventually(seconds: 30) {
            ((aggregator.source("signed")?["signatures"] as? [String: Any])?["unsigned"] as? Int ?? 0) >= 1
        }
        #expect(refusedThere, "\(aggregator.source("signed") ?? [:])")
        #expect(a.isRunning && b.isRunning && aggregator.process.isRunning)
    }

    /// A real gmond 3.7 hearing signed traffic: it drops the envelopes (an unknown message id;
    /// Debian's build has no scoreboard to count them in), keeps running, keeps its XML clean
    /// and keeps taking plain packets.
    @Test(.enabled(if: Gmond.enabled, "gmond is not installed (scripts/test installs ganglia-monitor)"))
    func aRealGmondIgnoresEnvelopesAndKeepsWorking() async throws {
        let folder = try TemporaryFolder("plexus-signed-gmond")
        let ports = (gmondUDP: Loopback.freePort(), gmondXML: Loopback.freePort(), agentUDP: Loopback.freePort(), agentXML: Loopback.freePort())
        let made = try await CLIArchiveTests.plexus(["keygen", "--host", "web-a", "-o", folder.url.appendingPathComponent("a.key").path])
        try #require(made.status == 0)
        let gmondConfig = try folder.write(
            "gmond.conf", Gmond.config(sendTo: [ports.gmondUDP], receive: ports.gmondUDP, xml: ports.gmondXML, metrics: ["load_one"]))
        let gmond = try LocalProcess(Gmond.path, ["-f", "-c", gmondConfig.path], log: folder.url.appendingPathComponent("gmond.log"))
        let agentConfig = try folder.write(
            "agent.toml",
            Self.agent(
                name: "web-a", ip: "10.9.0.1", sendTo: [ports.gmondUDP], receive: ports.agentUDP, xml: ports.agentXML,
                security: "key_file = \"\(folder.url.appendingPathComponent("a.key").path)\""))
        let agent = try LocalProcess(try Executable("plexus-agent").url.path, ["-c", agentConfig.path], log: folder.url.appendingPathComponent("agent.log"))
        defer {
            agent.stop()
            gmond.stop()
        }
        #expect(await Loopback.eventually(seconds: 30) { !Self.hosts(in: ports.gmondXML).isEmpty }, "gmond serves its own host")
        // Envelopes of every shape: the agent's own, a cut one, one claiming a huge payload.
        let key = SigningKey(id: "x", secret: Array(repeating: 1, count: 32))
        var signer = Signer(key: key, sender: 1)
        let socket = try UDPPort(port: Loopback.freePort())
        defer { socket.close() }
        let message = GangliaMessage.value(MetricIdentity(host: "10.9.0.9:forged", name: "load_one", spoof: true), format: "%.2f", value: .float(9))
        for i in 0..<200 {
            let sealed = signer.seal(message.xdr, now: Int64(Date().timeIntervalSince1970))
            socket.send(i % 3 == 0 ? sealed : i % 3 == 1 ? Array(sealed.prefix(i % 40 + 4)) : sealed.prefix(16) + [0xFF, 0xFF, 0xFF, 0xF0], to: ports.gmondUDP)
        }
        // The agent's signed packets keep flowing for a few collections; gmond's XML shows neither.
        try await Task.sleep(for: .seconds(5))
        #expect(gmond.isRunning, "gmond survived:\n\(gmond.output)")
        let names = Self.hosts(in: ports.gmondXML).map(\.name.rawValue)
        #expect(!names.contains("web-a") && !names.contains("forged") && names.count == 1, "\(names)")
        // Plain Ganglia still works there.
        let conf = try folder.write("gmetric.conf", "udp_send_channel {\n  host = 127.0.0.1\n  port = \(ports.gmondUDP)\n}\n")
        let gmetric = try LocalProcess(
            Gmond.gmetric, ["-c", conf.path, "-n", "after_envelopes", "-v", "7", "-t", "uint32", "-S", "10.9.0.8:plain"],
            log: folder.url.appendingPathComponent("gmetric.log"))
        gmetric.process.waitUntilExit()
        #expect(await Loopback.eventually(seconds: 30) { Self.value("after_envelopes", of: "plain", in: ports.gmondXML) == "7" })
        #expect(agent.isRunning && gmond.isRunning)
    }
}
