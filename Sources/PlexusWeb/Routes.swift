import Foundation
import Hummingbird
import Synchronization

/// The router as the route files see it: each route registered with Hummingbird and noted in a
/// `RouteBook`, so that a request with a method a path doesn't take is answered 405 with the
/// methods it does take (`Allow`), instead of Hummingbird's empty 404.
struct Routes {
    let router: Router<WebContext>
    let book: RouteBook
    var prefix = ""

    func get<Output: ResponseGenerator>(_ path: String, use handler: @escaping @Sendable (Request, WebContext) async throws -> Output) {
        on(path, .get, handler)
    }

    func post<Output: ResponseGenerator>(_ path: String, use handler: @escaping @Sendable (Request, WebContext) async throws -> Output) {
        on(path, .post, handler)
    }

    func delete<Output: ResponseGenerator>(_ path: String, use handler: @escaping @Sendable (Request, WebContext) async throws -> Output) {
        on(path, .delete, handler)
    }

    /// Routes below `prefix` (`api/v1`).
    func group(_ prefix: String) -> Routes {
        Routes(router: router, book: book, prefix: self.prefix + prefix + "/")
    }

    private func on<Output: ResponseGenerator>(
        _ path: String, _ method: HTTPRequest.Method,
        _ handler: @escaping @Sendable (Request, WebContext) async throws -> Output
    ) {
        let full = prefix + path
        router.on(RouterPath(full), method: method, use: handler)
        book.record(full, method)
    }
}

/// Which methods each path pattern takes (`cluster/:cluster`: GET), as the routes were added.
final class RouteBook: Sendable {
    private struct Entry {
        var segments: [Substring]
        var methods: Set<HTTPRequest.Method>
    }

    private let entries = Mutex<[Entry]>([])

    func record(_ pattern: String, _ method: HTTPRequest.Method) {
        let segments = Self.segments(pattern)
        entries.withLock { entries in
            if let i = entries.firstIndex(where: { $0.segments == segments }) {
                entries[i].methods.insert(method)
            } else {
                entries.append(Entry(segments: segments, methods: [method]))
            }
        }
    }

    /// The methods some pattern matching `path` takes (HEAD wherever GET is); empty when no
    /// pattern matches.
    func methods(for path: String) -> Set<HTTPRequest.Method> {
        let parts = Self.segments(path)
        var methods: Set<HTTPRequest.Method> = entries.withLock { entries in
            entries.filter { entry in
                entry.segments.count == parts.count && zip(entry.segments, parts).allSatisfy { $0.first == ":" || $0 == $1 }
            }.reduce(into: []) { $0.formUnion($1.methods) }
        }
        if methods.contains(.get) { methods.insert(.head) }
        return methods
    }

    static func segments(_ path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }
}

/// What every path answers beyond its routes: a JSON 404 for a path nobody serves, a JSON 405
/// with `Allow` for a method its path doesn't take, and `OPTIONS` with `Allow` (204).
struct HTTPManners: RouterMiddleware {
    typealias Context = WebContext
    let book: RouteBook

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            // Hummingbird's router found no route for this path and method (our own 404s are
            // `WebError`s: an unknown cluster, host or event).
            let allowed = book.methods(for: request.uri.path)
            guard !allowed.isEmpty else { throw WebError(.notFound, "nothing here: \(request.uri.path) (see docs/api.md)") }
            let allow = allowed.map(\.rawValue).sorted().joined(separator: ", ")
            if request.method == .options {
                return Response(status: .noContent, headers: [.allow: allow])
            }
            var response = try WebError(.methodNotAllowed, "\(request.method.rawValue) is not taken here; \(request.uri.path) takes \(allow)")
                .response(from: request, context: context)
            response.headers[.allow] = allow
            return response
        }
    }
}

extension Parameters {
    /// A name from the path (`/cluster/Web%20Servers`), percent-decoded: every URL the
    /// dashboard prints encodes names (`URLText.segments`), so every name it shows is
    /// reachable. A malformed escape or bytes that aren't UTF-8 answer 400.
    func name(_ key: String) throws -> String {
        let raw = try require(key)
        guard raw.contains("%") else { return raw }
        guard let decoded = raw.removingPercentEncoding else {
            throw WebError(.badRequest, "\(key) \(raw.debugDescription) is not a valid percent-encoded UTF-8 name")
        }
        return decoded
    }
}
