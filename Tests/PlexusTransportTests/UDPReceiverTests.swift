import NIOCore
import NIOPosix
import PlexusCore
import Synchronization
import Testing

@testable import PlexusTransport

/// The agent's receive path: datagrams handed to the filing closure on the event loop that reads
/// them, with no stream in between.
@Suite struct UDPReceiverTests {
    /// Every datagram is filed, in the order sent, including those that arrived before filing
    /// started (the socket doesn't read until then); cancelling the filing task closes the socket.
    @Test func datagramsAreFiledInOrderAndCancellingCloses() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let channel = try await UDPReceiver.openForFiling(
            AgentConfiguration.UDPReceiveChannel(bind: "127.0.0.1", port: 0), maxMessageLength: 1472, group: group)
        let port = try #require(channel.localAddress?.port)
        let sender = try await DatagramBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
        let target = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        let count = 300
        func send(_ range: Range<Int>) async throws {
            for i in range { try await sender.writeAndFlush(AddressedEnvelope(remoteAddress: target, data: ByteBuffer(string: "datagram \(i)"))) }
        }
        // Sent before anything reads the socket: they wait in its buffer.
        try await send(0..<50)

        let filed = Mutex<[String]>([])
        let filing = Task { try await UDPReceiver.file(channel) { envelope in filed.withLock { $0.append(String(buffer: envelope.data)) } } }
        try await send(50..<count)
        let deadline = ContinuousClock.now + .seconds(20)
        while filed.withLock({ $0.count }) < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(filed.withLock { $0 } == (0..<count).map { "datagram \($0)" })

        filing.cancel()
        try await filing.value
        #expect(!channel.isActive)
        try await sender.close()
    }
}
