import Foundation
import Hummingbird
import PlexusArchive
import PlexusCore
import PlexusTransport
import Synchronization

/// `/graph.png` and `/graph.svg`: the CLI's graphs, with its words as parameters (`cluster`,
/// `host`, `grid`, `metric` or `report`, `range` or `start`/`end`, `size` or `width`/`height`,
/// `title`, `events=0`), events drawn, each picture cached for a few seconds (a wall screen and
/// ten browsers asking for the same graph cost one render). Identical requests arriving while
/// their graph is drawn wait for that one render; at most `renders.limit` different graphs are
/// drawn or waiting at once, and past that a request is answered 503 at once.
struct GraphRoutes {
    let inputs: WebInputs
    let reader: ArchiveReader
    let cache: GraphCache
    var renders: SingleFlight<GraphRequest, [UInt8]> { inputs.graphRenders }

    func add(to router: Routes) {
        router.get("graph.png") { request, _ in try await graph(request, format: .png) }
        router.get("graph.svg") { request, _ in try await graph(request, format: .svg) }
    }

    func graph(_ request: Request, format: GraphArguments.ImageFormat) async throws -> Response {
        let now = inputs.clock()
        let (layout, limits) = (inputs.layout, inputs.timeLimits)
        // The names are checked against the archive's directories: off the event loops.
        var graph = try await inputs.offLoop { try WebSelection.request(request, layout: layout, now: now, limits: limits) }
        graph.format = format
        if let size = request.parameter("size") {
            guard let named = GraphRequest.Size(rawValue: size) else {
                throw WebError(
                    .badRequest, "unknown size \(size.debugDescription) (known: \(GraphRequest.Size.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            (graph.width, graph.height) = named.dimensions
        }
        for (name, keyPath) in [("width", \GraphRequest.width), ("height", \GraphRequest.height)] {
            guard let text = request.parameter(name) else { continue }
            guard let pixels = Int(text), (10...4000).contains(pixels) else { throw WebError(.badRequest, "\(name) must be 10…4000 pixels") }
            graph[keyPath: keyPath] = pixels
        }
        graph.title = request.parameter("title").map { String($0.prefix(200)) }
        if request.parameter("events") != "0" { graph.mark(try await inputs.currentEvents().events, now: now) }
        let key = graph
        let image: [UInt8]
        if let cached = cache.image(for: key, now: now) {
            image = cached
        } else {
            do {
                // Planned in the flight, off the event loops (it lists the archive's directories),
                // with no suspension between the cache and the flight: identical requests join one.
                image = try await renders.run(key) { [reader, cache, inputs] in
                    let arguments: GraphArguments
                    do {
                        arguments = try await inputs.offLoop { try GraphArguments(key, catalog: ArchiveCatalog(layout: layout), now: now) }
                    } catch let error as RRDError {
                        throw WebError(.notFound, error.message)
                    }
                    let image = try await reader.render(arguments).image
                    cache.store(image, for: key, now: now)
                    return image
                }
            } catch let busy as SingleFlight<GraphRequest, [UInt8]>.Busy {
                throw WebError(.serviceUnavailable, "\(busy)")
            } catch let error as RRDError {
                throw WebError(.internalServerError, "cannot draw the graph: \(error.message)")
            }
        }
        let type = format == .png ? "image/png" : "image/svg+xml"
        return Response(
            status: .ok, headers: [.contentType: type, .cacheControl: "max-age=\(GraphCache.seconds)"],
            body: .init(byteBuffer: .init(bytes: image)))
    }
}

/// Rendered pictures by request, for `seconds`; at most `limit` kept (the oldest go first).
final class GraphCache: Sendable {
    static let seconds: Int64 = 10
    let limit: Int
    private let entries = Mutex<[GraphRequest: (image: [UInt8], made: Int64)]>([:])

    init(limit: Int = 256) {
        self.limit = limit
    }

    func image(for request: GraphRequest, now: Int64) -> [UInt8]? {
        entries.withLock { entries in
            guard let entry = entries[request], now - entry.made < Self.seconds else { return nil }
            return entry.image
        }
    }

    func store(_ image: [UInt8], for request: GraphRequest, now: Int64) {
        entries.withLock { entries in
            entries = entries.filter { now - $0.value.made < Self.seconds }
            if entries.count >= limit, let oldest = entries.min(by: { $0.value.made < $1.value.made })?.key {
                entries[oldest] = nil
            }
            entries[request] = (image, now)
        }
    }
}
