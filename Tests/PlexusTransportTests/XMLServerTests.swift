import NIOCore
import NIOPosix
import CompressNIO
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

    /// A gzip bomb: 32 MiB of zeros is 32 KB gzipped. The client inflates no further than the
    /// document cap, and says why it gave up.
    @Test func gzipThatInflatesPastTheCapIsRefused() async throws {
        let document = [UInt8](repeating: 0x20, count: 32 << 20)
        let listener = try await XMLServer.listen(host: "127.0.0.1", port: 0, group: MultiThreadedEventLoopGroup.singleton)
        let port = try #require(listener.channel.localAddress?.port)
        let server = XMLServer(gzip: true, timeout: .seconds(30))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve(listener, document: { document }) }
            await #expect(throws: XMLClient.Failure.self) {
                _ = try await XMLClient.fetch(host: "127.0.0.1", port: port, timeout: .seconds(30), maxBytes: 8 << 20)
            }
            do {
                _ = try await XMLClient.fetch(host: "127.0.0.1", port: port, timeout: .seconds(30), maxBytes: 8 << 20)
            } catch {
                #expect("\(error)".contains("inflates to more than 8388608 bytes"), "\(error)")
            }
            // Under the cap it arrives whole.
            let whole = try await XMLClient.fetch(host: "127.0.0.1", port: port, timeout: .seconds(30), maxBytes: 33 << 20)
            #expect(whole == document)
            group.cancelAll()
        }
    }

    @Test func inflatingStopsAtTheCapAndKeepsWhatACutStreamHeld() throws {
        let text = ByteBuffer(bytes: (0..<300_000).map { UInt8(truncatingIfNeeded: $0 % 251) })
        var copy = text
        let gzipped = try copy.compress(with: .gzip())
        #expect(try XMLClient.inflate(gzipped, maxBytes: 300_000, from: "t") == text)
        #expect(throws: XMLClient.Failure.self) { try XMLClient.inflate(gzipped, maxBytes: 299_999, from: "t") }
        // Cut in the middle: what was inflated so far, no error.
        let cut = gzipped.getSlice(at: gzipped.readerIndex, length: gzipped.readableBytes / 2)!
        let partial = try XMLClient.inflate(cut, maxBytes: 300_000, from: "t")
        #expect(partial.readableBytes > 0 && partial.readableBytes < 300_000)
        #expect(Array(partial.readableBytesView) == Array(text.readableBytesView.prefix(partial.readableBytes)))
        #expect(throws: XMLClient.Failure.self) { try XMLClient.inflate(ByteBuffer(bytes: [0x1F, 0x8B, 1, 2, 3, 4, 5, 6, 7, 8, 9]), maxBytes: 100, from: "t") }
    }
}

