import NIOCore
import NIOPosix
import PlexusCore
import PlexusExport
import PlexusTransport
import ServiceLifecycle

/// Sends a destination's queue to carbon (`carbon_protocol`): over one lasting TCP connection,
/// batches of lines in one write each, or as datagrams of whole lines. A failed connection or
/// write keeps the batch and tries again after a backoff (1 s doubling to 10 s); meanwhile the
/// queue fills up to its bound. gmetad opened a connection per value and gave up after
/// `carbon_timeout`: here `carbon_timeout` bounds connecting, and a write may take ten times
/// as long (at least 5 s) before the connection is dropped and made again.
final class GraphiteSender: Service, Sendable {
    let destination: ExportDestination
    let configuration: ExportConfiguration.Graphite
    let group: any EventLoopGroup

    /// Lines in one write (about 400 KB).
    static let batch = 5000
    /// The largest datagram: whole lines, under a typical path MTU so none is fragmented.
    static let datagramBytes = 1400

    init(destination: ExportDestination, configuration: ExportConfiguration.Graphite, group: any EventLoopGroup) {
        self.destination = destination
        self.configuration = configuration
        self.group = group
    }

    private var connectTimeout: TimeAmount { .milliseconds(Int64(configuration.timeoutMilliseconds)) }
    private var writeTimeout: Duration { .milliseconds(max(5000, configuration.timeoutMilliseconds * 10)) }

    func run() async throws {
        let link = Link()
        try? await cancelWhenGracefulShutdown {
            var backoff = Backoff(minimum: 1, maximum: 10)
            var pending: (count: Int, lines: ArraySlice<UInt8>)?
            while !Task.isCancelled {
                if pending == nil {
                    let batch = self.destination.take(max: Self.batch)
                    if batch.count == 0 {
                        await self.destination.wake.sleep(seconds: 60)
                        continue
                    }
                    pending = (batch.count, batch.bytes)
                }
                guard let batch = pending else { continue }
                do {
                    try await self.send(batch.lines, over: link)
                    self.destination.sent(batch.count)
                    backoff.succeeded()
                    pending = nil
                } catch {
                    link.close()
                    self.destination.failed(batch.count, "\(self.configuration.server):\(self.configuration.port): \(HTTPExchange.describe(error))")
                    try await Task.sleep(for: .seconds(backoff.failed(jitter: Double.random(in: 0..<1))))
                }
            }
        }
        link.close()
    }

    private func send(_ lines: ArraySlice<UInt8>, over link: Link) async throws {
        guard !lines.isEmpty else { return }
        switch configuration.transport {
        case .tcp:
            let channel = try await link.channel { try await self.connect() }
            // A write that makes no progress (carbon stopped reading) ends with the connection.
            try await channel.closing(after: writeTimeout) { try await channel.writeAndFlush(ByteBuffer(bytes: lines)) }
        case .udp:
            let (channel, address) = try await link.datagram { try await self.bindDatagram() }
            for datagram in Self.datagrams(lines, limit: Self.datagramBytes) {
                try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: ByteBuffer(bytes: datagram)))
            }
        }
    }

    private func connect() async throws -> any Channel {
        try await ClientBootstrap(group: group)
            .connectTimeout(connectTimeout)
            .channelOption(ChannelOptions.socketOption(.so_keepalive), value: 1)
            .connect(host: configuration.server, port: configuration.port).get()
    }

    private func bindDatagram() async throws -> (any Channel, SocketAddress) {
        let (server, port) = (configuration.server, configuration.port)
        // getaddrinfo blocks: off the event loops and the cooperative pool.
        let address = try await NIOThreadPool.singleton.runIfActive { try SocketAddress.makeAddressResolvingHost(server, port: port) }
        let any = address.protocol == .inet6 ? "::" : "0.0.0.0"
        let channel = try await DatagramBootstrap(group: group).bind(host: any, port: 0).get()
        return (channel, address)
    }

    /// `lines` cut at line ends into pieces of at most `limit` bytes (a longer line goes alone).
    static func datagrams(_ lines: ArraySlice<UInt8>, limit: Int) -> [ArraySlice<UInt8>] {
        var pieces: [ArraySlice<UInt8>] = []
        var start = lines.startIndex
        var lineStart = lines.startIndex
        for i in lines.indices where lines[i] == UInt8(ascii: "\n") {
            if i + 1 - start > limit, lineStart > start {
                pieces.append(lines[start..<lineStart])
                start = lineStart
            }
            lineStart = i + 1
        }
        if start < lines.endIndex { pieces.append(lines[start...]) }
        return pieces
    }

    /// The connection (or datagram socket) kept between batches; made again after a failure.
    final class Link: @unchecked Sendable {
        // Used by the sender's one task only, and closed by it.
        private var stream: (any Channel)?
        private var socket: (channel: any Channel, address: SocketAddress)?

        func channel(_ make: () async throws -> any Channel) async throws -> any Channel {
            if let stream, stream.isActive { return stream }
            stream?.close(promise: nil)
            let made = try await make()
            stream = made
            return made
        }

        func datagram(_ make: () async throws -> (any Channel, SocketAddress)) async throws -> (any Channel, SocketAddress) {
            if let socket, socket.channel.isActive { return socket }
            let made = try await make()
            socket = made
            return made
        }

        func close() {
            stream?.close(promise: nil)
            socket?.channel.close(promise: nil)
            stream = nil
            socket = nil
        }
    }
}
