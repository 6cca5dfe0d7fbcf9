import Foundation
import Hummingbird
import NIOCore
import NIOPosix
import PlexusArchive
import PlexusCore

/// `/api/v1/events`: the journal `plexus events` writes, over HTTP. Reading is open (as the
/// graphs that show events are); adding and removing need `Authorization: Bearer <events_token>`.
struct EventRoutes {
    let inputs: WebInputs

    func add(to router: Routes) {
        router.get("api/v1/events") { request, _ in try await list(request) }
        router.post("api/v1/events") { request, context in try await add(request, context: context) }
        router.delete("api/v1/events/:id") { request, context in try await remove(request, id: try context.parameters.require("id")) }
    }

    /// Events one answer lists at most (`limit=` up to this; 500 when not given).
    static let maxListed = 5000
    /// The largest body `POST` takes: an event is at most 500 characters of text, two
    /// patterns of 255 and a few tags.
    static let maxBody = 16 << 10

    /// `?start=&end=&cluster=&host=&tag=&limit=&before=`: the events overlapping the range
    /// (default: all) that a graph of the cluster (and host) would show, oldest first; the
    /// latest `limit` of them. When more match, `X-Plexus-Events-Omitted` says how many and
    /// `Link: <…&before=START.ID>; rel="next"` asks for the page before this one.
    func list(_ request: Request) async throws -> Response {
        let now = inputs.clock()
        let from = try request.parameter("start").map { try time($0, "start", now: now) } ?? Int64.min
        let to = try request.parameter("end").map { try time($0, "end", now: now) } ?? Int64.max
        let cluster = request.parameter("cluster"), host = request.parameter("host"), tag = request.parameter("tag")
        if host != nil && cluster == nil { throw WebError(.badRequest, "host needs cluster") }
        let limit =
            try request.parameter("limit").map { text -> Int in
                guard let limit = Int(text), (1...Self.maxListed).contains(limit) else { throw WebError(.badRequest, "limit must be 1…\(Self.maxListed)") }
                return limit
            } ?? 500
        let before = try request.parameter("before").map { text -> (Int64, Int) in
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 2, let start = Int64(parts[0]), let id = Int(parts[1]) else {
                throw WebError(.badRequest, "before is START.ID, as the Link header of the previous page gives it")
            }
            return (start, id)
        }
        var events = Event.select(
            try await inputs.currentEvents().events, start: from, end: to,
            scope: Event.Scope(cluster: cluster, host: host), tag: tag)
        if let before { events = events.filter { ($0.start, $0.id) < before } }
        let page = events.suffix(limit)
        var response = JSONBody.response(try JSONBody.encode(page.map(EventJSON.init)))
        if events.count > limit, let first = page.first {
            response.headers[.init("X-Plexus-Events-Omitted")!] =
                "\(events.count - limit) earlier events (follow Link, narrow start and end, or raise limit up to \(Self.maxListed))"
            var query = request.uri.queryParameters.filter { $0.key != "before" }.map { (String($0.key), String($0.value)) }
            query.append(("before", "\(first.start).\(first.id)"))
            response.headers[.init("Link")!] = "<\(URLText.path(request.uri.path, query))>; rel=\"next\""
        }
        return response
    }

    /// A JSON body of at most `maxBody` bytes: `{"text": "...", "start": 1764064800 or "-10m",
    /// "end": ..., "tags": [...], "cluster": "web*", "host": "web-1"}`; only `text` is required.
    /// A larger body is answered 413 and the connection closed (its rest is never read).
    func add(_ request: Request, context: WebContext) async throws -> Response {
        try authorize(request)
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > Self.maxBody {
            throw tooLarge()
        }
        let body: NewEvent
        do {
            var request = request
            let buffer = try await request.collectBody(upTo: Self.maxBody)
            body = try JSONDecoder().decode(NewEvent.self, from: Data(buffer.readableBytesView))
        } catch is NIOTooManyBytesError {
            throw tooLarge()
        } catch {
            throw WebError(.badRequest, "the body must be a JSON object with at least \"text\"")
        }
        let now = inputs.clock()
        let start = try body.start.map { try time($0.text, "start", now: now) } ?? now
        let end = try body.end.map { try time($0.text, "end", now: now) }
        let proposed = Event(
            id: 1, start: start, end: end, text: body.text, tags: body.tags ?? [], cluster: body.cluster, host: body.host,
            created: now)
        if let problem = proposed.problem() { throw WebError(.badRequest, problem) }
        let journal = inputs.journal
        do {
            let event = try await NIOThreadPool.singleton.runIfActive {
                try journal.add { id in
                    var event = proposed
                    event.id = id
                    return event
                }
            }
            return JSONBody.response(try JSONBody.encode(EventJSON(event)), status: .created)
        } catch {
            throw WebError(.internalServerError, "cannot record the event: \(error)")
        }
    }

    /// 413, and the connection closed once it is sent (`CloseAfterResponse`): the rest of the
    /// body is never read.
    private func tooLarge() -> WebError {
        WebError(.contentTooLarge, "an event's body is at most \(Self.maxBody) bytes")
    }

    func remove(_ request: Request, id text: String) async throws -> Response {
        try authorize(request)
        guard let id = Int(text) else { throw WebError(.badRequest, "an event id is a number") }
        let removed: Event?
        let (journal, now) = (inputs.journal, inputs.clock())
        do {
            removed = try await NIOThreadPool.singleton.runIfActive { try journal.remove(id: id, at: now) }
        } catch {
            throw WebError(.internalServerError, "cannot remove the event: \(error)")
        }
        guard let removed else { throw WebError(.notFound, "no event with id \(id)") }
        return JSONBody.response(try JSONBody.encode(EventJSON(removed)))
    }

    /// The bearer token, compared in constant time; no token configured refuses every write.
    private func authorize(_ request: Request) throws {
        guard let token = inputs.eventsToken else {
            throw WebError(.forbidden, "this aggregator takes no events over HTTP (set events_token)")
        }
        let given = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil } ?? ""
        let a = Array(given.utf8), b = Array(token.utf8)
        var difference = a.count ^ b.count
        for i in 0..<max(a.count, b.count) {
            difference |= Int((i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0))
        }
        guard difference == 0 else { throw WebError(.unauthorized, "a valid \"Authorization: Bearer <events_token>\" header is needed") }
    }

    private func time(_ text: String, _ what: String, now: Int64) throws -> Int64 {
        do {
            return try SeriesSelection.time(text, what, now: now)
        } catch {
            throw WebError(.badRequest, error.message)
        }
    }
}

/// The body of `POST /api/v1/events`.
struct NewEvent: Decodable {
    /// A time as a number of seconds or as text (`-10m`, `2026-11-25T14:05`).
    struct Time: Decodable {
        var text: String

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let seconds = try? container.decode(Int64.self) {
                text = String(seconds)
            } else {
                text = try container.decode(String.self)
            }
        }
    }

    var text: String
    var start: Time?
    var end: Time?
    var tags: [String]?
    var cluster: String?
    var host: String?
}

/// An event as the API shows it (null for what it lacks).
struct EventJSON: Encodable {
    var event: Event

    init(_ event: Event) {
        self.event = event
    }

    enum Key: String, CodingKey { case id, start, end, text, tags, cluster, host, created }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(event.id, forKey: .id)
        try c.encode(event.start, forKey: .start)
        try c.encode(event.end, forKey: .end)
        try c.encode(event.text, forKey: .text)
        try c.encode(event.tags, forKey: .tags)
        try c.encode(event.cluster, forKey: .cluster)
        try c.encode(event.host, forKey: .host)
        try c.encode(event.created, forKey: .created)
    }
}
