import NIOCore
import NIOPosix
import PlexusCore

/// One `udp_send_channel`: a UDP socket aimed at a multicast group or a unicast host.
public final class UDPSender: Sendable {
    public let destination: SocketAddress
    private let channel: any Channel

    private init(channel: any Channel, destination: SocketAddress) {
        self.channel = channel
        self.destination = destination
    }

    /// Opens the channel: resolves the destination, binds the source address (`bind`, or any),
    /// and for multicast sets TTL, loopback (so agents on one host hear each other) and the
    /// outgoing interface (`mcast_if`).
    public static func open(_ config: AgentConfiguration.UDPSendChannel, group: any EventLoopGroup) async throws -> UDPSender {
        let target = config.mcastJoin ?? config.host ?? "127.0.0.1"
        let destination = try SocketAddress.makeAddressResolvingHost(target, port: config.port)
        let isV6: Bool = if case .v6 = destination { true } else { false }
        let source = config.bind ?? (isV6 ? "::" : "0.0.0.0")
        var bootstrap = DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
        if config.mcastJoin != nil {
            bootstrap =
                isV6
                ? bootstrap.channelOption(ChannelOptions.Types.SocketOption(level: .ipv6, name: .ipv6_multicast_hops), value: config.ttl)
                    .channelOption(ChannelOptions.Types.SocketOption(level: .ipv6, name: .ipv6_multicast_loop), value: 1)
                : bootstrap.channelOption(.ipOption(.ip_multicast_ttl), value: config.ttl)
                    .channelOption(.ipOption(.ip_multicast_loop), value: 1)
        }
        let channel = try await bootstrap.bind(host: source, port: 0).get()
        if config.mcastJoin != nil, let interface = config.mcastIf {
            try await NetworkInterfaces.setMulticastInterface(interface, on: channel, v6: isV6)
        }
        return UDPSender(channel: channel, destination: destination)
    }

    /// The local address datagrams leave from.
    public var localAddress: SocketAddress? { channel.localAddress }

    /// Sends one datagram (fire and forget, as UDP is).
    public func send(_ bytes: [UInt8]) {
        let buffer = channel.allocator.buffer(bytes: bytes)
        channel.writeAndFlush(AddressedEnvelope(remoteAddress: destination, data: buffer), promise: nil)
    }

    /// Sends one datagram and waits until the kernel has it (for short-lived senders such as
    /// `plexus send`, which close right after).
    public func sendAndWait(_ bytes: [UInt8]) async throws {
        let buffer = channel.allocator.buffer(bytes: bytes)
        try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: destination, data: buffer)).get()
    }

    public func close() async {
        try? await channel.close()
    }
}
