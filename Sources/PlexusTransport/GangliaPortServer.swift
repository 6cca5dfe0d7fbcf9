import CompressNIO
import NIOCore
import NIOPosix
import PlexusCore

/// A `tcp_accept_channel` (gmond, gmetad's xml_port) or a one-line query port (gmetad's
/// interactive_port): a client gets one reply, then the connection is closed. On an XML port
/// nothing is read from the client; on a query port one request line is read first.
///
/// Every connection passes the daemon's `ClientGate` as it is accepted: an untrusted client, or
/// one past the daemon's connection budget, is closed before anything is read or rendered.
/// Each admitted client is served in its own child task with one deadline for the whole
/// exchange, so a slow or silent client can't hold anyone else up; a client that runs out of
/// time gets no render. With a `SharedRender`, clients asking the same thing within its age
/// share one render and one buffer.
public struct GangliaPortServer: Sendable {
    public typealias Client = NIOAsyncChannel<ByteBuffer, ByteBuffer>
    public typealias Listener = NIOAsyncChannel<Client, Never>

    public var allow: [CIDRBlock]
    public var gzip: Bool
    public var timeout: Duration
    /// Read one request line (up to CR or LF, at most this many bytes) before replying; nil for
    /// an XML port that reads nothing.
    public var requestLineLimit: Int?
    /// The connection budget shared by the daemon's ports.
    public var gate: ClientGate
    /// Renders shared between clients (nil: one render per client).
    public var shared: SharedRender?

    public init(
        allow: [CIDRBlock] = [], gzip: Bool = false, timeout: Duration = .seconds(10), requestLineLimit: Int? = nil,
        gate: ClientGate = ClientGate(limits: .init(total: 1024, perAddress: 1024)), shared: SharedRender? = nil
    ) {
        self.allow = allow
        self.gzip = gzip
        self.timeout = timeout
        self.requestLineLimit = requestLineLimit
        self.gate = gate
        self.shared = shared
    }

    /// One client's request, for the responder.
    public struct Request: Sendable {
        /// The request line without its line end (nil on an XML port, or if the client sent
        /// nothing before closing its side).
        public var line: String?
        /// The client's address.
        public var peer: String
    }

    /// Listens on `host:port` (port 0 picks a free one: see `localAddress` of the result). With
    /// `tls`, every connection speaks TLS (the handshake inside the client's deadline).
    public static func listen(host: String, port: Int, group: any EventLoopGroup, tls: TLSContext? = nil) async throws -> Listener {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .bind(host: host, port: port) { child in
                child.eventLoop.makeCompletedFuture {
                    if let tls { try child.pipeline.syncOperations.addHandler(tls.serverHandler()) }
                    return try Client(wrappingChannelSynchronously: child)
                }
            }
    }

    /// Serves clients until the listener closes or the task is cancelled. `document` renders the
    /// XML for one client; `report` hears about each client's outcome.
    public func serve(
        _ listener: Listener, document: @escaping @Sendable () async -> [UInt8],
        report: @escaping @Sendable (Outcome) -> Void = { _ in }
    ) async throws {
        try await serve(listener, respond: { _ in await document() }, report: report)
    }

    /// Serves clients until the listener closes or the task is cancelled; `render` computes the
    /// reply to each request on NIO's thread pool (`Offload`), never on the event loop that
    /// accepts: a render of megabytes held it long enough to stop accepting (the daemons run
    /// their tasks on the event loops).
    public func serve(
        _ listener: Listener, render: @escaping @Sendable (Request) -> [UInt8],
        report: @escaping @Sendable (Outcome) -> Void = { _ in }
    ) async throws {
        try await serve(listener, respond: { request in await Offload.run { render(request) } }, report: report)
    }

    /// Serves clients until the listener closes or the task is cancelled; `respond` makes the
    /// reply to each request (where it runs is its own business: see `serve(_:render:report:)`).
    public func serve(
        _ listener: Listener, respond: @escaping @Sendable (Request) async -> [UInt8],
        report: @escaping @Sendable (Outcome) -> Void = { _ in }
    ) async throws {
        try await withThrowingDiscardingTaskGroup { group in
            try await listener.executeThenClose { clients in
                for try await client in clients {
                    let peer = client.channel.remoteAddress
                    let (decision, address) = gate.admit(peer, allow: allow)
                    guard let address else {
                        // Closed here, without a task: nothing is read from it.
                        try? await client.executeThenClose { _, _ in }
                        if let decision {
                            report(.refused(decision, peer: peer?.description ?? "unknown peer"))
                        } else {
                            report(.failed("a client left (reset its connection) before it was accepted"))
                        }
                        continue
                    }
                    group.addTask {
                        defer { gate.release(address) }
                        let outcome = await self.serve(client, peer: address, respond: respond)
                        if case .served = outcome { gate.served(address) }
                        report(outcome)
                    }
                }
            }
        }
    }

    /// What happened to one client.
    public enum Outcome: Sendable, Equatable {
        case served(bytes: Int)
        case refused(ConnectionBudget.Decision, peer: String)
        case failed(String)
    }

    /// Clients of one port: served, refused at the door (untrusted or over the budget), failed
    /// (timeout, reset).
    public struct ClientCounts: Sendable, Equatable, Codable {
        public var served = 0
        public var refused = 0
        public var failed = 0

        public init() {}

        /// Counts `outcome`; returns the reason when the client failed (worth a log line).
        @discardableResult
        public mutating func record(_ outcome: Outcome) -> String? {
            switch outcome {
            case .served: served += 1
            case .refused: refused += 1
            case .failed(let reason):
                failed += 1
                return reason
            }
            return nil
        }
    }

    private func serve(_ client: Client, peer: IPAddress, respond: @escaping @Sendable (Request) async -> [UInt8]) async -> Outcome {
        let timeout = timeout
        do {
            return try await withThrowingTaskGroup(of: Outcome.self) { group in
                group.addTask {
                    try await client.executeThenClose { inbound, _ in
                        var request = Request(line: nil, peer: peer.description)
                        if let limit = requestLineLimit {
                            request.line = try await Self.readLine(from: inbound, limit: limit)
                        }
                        // A client whose time ran out while it was sending gets no render.
                        try Task.checkCancellation()
                        let bytes = await reply(to: request, respond)
                        try Task.checkCancellation()
                        // Wait until every byte is handed to the kernel before closing: closing right
                        // after an async write drops what is still queued (large documents).
                        try await client.channel.writeAndFlush(bytes).get()
                        return .served(bytes: bytes.readableBytes)
                    }
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return .failed("\(peer) did not complete its exchange within \(timeout)")
                }
                let first = try await group.next()!
                // Cancel first, then close: the exchange sees its cancellation before the end of
                // its input, so a half-sent request is never answered.
                group.cancelAll()
                client.channel.close(promise: nil)
                return first
            }
        } catch {
            client.channel.close(promise: nil)
            return .failed("\(peer): \(error)")
        }
    }

    /// The reply's bytes, gzipped if the port says so, shared when a `SharedRender` is set.
    private func reply(to request: Request, _ respond: @escaping @Sendable (Request) async -> [UInt8]) async -> ByteBuffer {
        let gzip = gzip
        let make: @Sendable () async -> ByteBuffer = {
            let bytes = ByteBuffer(bytes: await respond(request))
            guard gzip else { return bytes }
            // gmond's readers tell gzip by its magic bytes, so a failure can fall back to plain
            // text. Megabytes take tens of milliseconds: not on an event loop.
            return await Offload.run {
                var plain = bytes
                return (try? plain.compress(with: .gzip())) ?? bytes
            }
        }
        guard let shared else { return await make() }
        return await shared.value(for: request.line ?? "", make: make)
    }

    /// A request longer than the limit.
    public struct RequestTooLong: Error, CustomStringConvertible {
        public var description: String { "request line too long" }
    }

    /// Reads up to the first CR or LF (what follows is ignored, as gmetad does).
    private static func readLine(from inbound: NIOAsyncChannelInboundStream<ByteBuffer>, limit: Int) async throws -> String? {
        var line: [UInt8] = []
        for try await chunk in inbound {
            let view = chunk.readableBytesView
            if let end = view.firstIndex(where: { $0 == 0x0A || $0 == 0x0D }) {
                line += view[..<end]
                guard line.count <= limit else { throw RequestTooLong() }
                return String(decoding: line, as: UTF8.self)
            }
            line += view
            guard line.count <= limit else { throw RequestTooLong() }
        }
        return line.isEmpty ? nil : String(decoding: line, as: UTF8.self)
    }
}
