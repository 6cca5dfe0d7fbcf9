import Foundation
import PlexusCore
import PlexusTestSupport
import Testing

/// Remote-write to an https receiver (a small Python server with a certificate the test's CA
/// signed): the token from bearer_token_file and the spec's headers arrive, ca_file is trusted,
/// a receiver whose certificate another CA signed is refused and shown down; --check names an
/// unreadable token file by its key.
@Suite struct ExportAuthTests {
    static let receiver = """
        import http.server, json, ssl, sys
        port, cert, key, log = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
        names = ['Authorization', 'Content-Encoding', 'Content-Type', 'X-Prometheus-Remote-Write-Version']
        class Receiver(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
                record = {name: self.headers.get(name) for name in names}
                record.update(path=self.path, bytes=len(body))
                with open(log, 'a') as f:
                    f.write(json.dumps(record) + '\\n')
                self.send_response(204)
                self.end_headers()
            def log_message(self, *args):
                pass
        server = http.server.HTTPServer(('127.0.0.1', port), Receiver)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        server.serve_forever()
        """

    @Test func aTokenAndTheSpecsHeadersReachAnHTTPSReceiverItsCATrusts() async throws {
        let folder = try TemporaryFolder("plexus-export-auth")
        let certs = try await TLSPollTests.Certificates(in: folder.url)
        let token = try folder.write("token", "s3cret-token-0123\n")
        let log = folder.url.appendingPathComponent("requests.jsonl")
        let port = Loopback.freePort()
        let server = try LocalProcess(
            "/usr/bin/python3", ["-c", Self.receiver, "\(port)", certs.path("server.pem"), certs.path("server.key"), log.path],
            log: folder.url.appendingPathComponent("receiver.log"))
        defer { server.stop() }
        let agent = try AgentProcess(folder: folder, name: "agent", cluster: "web", hostname: "web-1")
        defer { agent.stop() }
        let remote = """
            [[remote_write]]
            url = "https://127.0.0.1:\(port)/api/v1/write"
            name = "trusted"
            bearer_token_file = "\(token.path)"
            ca_file = "\(certs.path("ca.pem"))"
            batch_send_deadline = 0.5
            [[remote_write]]
            url = "https://127.0.0.1:\(port)/api/v1/write"
            name = "rogue"
            basic_auth_username = "plexus"
            basic_auth_password = "pw"
            ca_file = "\(certs.path("rogue-ca.pem"))"
            batch_send_deadline = 0.5
            """
        let aggregator = try AggregatorProcess(
            folder: folder, name: "aggregator", gridname: "Ops", sources: AggregatorProcessTests.source("web", agent.port, step: 2) + remote,
            extra: "write_rrds = false")
        defer { aggregator.stop() }

        var requests: [[String: Any]] = []
        let arrived = await Loopback.eventually(seconds: 60) {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            requests = text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            return !requests.isEmpty
        }
        try #require(arrived, "\(server.output)\n\(aggregator.output)")
        let first = requests[0]
        #expect(first["Authorization"] as? String == "Bearer s3cret-token-0123")
        #expect(first["Content-Encoding"] as? String == "snappy" && first["Content-Type"] as? String == "application/x-protobuf")
        #expect(first["X-Prometheus-Remote-Write-Version"] as? String == "0.1.0" && first["path"] as? String == "/api/v1/write")
        #expect((first["bytes"] as? Int ?? 0) > 0)
        // No request ever carried the rogue destination's basic auth: its TLS never completed.
        #expect(!requests.contains { ($0["Authorization"] as? String)?.hasPrefix("Basic") == true })
        var rogue: [String: Any]?
        let refused = await Loopback.eventually(seconds: 60) {
            rogue = ExportProcessTests.exports(aggregator).first { $0["name"] as? String == "rogue" }
            return rogue?["up"] as? Bool == false && rogue?["lastError"] != nil
        }
        #expect(refused && rogue?["sent"] as? Int == 0, "\(String(describing: rogue))")

        // --check reads the files the configuration names, and says which key fails.
        let missing = try folder.write(
            "missing.toml",
            "[[data_source]]\nname = \"web\"\nhosts = [\"127.0.0.1\"]\n[[remote_write]]\nurl = \"http://127.0.0.1:9/w\"\nbearer_token_file = \"/nonexistent/token\"\n"
        )
        let check = try await Executable("plexus-aggregator").run(["--check", "--config", missing.path])
        #expect(check.status != 0 && check.stderr.contains("remote_write[0].bearer_token_file: cannot read /nonexistent/token"), "\(check.stderr)")
    }
}
