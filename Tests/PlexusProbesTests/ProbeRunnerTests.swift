import Foundation
import PlexusCore
import PlexusTestSupport
import Testing

@testable import PlexusProbes

/// Response-time probes against real servers on loopback (a small Python HTTP(S) server).
@Suite(.serialized) struct ProbeRunnerTests {
    /// A Python server on a free port (with a fresh self-signed certificate for TLS), stopped
    /// by PID when the test ends.
    final class Server: @unchecked Sendable {
        let server: ScriptServer
        let folder: URL
        var port: Int { server.port }

        init(tls: Bool) throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("plexus-probe-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            var arguments: [String] = []
            if tls {
                let cert = folder.appendingPathComponent("cert.pem").path, key = folder.appendingPathComponent("key.pem").path
                let openssl = Process()
                openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
                openssl.arguments = [
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-keyout", key, "-out", cert,
                ]
                openssl.standardOutput = FileHandle.nullDevice
                openssl.standardError = FileHandle.nullDevice
                try openssl.run()
                openssl.waitUntilExit()
                arguments += [cert, key]
            }
            server = try ScriptServer(Bundle.module.resourceURL!.appendingPathComponent("Fixtures/probe_server.py"), arguments: arguments)
        }

        deinit { try? FileManager.default.removeItem(at: folder) }
    }

    /// Probes that expect an answer wait up to a minute for it: the server answers at once, and a
    /// loaded CI machine (load 5) once took more than 5 s to run the exchange.
    static func probe(_ target: AgentConfiguration.Probe.Target, timeout: Double = 60, _ change: (inout AgentConfiguration.Probe) -> Void = { _ in })
        -> AgentConfiguration.Probe
    {
        var probe = AgentConfiguration.Probe(name: "t", target: target)
        probe.timeout = timeout
        change(&probe)
        return probe
    }

    @Test func httpStatusesAndTimes() async throws {
        let server = try Server(tls: false)
        let ok = await ProbeRunner.run(Self.probe(.http(url: "http://127.0.0.1:\(server.port)/ok")))
        #expect(ok.up && ok.status == 200 && ok.error == nil, "\(ok)")
        let firstByte = try #require(ok.firstByteMilliseconds)
        #expect(ok.totalMilliseconds > 0 && firstByte <= ok.totalMilliseconds)
        let failing = await ProbeRunner.run(Self.probe(.http(url: "http://127.0.0.1:\(server.port)/fail")))
        #expect(!failing.up && failing.status == 500 && failing.error == "HTTP status 500", "\(failing)")
        let expected = await ProbeRunner.run(Self.probe(.http(url: "http://127.0.0.1:\(server.port)/fail")) { $0.expectStatus = 500 })
        #expect(expected.up)
    }

    @Test func timeoutsReportDownInTime() async throws {
        let server = try Server(tls: false)
        let slow = await ProbeRunner.run(Self.probe(.http(url: "http://127.0.0.1:\(server.port)/slow"), timeout: 0.5))
        // The server never answers within the test: a result at all, down with the timeout's
        // words, proves the timeout. No upper bound on the time: on a loaded 2-vCPU machine
        // timers fire late (8.2 s once), and that is the machine, not the probe.
        #expect(!slow.up && slow.status == nil)
        #expect(slow.totalMilliseconds >= 450, "\(slow.totalMilliseconds) ms")
        #expect(slow.error == "no answer within 0.5 s")
    }

    @Test func tcpConnect() async throws {
        let server = try Server(tls: false)
        let open = await ProbeRunner.run(Self.probe(.tcp(host: "127.0.0.1", port: server.port)))
        #expect(open.up && open.status == nil)
        let closed = await ProbeRunner.run(Self.probe(.tcp(host: "127.0.0.1", port: 1)))
        #expect(!closed.up && closed.error == "Connection refused")
        let refusedHTTP = await ProbeRunner.run(Self.probe(.http(url: "http://127.0.0.1:1/")))
        #expect(!refusedHTTP.up && refusedHTTP.error == "Connection refused")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")))
    func httpsVerifiesCertificates() async throws {
        let server = try Server(tls: true)
        let verified = await ProbeRunner.run(Self.probe(.http(url: "https://127.0.0.1:\(server.port)/ok")))
        #expect(!verified.up, "a self-signed certificate fails verification")
        #expect(verified.error?.contains("ertificate") == true || verified.error?.contains("handshake") == true, "\(verified.error ?? "")")
        let unverified = await ProbeRunner.run(Self.probe(.http(url: "https://127.0.0.1:\(server.port)/ok")) { $0.verifyTLS = false })
        #expect(unverified.up && unverified.status == 200, "\(unverified.error ?? "")")
    }
}
