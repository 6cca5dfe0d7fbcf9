import NIOCore
import NIOPosix
import PlexusCore

/// One `udp_recv_channel`: a bound UDP socket, joined to a multicast group when configured.
public enum UDPReceiver {
    public typealias Channel = NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>

    /// Datagrams read per `recvmmsg`. The allocator's buffer is split between them.
    static let perRead = 32

    /// Binds `bind:port` (any address when unset) and joins `mcast_join` on `mcast_if` (or the
    /// interface the routing table picks), as an async channel whose datagrams a task reads.
    /// Datagrams up to `maxMessageLength` bytes are read whole; larger ones arrive truncated and
    /// fail to decode.
    public static func open(
        _ config: AgentConfiguration.UDPReceiveChannel, maxMessageLength: Int, group: any EventLoopGroup
    ) async throws -> Channel {
        // NIO's default lets 10 datagrams wait for the reading task, then stops reading until it
        // is down to 2. Up to 8 reads' worth wait instead; each read's buffer lives while any of
        // its datagrams waits, so at most ~9 buffers of `perRead` datagrams.
        let queued = NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark(lowWatermark: perRead * 2, highWatermark: perRead * 8)
        let channel = try await bootstrap(config, maxMessageLength: maxMessageLength, group: group).bind(host: host(config), port: config.port) {
            channel in
            channel.eventLoop.makeCompletedFuture {
                try Channel(wrappingChannelSynchronously: channel, configuration: .init(backPressureStrategy: queued))
            }
        }
        do {
            try await join(config, channel.channel)
        } catch {
            try? await channel.executeThenClose { _, _ in }
            throw error
        }
        return channel
    }

    /// The same socket as a plain channel that doesn't read yet: `file(_:_:)` starts it. An
    /// agent files every datagram it hears; handing each through an async stream to a task cost
    /// a task switch and a queue per datagram, a fifth of a flooded agent's CPU.
    public static func openForFiling(
        _ config: AgentConfiguration.UDPReceiveChannel, maxMessageLength: Int, group: any EventLoopGroup
    ) async throws -> any NIOCore.Channel {
        let channel = try await bootstrap(config, maxMessageLength: maxMessageLength, group: group)
            .channelOption(.autoRead, value: false)
            .bind(host: host(config), port: config.port).get()
        do {
            try await join(config, channel)
        } catch {
            try? await channel.close()
            throw error
        }
        return channel
    }

    /// Hands every datagram `channel` reads to `file`, on the channel's event loop as it is read
    /// (so `file` must not block), until the channel closes or the calling task is cancelled.
    public static func file(
        _ channel: any NIOCore.Channel, _ file: @escaping @Sendable (AddressedEnvelope<ByteBuffer>) -> Void
    ) async throws {
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(Filing(file))
        }.get()
        try await channel.setOption(.autoRead, value: true)
        try await withTaskCancellationHandler {
            try await channel.closeFuture.get()
        } onCancel: {
            channel.close(promise: nil)
        }
    }

    private final class Filing: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let file: @Sendable (AddressedEnvelope<ByteBuffer>) -> Void

        init(_ file: @escaping @Sendable (AddressedEnvelope<ByteBuffer>) -> Void) {
            self.file = file
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            file(Self.unwrapInboundIn(data))
        }
    }

    private static func host(_ config: AgentConfiguration.UDPReceiveChannel) -> String {
        config.bind ?? (isV6(config) ? "::" : "0.0.0.0")
    }

    private static func isV6(_ config: AgentConfiguration.UDPReceiveChannel) -> Bool {
        config.family == .inet6 || (config.mcastJoin.flatMap(IPAddress.init)?.isIPv4 == false)
    }

    private static func bootstrap(
        _ config: AgentConfiguration.UDPReceiveChannel, maxMessageLength: Int, group: any EventLoopGroup
    ) -> DatagramBootstrap {
        var bootstrap = DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.datagramVectorReadMessageCount, value: perRead)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: max(maxMessageLength, 1472) * perRead))
        if let size = config.buffer, size > 0 {
            bootstrap = bootstrap.channelOption(.socketOption(.so_rcvbuf), value: size)
        }
        return bootstrap
    }

    /// Joining needs a bound socket, so it happens after bind.
    private static func join(_ config: AgentConfiguration.UDPReceiveChannel, _ channel: any NIOCore.Channel) async throws {
        guard let group = config.mcastJoin, let multicast = channel as? any MulticastChannel else { return }
        let device = try config.mcastIf.map { try NetworkInterfaces.device(named: $0, v6: isV6(config)) }
        try await multicast.joinGroup(try SocketAddress(ipAddress: group, port: config.port), device: device).get()
    }
}
