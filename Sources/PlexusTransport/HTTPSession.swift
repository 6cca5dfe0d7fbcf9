import NIOCore
import NIOHTTP1
import NIOPosix
import PlexusCore

/// One HTTP/1.1 connection kept open for requests in turn (keep-alive), for a sender that
/// posts to the same URL every few seconds: a connection of its own per request (`HTTPExchange`)
/// costs a resolution, a connect and a close each time, on both sides (docs/BENCHMARKS.md,
/// "Exports"). `open` connects and runs `body` with the session; the connection closes when
/// `body` returns or throws, or after an answer the server said it closes after.
public final class HTTPSession {
    let target: HTTPExchange.Target
    private let channel: any Channel
    private let outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>
    private var answers: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator
    /// Answers read on this connection.
    public private(set) var exchanges = 0
    /// Whether another request can go on this connection.
    public private(set) var isOpen = true

    init(
        target: HTTPExchange.Target, channel: any Channel, outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>,
        answers: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator
    ) {
        self.target = target
        self.channel = channel
        self.outbound = outbound
        self.answers = answers
    }

    /// A connection to `url` (`connectTimeout` for it and TLS's handshake to begin), then `body`.
    public static func open<Result>(
        _ url: String, connectTimeout: Duration, tls: TLSContext? = nil, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        _ body: (HTTPSession) async throws -> Result
    ) async throws -> Result {
        let target = try HTTPExchange.Target(url)
        let channel: HTTPExchange.ClientChannel
        do {
            channel = try await HTTPExchange.connect(target, timeout: connectTimeout, tls: tls, group: group)
        } catch {
            throw HTTPExchange.Failure(HTTPExchange.describe(error))
        }
        return try await channel.executeThenClose { inbound, outbound in
            try await body(HTTPSession(target: target, channel: channel.channel, outbound: outbound, answers: inbound.makeAsyncIterator()))
        }
    }

    /// `method` on the session's URL and the answer, within `timeout` (the connection is closed
    /// when it passes: the session is then over). `body` goes as it is: a sender that fills
    /// the same buffer for each request gets its memory back once the request is written.
    public func send(
        _ method: String, headers: [(String, String)] = [], body: ByteBuffer? = nil, timeout: Duration, maxBody: Int = 16 << 20
    ) async throws(HTTPExchange.Failure) -> HTTPExchange.Answer {
        guard isOpen else { throw HTTPExchange.Failure("the connection is closed") }
        do {
            let (answer, open) = try await channel.closing(after: timeout) {
                try await HTTPExchange.request(
                    HTTPMethod(rawValue: method), target, headers: headers, body: body, keepAlive: true, maxBody: maxBody, outbound, &answers)
            }
            exchanges += 1
            isOpen = open
            return answer
        } catch {
            isOpen = false
            if error is ChannelDeadline { throw HTTPExchange.Failure("no answer within \(timeout.components.seconds) s") }
            if let failure = error as? HTTPExchange.Failure { throw failure }
            throw HTTPExchange.Failure(HTTPExchange.describe(error))
        }
    }
}
