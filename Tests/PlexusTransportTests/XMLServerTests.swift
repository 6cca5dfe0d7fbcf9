import NIOCore
import NIOPosix
import PlexusCore
import Testing
@testable import PlexusTransport

/// The XML server hands every client the whole document, however large, then closes.
@Suite struct XMLServerTests {
    @Test(arguments: [false, true])
    func largeDocumentsArriveWhole(gzip: Bool) async throws {
        // 8 MB: far more than the socket buffers, so the server must wait for its writes.
        var rng = SystemRandomNumberGenerator()
        let document = (0..<(8 << 20)).map { i in i % 64 == 63 ? UInt8(ascii: "\n") : UInt8.random(in: 0x41...0x5A, using: &rng) }
        let listener = try await XMLServer.listen(host: "127.0.0.1", port: 0, group: MultiThreadedEventLoopGroup.singleton)
        let port = try #require(listener.channel.localAddress?.port)
        let server = XMLServer(gzip: gzip, timeout: .seconds(30))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve(listener, document: { document }) }
            for _ in 0..<2 {
                let received = try await XMLClient.fetch(host: "127.0.0.1", port: port, timeout: .seconds(30))
                #expect(received.count == document.count)
                #expect(received == document)
            }
            group.cancelAll()
        }
    }
}
