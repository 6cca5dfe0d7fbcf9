import FoundationEssentials
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import PlexusCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One HTTP/1.1 request and its answer over a connection of its own, `http` or `https` (the
/// system's trust roots): the CLI's `--server` calls and the aggregator's alert deliveries.
///
/// On SwiftNIO rather than Foundation's URLSession, which drags libcurl and its 26 libraries into
/// every start of the CLI and the aggregator (docs/BENCHMARKS.md). Bounded: `timeout` covers the
/// whole exchange (connect, handshake, request, answer), and an answer's body beyond `maxBody`
/// bytes is refused rather than held.
public enum HTTPExchange {
    public struct Answer: Sendable, Equatable {
        public var status: Int
        public var body: [UInt8]
    }

    /// Why there is no answer, said for a log line or an error message.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// Where a URL leads: scheme, host (an IPv6 address without brackets), port, and the path
    /// with its query as written (percent-encoding kept).
    public struct Target: Sendable, Equatable {
        public var tls: Bool
        public var host: String
        public var port: Int
        public var pathAndQuery: String

        public init(_ text: String) throws(Failure) {
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                let host = url.host(percentEncoded: false), !host.isEmpty
            else { throw Failure("not an http:// or https:// URL: \(text)") }
            tls = scheme == "https"
            self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
            port = url.port ?? (tls ? 443 : 80)
            let path = url.path(percentEncoded: true)
            pathAndQuery = (path.isEmpty ? "/" : path) + (url.query(percentEncoded: true).map { "?\($0)" } ?? "")
        }

        /// The `Host` header: brackets around an IPv6 address, the port unless it is the scheme's.
        public var hostHeader: String {
            let name = host.contains(":") ? "[\(host)]" : host
            return port == (tls ? 443 : 80) ? name : "\(name):\(port)"
        }
    }

    /// `method` (`GET`, `POST` ...) on `url`; the answer whatever its status. Throws when there is none.
    /// `tls`: the context of an https URL (its trusted CA); default the system's trust roots.
    public static func send(
        _ method: String, _ url: String, headers: [(String, String)] = [], body: [UInt8]? = nil, timeout: Duration,
        maxBody: Int = 16 << 20, tls: TLSContext? = nil, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws(Failure) -> Answer {
        let target = try Target(url)
        let open = OpenChannel()
        do {
            return try await withThrowingTaskGroup(of: Answer.self) { tasks in
                tasks.addTask {
                    try await exchange(
                        HTTPMethod(rawValue: method), target, headers: headers, body: body, timeout: timeout, maxBody: maxBody, tls: tls, group: group,
                        open: open)
                }
                tasks.addTask {
                    try await Task.sleep(for: timeout)
                    open.close()
                    throw Failure("no answer within \(timeout.components.seconds) s")
                }
                let answer = try await tasks.next()!
                tasks.cancelAll()
                return answer
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(describe(error))
        }
    }

    /// The connection, so that the timeout can close it: a request parked in NIO doesn't always
    /// notice its task's cancellation.
    final class OpenChannel: Sendable {
        private let channel = Mutex<(any Channel)?>(nil)
        func set(_ value: any Channel) { channel.withLock { $0 = value } }
        func close() { channel.withLock { $0 }?.close(promise: nil) }
    }

    static func exchange(
        _ method: HTTPMethod, _ target: Target, headers: [(String, String)], body: [UInt8]?, timeout: Duration, maxBody: Int,
        tls: TLSContext?, group: any EventLoopGroup, open: OpenChannel
    ) async throws -> Answer {
        let channel = try await connect(target, timeout: timeout, tls: tls, group: group)
        open.set(channel.channel)
        return try await channel.executeThenClose { inbound, outbound in
            var answers = inbound.makeAsyncIterator()
            return try await request(
                method, target, headers: headers, body: body.map { ByteBuffer(bytes: $0) }, keepAlive: false, maxBody: maxBody, outbound, &answers
            ).answer
        }
    }

    typealias ClientChannel = NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>

    /// A connection to `target` with HTTP/1.1 (in TLS for https) on it.
    static func connect(_ target: Target, timeout: Duration, tls: TLSContext?, group: any EventLoopGroup) async throws -> ClientChannel {
        let sslContext = target.tls ? try tls?.context ?? NIOSSLContext(configuration: .makeClientConfiguration()) : nil
        return try await ClientBootstrap(group: group)
            .connectTimeout(.nanoseconds(Int64(timeout / .nanoseconds(1))))
            .connect(host: target.host, port: target.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        let serverName = IPAddress(target.host) == nil ? target.host : nil
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: sslContext, serverHostname: serverName))
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try ClientChannel(wrappingChannelSynchronously: channel)
                }
            }
    }

    /// One request written and its answer read; `open`: whether the connection stays open after
    /// it (the server said neither `Connection: close` nor HTTP/1.0).
    static func request(
        _ method: HTTPMethod, _ target: Target, headers extra: [(String, String)], body: ByteBuffer?, keepAlive: Bool, maxBody: Int,
        _ outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>,
        _ answers: inout NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator
    ) async throws -> (answer: Answer, open: Bool) {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: target.hostHeader)
        for (name, value) in extra { headers.add(name: name, value: value) }
        if let body { headers.add(name: "Content-Length", value: String(body.readableBytes)) }
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        // One write for the whole request. If it fails, the answer may still have come (a
        // server that answers and closes before the request is all written; a failed TLS
        // handshake's reason arrives inbound): read the inbound either way.
        var parts: [HTTPClientRequestPart] = [.head(HTTPRequestHead(version: .http1_1, method: method, uri: target.pathAndQuery, headers: headers))]
        if let body { parts.append(.body(.byteBuffer(body))) }
        parts.append(.end(nil))
        var writeError: (any Error)?
        do {
            try await outbound.write(contentsOf: parts)
        } catch {
            writeError = error
        }
        var status: Int?
        var open = keepAlive
        var received: [UInt8] = []
        while let part = try await answers.next() {
            switch part {
            case .head(let head):
                status = Int(head.status.code)
                open = open && head.isKeepAlive
            case .body(let buffer):
                guard received.count + buffer.readableBytes <= maxBody else { throw Failure("an answer larger than \(maxBody) bytes") }
                received += buffer.readableBytesView
            case .end: return (Answer(status: status ?? 0, body: received), open)
            }
        }
        if let writeError { throw writeError }
        throw Failure("the connection closed before the answer ended")
    }

    /// A network error in a few words: the system's for a failed call (`Connection refused`).
    public static func describe(_ error: any Error) -> String {
        if let connection = error as? NIOConnectionError, let first = connection.connectionErrors.first {
            if let io = first.error as? IOError { return String(cString: strerror(io.errnoCode)) }
            return "\(first.error)"
        }
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)) }
        if error is NIOConnectionError { return "cannot resolve the host" }
        return "\(error)"
    }
}
