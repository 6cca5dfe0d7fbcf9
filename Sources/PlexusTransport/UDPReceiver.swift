import NIOCore
import NIOPosix
import PlexusCore

/// One `udp_recv_channel`: a bound UDP socket, joined to a multicast group when configured.
public enum UDPReceiver {
    public typealias Channel = NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>

    /// Binds `bind:port` (any address when unset) and joins `mcast_join` on `mcast_if` (or the
    /// interface the routing table picks). Datagrams up to `maxMessageLength` bytes are read
    /// whole; larger ones arrive truncated and fail to decode.
    public static func open(
        _ config: AgentConfiguration.UDPReceiveChannel, maxMessageLength: Int, group: any EventLoopGroup
    ) async throws -> Channel {
        let v6 = config.family == .inet6 || (config.mcastJoin.flatMap(IPAddress.init)?.isIPv4 == false)
        let host = config.bind ?? (v6 ? "::" : "0.0.0.0")
        // Vector reads split the allocator's buffer between the messages of one read.
        let perRead = 32
        var bootstrap = DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.datagramVectorReadMessageCount, value: perRead)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: max(maxMessageLength, 1472) * perRead))
        if let size = config.buffer, size > 0 {
            bootstrap = bootstrap.channelOption(.socketOption(.so_rcvbuf), value: size)
        }
        let channel = try await bootstrap.bind(host: host, port: config.port) { channel in
            channel.eventLoop.makeCompletedFuture { try Channel(wrappingChannelSynchronously: channel) }
        }
        // Joining needs a bound socket, so it happens after bind.
        if let group = config.mcastJoin, let multicast = channel.channel as? any MulticastChannel {
            do {
                let device = try config.mcastIf.map { try NetworkInterfaces.device(named: $0, v6: v6) }
                try await multicast.joinGroup(try SocketAddress(ipAddress: group, port: config.port), device: device).get()
            } catch {
                try? await channel.channel.close()
                throw error
            }
        }
        return channel
    }
}
