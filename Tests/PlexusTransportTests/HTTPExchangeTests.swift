import Foundation
import NIOCore
import PlexusTestSupport
import Testing

@testable import PlexusTransport

/// One HTTP request and its answer, against a real server on loopback (Debian's python3).
@Suite(.serialized) struct HTTPExchangeTests {
    /// `echo_server.py` on a free port, stopped by PID when the test ends.
    struct EchoServer {
        let server: ScriptServer
        init() throws { server = try ScriptServer(Bundle.module.resourceURL!.appendingPathComponent("Fixtures/echo_server.py")) }
        var port: Int { server.port }
        var url: String { "http://127.0.0.1:\(port)" }
    }

    @Test func targets() throws {
        let plain = try HTTPExchange.Target("http://monitor:8080/api/v1/series?metric=load%2Bone&host=a")
        #expect(!plain.tls && plain.host == "monitor" && plain.port == 8080 && plain.pathAndQuery == "/api/v1/series?metric=load%2Bone&host=a")
        #expect(plain.hostHeader == "monitor:8080")
        let secure = try HTTPExchange.Target("https://alerts.example.org")
        #expect(secure.tls && secure.port == 443 && secure.pathAndQuery == "/" && secure.hostHeader == "alerts.example.org")
        let v6 = try HTTPExchange.Target("http://[::1]:9093/api/v2/alerts")
        #expect(v6.host == "::1" && v6.port == 9093 && v6.hostHeader == "[::1]:9093")
        for bad in ["ftp://host/", "monitor:8080", "http://", "not a url"] {
            #expect(throws: HTTPExchange.Failure("not an http:// or https:// URL: \(bad)")) { try HTTPExchange.Target(bad) }
        }
    }

    @Test func aRequestArrivesAsSent() async throws {
        let server = try EchoServer()
        let body = Array(#"{"labels":{"alertname":"load"}}"#.utf8)
        let answer = try await HTTPExchange.send(
            "POST", server.url + "/api/v2/alerts?a=b%26c", headers: [("Content-Type", "application/json"), ("User-Agent", "test")], body: body,
            timeout: .seconds(60))
        #expect(answer.status == 200)
        let text = String(decoding: answer.body, as: UTF8.self)
        let (head, received) = try #require(text.split(separator: "\n\n", maxSplits: 1).map(String.init).pairs)
        let lines = head.split(separator: "\n").map(String.init)
        #expect(lines.first == "POST /api/v2/alerts?a=b%26c")
        #expect(lines.contains("Host: 127.0.0.1:\(server.port)") && lines.contains("Content-Type: application/json"))
        #expect(lines.contains("Content-Length: \(body.count)") && lines.contains("User-Agent: test") && lines.contains("Connection: close"))
        #expect(received == String(decoding: body, as: UTF8.self))
        let get = try await HTTPExchange.send("GET", server.url, timeout: .seconds(60))
        #expect(String(decoding: get.body, as: UTF8.self).hasPrefix("GET /\n"))
    }

    @Test func anyStatusIsAnAnswer() async throws {
        let server = try EchoServer()
        let missing = try await HTTPExchange.send("GET", server.url + "/status/404", timeout: .seconds(60))
        #expect(missing.status == 404 && String(decoding: missing.body, as: UTF8.self).hasPrefix("GET /status/404\n"))
        let failing = try await HTTPExchange.send("DELETE", server.url + "/status/503", timeout: .seconds(60))
        #expect(failing.status == 503)
    }

    @Test func boundedAnswersAndTime() async throws {
        let server = try EchoServer()
        let fits = try await HTTPExchange.send("GET", server.url + "/big/1000", timeout: .seconds(60), maxBody: 1000)
        #expect(fits.body.count == 1000)
        await #expect(throws: HTTPExchange.Failure("an answer larger than 1000 bytes")) {
            try await HTTPExchange.send("GET", server.url + "/big/1001", timeout: .seconds(60), maxBody: 1000)
        }
        // The server never answers within the test: an error at all, with the timeout's words,
        // proves the timeout (no upper bound on the time: a loaded machine fires timers late).
        await #expect(throws: HTTPExchange.Failure("no answer within 1 s")) {
            try await HTTPExchange.send("GET", server.url + "/slow", timeout: .seconds(1))
        }
        await #expect(throws: HTTPExchange.Failure("the connection closed before the answer ended")) {
            try await HTTPExchange.send("GET", server.url + "/hangup", timeout: .seconds(60))
        }
    }

    @Test func aSessionKeepsItsConnectionForRequestsInTurn() async throws {
        let server = try EchoServer()
        let (peers, exchanges, open) = try await HTTPSession.open(server.url + "/peer", connectTimeout: .seconds(60)) { session in
            var peers: Set<String> = []
            for _ in 0..<3 {
                let answer = try await session.send("POST", body: ByteBuffer(string: "x"), timeout: .seconds(60))
                #expect(answer.status == 200)
                peers.insert(String(decoding: answer.body, as: UTF8.self))
            }
            return (peers, session.exchanges, session.isOpen)
        }
        // One client port: the three requests went on one connection.
        #expect(peers.count == 1 && exchanges == 3 && open)
    }

    @Test func aSessionEndsWhenTheServerClosesOrTimeRunsOut() async throws {
        let server = try EchoServer()
        try await HTTPSession.open(server.url + "/close", connectTimeout: .seconds(60)) { session in
            let answer = try await session.send("GET", timeout: .seconds(60))
            #expect(answer.status == 200 && String(decoding: answer.body, as: UTF8.self) == "bye")
            #expect(!session.isOpen)
            await #expect(throws: HTTPExchange.Failure("the connection is closed")) { try await session.send("GET", timeout: .seconds(60)) }
        }
        try await HTTPSession.open(server.url + "/slow", connectTimeout: .seconds(60)) { session in
            await #expect(throws: HTTPExchange.Failure("no answer within 1 s")) { try await session.send("GET", timeout: .seconds(1)) }
            #expect(!session.isOpen)
        }
        await #expect(throws: HTTPExchange.Failure("Connection refused")) {
            try await HTTPSession.open("http://127.0.0.1:1/", connectTimeout: .seconds(60)) { _ in }
        }
    }

    @Test func noServer() async {
        await #expect(throws: HTTPExchange.Failure("Connection refused")) {
            try await HTTPExchange.send("GET", "http://127.0.0.1:1/", timeout: .seconds(60))
        }
    }
}

extension Array where Element == String {
    /// The two elements of a two-element array.
    fileprivate var pairs: (String, String)? { count == 2 ? (self[0], self[1]) : nil }
}
