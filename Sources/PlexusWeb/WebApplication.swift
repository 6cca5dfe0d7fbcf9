import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTPTypes
import PlexusArchive
import PlexusCore
import PlexusTransport

/// The aggregator's HTTP side on `http_port`: graphs, the JSON API, the events API and
/// `/metrics`. A Hummingbird `Application`, which is a `Service`: the aggregator runs it in its
/// own `ServiceGroup`.
public enum WebApplication {
    /// Every connection passes `gate` as it is accepted (`http_trusted_hosts` and the daemon's
    /// connection budget): a refused one is closed before its request is read. A connection
    /// that takes more than `idleTimeout` to send a request, or sits idle that long between
    /// requests, is closed.
    public static func make(
        inputs: WebInputs, host: String, port: Int, logger: Logger, gate: ClientGate, idleTimeout: Duration = .seconds(15),
        peerLog: ThrottledLog? = nil, reader: ArchiveReader? = nil, onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let allow = inputs.trusted
        let log = peerLog ?? ThrottledLog(logger: logger)
        return Application(
            router: router(inputs: inputs, logger: logger, reader: reader),
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [
                        ClientGateHandler(
                            gate: gate, allow: allow,
                            onRefused: { decision, peer in
                                log.log(.notice, "HTTP client refused: \(decision)", detail: peer)
                            }), CloseAfterResponse(),
                    ],
                    idleTimeout: TimeAmount(idleTimeout))),
            configuration: .init(address: .hostname(host, port: port), serverName: "plexus-aggregator"),
            onServerRunning: onServerRunning, logger: logger)
    }

    /// Every route, behind the trust check and the security headers. `reader` reads the archive
    /// (the aggregator runs it as a service of its own, so it is shut down); one is made when
    /// none is given.
    public static func router(inputs: WebInputs, logger: Logger, reader: ArchiveReader? = nil) -> Router<WebContext> {
        // HEAD wherever GET is (load balancers' and monitors' health checks use it).
        let router = Router(context: WebContext.self, options: .autoGenerateHeadEndpoints)
        let routes = Routes(router: router, book: RouteBook())
        router.add(middleware: SecurityHeaders())
        router.add(middleware: HTTPManners(book: routes.book))
        router.add(middleware: TrustedClients(trusted: inputs.trusted))
        let reader = reader ?? ArchiveReader(store: ArchiveStore(layout: inputs.layout), rrdcached: inputs.rrdcached)
        APIRoutes(inputs: inputs, reader: reader).add(to: routes)
        GraphRoutes(inputs: inputs, reader: reader, cache: GraphCache()).add(to: routes)
        EventRoutes(inputs: inputs).add(to: routes)
        AlertRoutes(inputs: inputs).add(to: routes)
        MetricsRoute(inputs: inputs).add(to: routes)
        StaticFiles.add(to: routes)
        // The templates are compiled into the binary and parsed here; a broken one is a
        // programmer's error that every test run would show at once.
        do {
            try Pages(inputs: inputs).add(to: routes)
        } catch {
            preconditionFailure("a dashboard template does not parse: \(error)")
        }
        return router
    }
}

/// Closes the connection once a response that says `Connection: close` is sent (Hummingbird
/// would otherwise read on: a refused 10 MB body to its end, or wait for one the client never
/// sends after `Expect: 100-continue`).
final class CloseAfterResponse: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart
    private var closing = false

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let part = unwrapOutboundIn(data)
        switch part {
        case .head(let head):
            closing = head.headerFields[.connection]?.lowercased() == "close"
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            guard closing else { return context.write(data, promise: promise) }
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.cascade(to: promise)
            written.futureResult.whenComplete { [context] _ in context.close(promise: nil) }
            context.writeAndFlush(data, promise: written)
        }
    }
}

/// Headers every answer carries: no sniffing, no framing, no referrer, and a content security
/// policy that allows only this origin (no inline script, no external assets).
struct SecurityHeaders: RouterMiddleware {
    typealias Context = WebContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[.contentSecurityPolicy] = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.init("X-Frame-Options")!] = "DENY"
        response.headers[.init("Referrer-Policy")!] = "no-referrer"
        return response
    }
}

/// `http_trusted_hosts`: when set, only those clients (and loopback) may read anything.
struct TrustedClients: RouterMiddleware {
    typealias Context = WebContext
    /// Empty: everyone.
    let trusted: [CIDRBlock]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !trusted.isEmpty else { return try await next(request, context) }
        guard let address = context.remoteAddress?.ipAddress.flatMap(IPAddress.init), trusted.allows(address) else {
            throw WebError(.forbidden, "this address may not read the dashboard (http_trusted_hosts)")
        }
        return try await next(request, context)
    }
}

/// An error answered as `{"error": "..."}` with its status.
struct WebError: HTTPResponseError {
    let status: HTTPResponse.Status
    let message: String

    init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = JSONBody.response("{\"error\":\(ExportText.quoted(message))}\n", status: status)
        if status == .serviceUnavailable { response.headers[.retryAfter] = "5" }
        // A body too large is left unread: the connection can't carry another request.
        if status == .contentTooLarge { response.headers[.connection] = "close" }
        return response
    }
}

/// Small JSON helpers for hand-built answers.
enum JSONBody {
    static func response(_ body: String, status: HTTPResponse.Status = .ok, cache: String = "no-store") -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: cache],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// A number as `JSONEncoder` writes it (whole numbers without a fraction); nil for NaN and
    /// infinities, which JSON doesn't have.
    static func number(_ d: Double) -> String? {
        guard d.isFinite else { return nil }
        return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : d.description
    }

    /// `value` as JSON. Shapes hold numbers through `Double.finite`, so this fails only on a
    /// programming error, and then answers 500 with the reason: never a 200 with a `null` body.
    static func encode<T: Encodable>(_ value: T) throws(WebError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
        } catch {
            throw WebError(.internalServerError, "cannot write the answer as JSON: \(error)")
        }
    }
}

extension Request {
    /// A query parameter, nil when absent or empty.
    func parameter(_ name: String) -> String? {
        uri.queryParameters[Substring(name)].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
    }
}
