import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PlexusArchive
import PlexusCore
import PlexusTestSupport
import Testing

@testable import PlexusWeb

/// What load balancers, health checks and scripts expect of an HTTP server: HEAD wherever GET
/// is, 405 with `Allow` for a method a path doesn't take, JSON errors everywhere, 413 for a
/// body too large, pages of a long events list; and a long journal costs a graph nothing.
@Suite struct HTTPMannersTests {
    @Test func headAnswersWherever_getDoesAndOtherMethodsAre405WithAllow() async throws {
        let dir = try TemporaryDirectory(prefix: "plexus-manners")
        defer { dir.remove() }
        let layout = try await WebTests.archive(dir)
        try await WebTests.application(try WebTests.inputs(layout)).test(.router) { client in
            for uri in ["/", "/cluster/web", "/api/v1/grid", "/metrics", "/graph.png?host=web-1&metric=load_one", "/static/plexus.css", "/api/v1/events"] {
                let get = try await client.execute(uri: uri, method: .get) { ($0.status, $0.headers[.contentType]) }
                try await client.execute(uri: uri, method: .head) { response in
                    #expect(response.status == .ok && get.0 == .ok, "\(uri)")
                    #expect(response.headers[.contentType] == get.1 && response.body.readableBytes == 0, "\(uri)")
                }
            }
            for (uri, method, allow) in [
                ("/cluster/web", HTTPRequest.Method.post, "GET, HEAD"), ("/api/v1/events", .put, "GET, HEAD, POST"),
                ("/api/v1/events/3", .get, "DELETE"), ("/metrics", .delete, "GET, HEAD"),
            ] {
                try await client.execute(uri: uri, method: method) { response in
                    #expect(response.status == .methodNotAllowed, "\(method) \(uri)")
                    #expect(response.headers[.allow] == allow, "\(method) \(uri)")
                    let error = try WebTests.json(response.body) as? [String: Any]
                    #expect((error?["error"] as? String)?.contains("takes \(allow)") == true)
                }
            }
            try await client.execute(uri: "/api/v1/events", method: .options) { response in
                #expect(response.status == .noContent && response.headers[.allow] == "GET, HEAD, POST")
            }
            try await client.execute(uri: "/nowhere", method: .get) { response in
                #expect(response.status == .notFound && response.headers[.contentType] == "application/json; charset=utf-8")
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
            }
        }
    }

    @Test func eventsRefuseTimesOutOfRangeBidiOverridesAndBodiesTooLarge() async throws {
        let dir = try TemporaryDirectory(prefix: "plexus-manners")
        defer { dir.remove() }
        let inputs = try WebTests.inputs(RRDLayout(root: dir.appending("rrds")), token: "a-token-of-sixteen-chars")
        let bearer: HTTPFields = [.authorization: "Bearer a-token-of-sixteen-chars"]
        try await WebTests.application(inputs).test(.router) { client in
            for (body, reason) in [
                (#"{"text":"x","start":9223372036854775807}"#, "not between"), (#"{"text":"x","end":4102444801}"#, "not between"),
                (#"{"text":"deploy \u202Eesrever"}"#, "bidirectional"), (#"{"text":"x","cluster":"web\u2067"}"#, "bidirectional"),
            ] {
                try await client.execute(uri: "/api/v1/events", method: .post, headers: bearer, body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .badRequest, "\(body)")
                    #expect(String(buffer: response.body).contains(reason), "\(body): \(String(buffer: response.body))")
                }
            }
            let huge = ByteBuffer(string: #"{"text":""# + String(repeating: "x", count: 10 << 20) + #""}"#)
            try await client.execute(uri: "/api/v1/events", method: .post, headers: bearer, body: huge) { response in
                #expect(response.status == .contentTooLarge)
                #expect(response.headers[.connection] == "close", "the rest of the body is not read")
            }
            // Without a Content-Length (chunked), counted as it arrives.
            var chunked = bearer
            chunked[.transferEncoding] = "chunked"
            try await client.execute(uri: "/api/v1/events", method: .post, headers: chunked, body: huge) { response in
                #expect(response.status == .contentTooLarge)
            }
        }
        #expect(try inputs.events.read().events.isEmpty)
    }

    @Test func longEventListsComeInPagesThatFollowOneAnother() async throws {
        let dir = try TemporaryDirectory(prefix: "plexus-manners")
        defer { dir.remove() }
        let inputs = try WebTests.inputs(RRDLayout(root: dir.appending("rrds")))
        // Two events at each second: pages must split ties by id.
        for i in 0..<25 { _ = try inputs.events.add { Event(id: $0, start: WebTests.t0 + Int64(i / 2), text: "e\(i)", created: WebTests.t0) } }
        try await WebTests.application(inputs).test(.router) { client in
            var uri: String? = "/api/v1/events?limit=10&tag="
            var pages: [[String]] = []
            while let next = uri {
                uri = try await client.execute(uri: next, method: .get) { response in
                    let events = try #require(try WebTests.json(response.body) as? [[String: Any]])
                    pages.append(events.compactMap { $0["text"] as? String })
                    return response.headers[.init("Link")!].flatMap { link in
                        link.hasPrefix("<") ? String(link.dropFirst().prefix { $0 != ">" }) : nil
                    }
                }
            }
            #expect(pages.map(\.count) == [10, 10, 5])
            #expect(pages.reversed().flatMap { $0 } == (0..<25).map { "e\($0)" }, "every event once, in order")
            try await client.execute(uri: "/api/v1/events?before=soon", method: .get) { #expect($0.status == .badRequest) }
        }
    }

    @Test func theGridPageSaysWhileArchiveWritesFail() async throws {
        let dir = try TemporaryDirectory(prefix: "plexus-manners")
        defer { dir.remove() }
        var failing = WebTests.status()
        failing.archive.writer.failingSince = WebTests.now - 60
        failing.archive.writer.lastError = "rrd_create_r2: /r/web/web-1/load_one.rrd: No space left on device (errno 28)"
        let status = failing
        var inputs = try WebTests.inputs(RRDLayout(root: dir.appending("rrds")))
        inputs.status = { status }
        try await WebTests.application(inputs).test(.router) { client in
            let page = try await WebTests.page(client, "/")
            #expect(page.contains("id=\"archive-failing\">Archive writes failing since ") && page.contains("No space left on device (errno 28)"))
        }
        try await WebTests.application(try WebTests.inputs(RRDLayout(root: dir.appending("rrds")))).test(.router) { client in
            let page = try await WebTests.page(client, "/")
            #expect(!page.contains("archive-failing"))
        }
    }

    @Test func graphsReadOnlyWhatTheJournalGained() async throws {
        let dir = try TemporaryDirectory(prefix: "plexus-manners")
        defer { dir.remove() }
        let layout = try await WebTests.archive(dir)
        let inputs = try WebTests.inputs(layout, token: "a-token-of-sixteen-chars")
        let lines = (1...30_000).map {
            EventJournal.line(.add(Event(id: $0, start: WebTests.t0 + Int64($0 % 7200), text: "deploy \($0)", created: WebTests.t0)))
        }
        try lines.joined().write(toFile: inputs.events.path, atomically: false, encoding: .utf8)
        try await WebTests.application(inputs).test(.router) { client in
            let graph = "/graph.png?host=web-1&metric=load_one&start=\(WebTests.t0)&end=\(WebTests.now)"
            try await client.execute(uri: graph, method: .get) { #expect($0.status == .ok) }
            let read = inputs.journal.bytesRead
            #expect(read == lines.joined().utf8.count)
            for i in 0..<20 {
                try await client.execute(uri: graph + "&width=\(400 + i)", method: .get) { #expect($0.status == .ok) }
            }
            #expect(inputs.journal.bytesRead == read, "twenty graphs read nothing more")
            try await client.execute(
                uri: "/api/v1/events", method: .post, headers: [.authorization: "Bearer a-token-of-sixteen-chars"],
                body: ByteBuffer(string: #"{"text":"one more"}"#)
            ) { #expect($0.status == .created) }
            try await client.execute(uri: "/api/v1/events?limit=1", method: .get) { response in
                let events = try WebTests.json(response.body) as? [[String: Any]]
                #expect(events?.first?["id"] as? Int == 30_001)
            }
            #expect(inputs.journal.bytesRead < read + 1000, "an add reads what is new, not the journal")
        }
    }
}
