import CompressNIO
import NIOCore
import NIOPosix
import PlexusCore

/// A `tcp_accept_channel`: every client gets the current XML document, then the connection is
/// closed (gmond reads nothing from the client). Each client is served in its own child task
/// with a deadline, so a slow reader can't hold anyone else up.
public struct XMLServer: Sendable {
    public typealias Client = NIOAsyncChannel<ByteBuffer, ByteBuffer>
    public typealias Listener = NIOAsyncChannel<Client, Never>

    /// Counters a server keeps.
    public struct Statistics: Sendable {
        public var served = 0
        public var refused = 0
        public var failed = 0
    }

    public var allow: [CIDRBlock]
    public var gzip: Bool
    public var timeout: Duration

    public init(allow: [CIDRBlock] = [], gzip: Bool = false, timeout: Duration = .seconds(10)) {
        self.allow = allow
        self.gzip = gzip
        self.timeout = timeout
    }

    /// Listens on `host:port` (port 0 picks a free one: see `localAddress` of the result).
    public static func listen(host: String, port: Int, group: any EventLoopGroup) async throws -> Listener {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .bind(host: host, port: port) { child in
                child.eventLoop.makeCompletedFuture { try Client(wrappingChannelSynchronously: child) }
            }
    }

    /// Serves clients until the listener closes or the task is cancelled. `document` renders the
    /// XML for one client; `report` hears about each client's outcome.
    public func serve(
        _ listener: Listener, document: @escaping @Sendable () async -> [UInt8],
        report: @escaping @Sendable (Outcome) -> Void = { _ in }
    ) async throws {
        try await withThrowingDiscardingTaskGroup { group in
            try await listener.executeThenClose { clients in
                for try await client in clients {
                    group.addTask {
                        report(await self.serve(client, document: document))
                    }
                }
            }
        }
    }

    /// What happened to one client.
    public enum Outcome: Sendable, Equatable {
        case served(bytes: Int)
        case refused(String)
        case failed(String)
    }

    private func serve(_ client: Client, document: @escaping @Sendable () async -> [UInt8]) async -> Outcome {
        let peer = client.channel.remoteAddress
        guard let peerIP = peer?.ipAddress.flatMap(IPAddress.init), allow.allows(peerIP) else {
            try? await client.channel.close()
            return .refused(peer?.description ?? "unknown peer")
        }
        do {
            return try await withThrowingTaskGroup(of: Outcome.self) { group in
                group.addTask {
                    var bytes = client.channel.allocator.buffer(bytes: await document())
                    if gzip { bytes = try bytes.compress(with: .gzip) }
                    let count = bytes.readableBytes
                    // Wait until every byte is handed to the kernel before closing: closing right
                    // after an async write drops what is still queued (large documents).
                    try await client.channel.writeAndFlush(bytes).get()
                    try await client.channel.close()
                    return .served(bytes: count)
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    try? await client.channel.close()
                    return .failed("\(peer?.description ?? "client") did not read the document within \(timeout)")
                }
                let first = try await group.next()!
                group.cancelAll()
                return first
            }
        } catch {
            try? await client.channel.close()
            return .failed("\(error)")
        }
    }
}
