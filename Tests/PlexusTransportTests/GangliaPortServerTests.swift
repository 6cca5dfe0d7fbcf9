import CompressNIO
import Foundation
import NIOCore
import NIOEmbedded
import NIOPosix
import PlexusCore
import PlexusTestSupport
import Synchronization
import Testing

@testable import PlexusTransport

#if canImport(Glibc)
    import Glibc
#endif

/// The XML server hands every client the whole document, however large, then closes.
@Suite struct GangliaPortServerTests {
    @Test(arguments: [false, true])
    func largeDocumentsArriveWhole(gzip: Bool) async throws {
        // 8 MB: far more than the socket buffers, so the server must wait for its writes.
        var rng = SystemRandomNumberGenerator()
        let document = (0..<(8 << 20)).map { i in i % 64 == 63 ? UInt8(ascii: "\n") : UInt8.random(in: 0x41...0x5A, using: &rng) }
        let listener = try await GangliaPortServer.listen(host: "127.0.0.1", port: 0, group: MultiThreadedEventLoopGroup.singleton)
        let port = try #require(listener.channel.localAddress?.port)
        let server = GangliaPortServer(gzip: gzip, timeout: .seconds(120))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve(listener, document: { document }) }
            for _ in 0..<2 {
                let received = try await XMLClient.fetch(host: "127.0.0.1", port: port, timeout: .seconds(120))
                #expect(received.count == document.count)
                #expect(received == document)
            }
            group.cancelAll()
        }
    }

    /// A poller hands back its last document's buffer: the next document is read into the same
    /// memory (no new allocation to fault in), unless someone still holds the old one, whose
    /// bytes then stay as they were.
    @Test func theNextDocumentIsReadIntoThePreviousBuffer() async throws {
        let served = Locked(0)
        let listener = try await GangliaPortServer.listen(host: "127.0.0.1", port: 0, group: MultiThreadedEventLoopGroup.singleton)
        let port = try #require(listener.channel.localAddress?.port)
        let server = GangliaPortServer(timeout: .seconds(120))
        func address(_ buffer: ByteBuffer) -> UnsafeRawPointer? { buffer.withUnsafeReadableBytes { UnsafeRawPointer($0.baseAddress) } }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await server.serve(
                    listener,
                    document: {
                        var n = 0
                        served.update {
                            n = $0
                            $0 += 1
                        }
                        return Self.numberedDocument(n)
                    })
            }
            let first = try await XMLClient.fetchBuffer(host: "127.0.0.1", port: port, timeout: .seconds(120), expectedBytes: 2 << 20)
            #expect(Array(first.readableBytesView) == Self.numberedDocument(0))
            let firstAddress = address(first)
            let second = try await XMLClient.fetchBuffer(host: "127.0.0.1", port: port, timeout: .seconds(120), expectedBytes: 2 << 20, reusing: consume first)
            #expect(Array(second.readableBytesView) == Self.numberedDocument(1))
            #expect(address(second) == firstAddress)

            let kept = second
            let third = try await XMLClient.fetchBuffer(host: "127.0.0.1", port: port, timeout: .seconds(120), expectedBytes: 2 << 20, reusing: second)
            #expect(Array(third.readableBytesView) == Self.numberedDocument(2))
            #expect(Array(kept.readableBytesView) == Self.numberedDocument(1))
            #expect(address(third) != address(kept))
            group.cancelAll()
        }
    }

    /// 2 MiB that differ with `n`.
    static func numberedDocument(_ n: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: UInt8(ascii: "a") + UInt8(n % 26), count: 2 << 20)
        bytes.replaceSubrange(0..<8, with: Array(String(n).utf8) + [UInt8](repeating: 0x20, count: 8 - String(n).utf8.count))
        return bytes
    }

    /// A gzip bomb: 32 MiB of zeros is 32 KB gzipped. The client inflates no further than the
    /// document cap, and says why it gave up.
    @Test func gzipThatInflatesPastTheCapIsRefused() async throws {
        let document = [UInt8](repeating: 0x20, count: 32 << 20)
        let listener = try await GangliaPortServer.listen(host: "127.0.0.1", port: 0, group: MultiThreadedEventLoopGroup.singleton)
        let port = try #require(listener.channel.localAddress?.port)
        let server = GangliaPortServer(gzip: true, timeout: .seconds(120))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve(listener, document: { document }) }
            await #expect(throws: XMLClient.FetchError.self) {
                _ = try await XMLClient.fetch(host: "127.0.0.1", port: port, timeout: .seconds(120), maxBytes: 8 << 20)
            }
            do {
                _ = try await XMLClient.fetch(host: "127.0.0.1", port: port, timeout: .seconds(120), maxBytes: 8 << 20)
            } catch {
                #expect("\(error)".contains("inflates to more than 8388608 bytes"), "\(error)")
            }
            // Under the cap it arrives whole.
            let whole = try await XMLClient.fetch(host: "127.0.0.1", port: port, timeout: .seconds(120), maxBytes: 33 << 20)
            #expect(whole == document)
            group.cancelAll()
        }
    }

    @Test func inflatingStopsAtTheCapAndKeepsWhatACutStreamHeld() throws {
        let text = ByteBuffer(bytes: (0..<300_000).map { UInt8(truncatingIfNeeded: $0 % 251) })
        var copy = text
        let gzipped = try copy.compress(with: .gzip())
        #expect(try XMLClient.inflate(gzipped, maxBytes: 300_000, from: "t") == text)
        #expect(throws: XMLClient.FetchError.self) { try XMLClient.inflate(gzipped, maxBytes: 299_999, from: "t") }
        // Cut in the middle: what was inflated so far, no error.
        let cut = gzipped.getSlice(at: gzipped.readerIndex, length: gzipped.readableBytes / 2)!
        let partial = try XMLClient.inflate(cut, maxBytes: 300_000, from: "t")
        #expect(partial.readableBytes > 0 && partial.readableBytes < 300_000)
        #expect(Array(partial.readableBytesView) == Array(text.readableBytesView.prefix(partial.readableBytes)))
        #expect(throws: XMLClient.FetchError.self) {
            try XMLClient.inflate(ByteBuffer(bytes: [0x1F, 0x8B, 1, 2, 3, 4, 5, 6, 7, 8, 9]), maxBytes: 100, from: "t")
        }
    }
}

/// What a hostile client can cost a server: nothing past the door when it is refused, no
/// render when it runs out of time, one shared render when many ask at once.
@Suite struct HostileClientTests {
    /// A TCP connection from `from` (a loopback address) to 127.0.0.1:`port`.
    static func connect(_ port: Int, from: String = "127.0.0.1") throws -> Int32 {
        guard let fd = LoopbackSocket.connect(port: port, from: from) else { throw XMLClient.FetchError(description: "cannot connect") }
        return fd
    }

    static func readAll(_ fd: Int32) -> [UInt8] { LoopbackSocket.readAll(fd) }

    /// A counter the responder bumps.
    final class Calls: Sendable {
        let count = Locked(0)
        func bump() { count.update { $0 += 1 } }
        var value: Int { count.value }
    }

    /// A slowloris: `/` and no line end. Once it never got an answer but still a whole render,
    /// at its deadline; now it gets neither.
    @Test func aClientThatRunsOutOfTimeGetsNoRender() async throws {
        let listener = try await GangliaPortServer.listen(host: "127.0.0.1", port: 0, group: MultiThreadedEventLoopGroup.singleton)
        let port = try #require(listener.channel.localAddress?.port)
        let server = GangliaPortServer(timeout: .milliseconds(300), requestLineLimit: 100)
        let calls = Calls()
        let outcomes = Locked<[GangliaPortServer.Outcome]>([])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await server.serve(
                    listener,
                    respond: { _ in
                        calls.bump()
                        return Array("<GANGLIA_XML/>".utf8)
                    },
                    report: { o in outcomes.update { $0.append(o) } })
            }
            let slow = try (0..<20).map { _ in try Self.connect(port) }
            for fd in slow { _ = send(fd, "/", 1, 0) }
            let replies = try await onOwnThread { slow.map { Self.readAll($0) } }
            for fd in slow { close(fd) }
            #expect(replies.allSatisfy { $0.isEmpty })
            #expect(calls.value == 0, "a timed-out client was rendered for")
            #expect(await Self.eventually { outcomes.value.filter { if case .failed = $0 { true } else { false } }.count == 20 })
            // A client that finishes its line is answered.
            let fd = try Self.connect(port)
            _ = send(fd, "/\n", 2, 0)
            let reply = try await onOwnThread { Self.readAll(fd) }
            close(fd)
            #expect(String(decoding: reply, as: UTF8.self) == "<GANGLIA_XML/>" && calls.value == 1)
            group.cancelAll()
        }
    }

    /// Two per address, three in all: the next client is closed at once, unread and unrendered,
    /// and a connection's close gives its place back.
    @Test func theGateClosesClientsPastTheBudgetAtOnce() async throws {
        let listener = try await GangliaPortServer.listen(host: "127.0.0.1", port: 0, group: MultiThreadedEventLoopGroup.singleton)
        let port = try #require(listener.channel.localAddress?.port)
        let gate = ClientGate(limits: .init(total: 3, perAddress: 2))
        let server = GangliaPortServer(allow: [CIDRBlock("127.0.0.0/29")!], timeout: .seconds(120), requestLineLimit: 100, gate: gate)
        let calls = Calls()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await server.serve(
                    listener,
                    respond: { _ in
                        calls.bump()
                        return Array("ok".utf8)
                    })
            }
            let held = [try Self.connect(port), try Self.connect(port)]
            try #require(await Self.eventually { gate.snapshot.open == 2 })
            let third = try Self.connect(port)
            let refusedByAddress = try await onOwnThread { Self.readAll(third) }
            close(third)
            #expect(refusedByAddress.isEmpty && gate.snapshot.refused.addressFull == 1)
            let other = try Self.connect(port, from: "127.0.0.2")
            try #require(await Self.eventually { gate.snapshot.open == 3 })
            let fourth = try Self.connect(port, from: "127.0.0.3")
            let refusedWhenFull = try await onOwnThread { Self.readAll(fourth) }
            #expect(refusedWhenFull.isEmpty)
            close(fourth)
            #expect(gate.snapshot.refused.full == 1)
            let untrusted = try Self.connect(port, from: "127.0.0.9")
            let refusedUntrusted = try await onOwnThread { Self.readAll(untrusted) }
            #expect(refusedUntrusted.isEmpty)
            close(untrusted)
            #expect(gate.snapshot.refused.untrusted == 1 && calls.value == 0)
            // The held clients finish their requests and are answered; their places come back.
            for fd in held + [other] { _ = send(fd, "/\n", 2, 0) }
            let replies = try await onOwnThread { (held + [other]).map { Self.readAll($0) } }
            for fd in held + [other] { close(fd) }
            #expect(replies.map { String(decoding: $0, as: UTF8.self) } == ["ok", "ok", "ok"])
            #expect(await Self.eventually { gate.snapshot.open == 0 })
            group.cancelAll()
        }
    }

    @Test func fiftyClientsAskingAtOnceShareOneRender() async throws {
        let listener = try await GangliaPortServer.listen(host: "127.0.0.1", port: 0, group: MultiThreadedEventLoopGroup.singleton)
        let port = try #require(listener.channel.localAddress?.port)
        let shared = SharedRender(maxAge: .seconds(60))
        let server = GangliaPortServer(timeout: .seconds(120), shared: shared)
        let calls = Calls()
        let document = Array(String(repeating: "<HOST/>", count: 100_000).utf8)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await server.serve(
                    listener,
                    document: {
                        calls.bump()
                        try? await Task.sleep(for: .milliseconds(200))
                        return document
                    })
            }
            let replies = try await withThrowingTaskGroup(of: [UInt8].self) { clients in
                for _ in 0..<50 { clients.addTask { try await XMLClient.fetch(host: "127.0.0.1", port: port, timeout: .seconds(120)) } }
                return try await clients.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.count == 50 && replies.allSatisfy { $0 == document })
            #expect(calls.value == 1 && shared.renderCount == 1)
            group.cancelAll()
        }
    }

    static func eventually(_ condition: () async -> Bool) async -> Bool {
        await PlexusTestSupport.eventually(seconds: 5, condition)
    }
}

@Suite struct SharedRenderTests {
    @Test func answersAreKeptForTheirAgeAndWithinTheirBudget() async {
        let shared = SharedRender(maxAge: .seconds(3600), maxEntries: 2, budget: 10)
        let a = await shared.value(for: "a") { ByteBuffer(string: "aaaa") }
        _ = await shared.value(for: "a") { ByteBuffer(string: "never") }
        #expect(String(buffer: a) == "aaaa" && shared.renderCount == 1)
        _ = await shared.value(for: "b") { ByteBuffer(string: "bbbb") }
        // A third key pushes out the oldest (maxEntries 2).
        _ = await shared.value(for: "c") { ByteBuffer(string: "cc") }
        _ = await shared.value(for: "a") { ByteBuffer(string: "aaaa") }
        #expect(shared.renderCount == 4)
        // Larger than the whole budget: handed out, never kept.
        _ = await shared.value(for: "big") { ByteBuffer(string: "0123456789ABC") }
        _ = await shared.value(for: "big") { ByteBuffer(string: "0123456789ABC") }
        #expect(shared.renderCount == 6)
    }

    @Test func answersExpire() async throws {
        let shared = SharedRender(maxAge: .milliseconds(50))
        _ = await shared.value(for: "") { ByteBuffer(string: "1") }
        try await Task.sleep(for: .milliseconds(120))
        let second = await shared.value(for: "") { ByteBuffer(string: "2") }
        #expect(String(buffer: second) == "2" && shared.renderCount == 2)
    }
}

@Suite struct ClientGateHandlerTests {
    @Test func aRefusedConnectionIsClosedBeforeAnythingIsRead() throws {
        let gate = ClientGate(limits: .init(total: 10, perAddress: 10))
        let refusals = Locked<[String]>([])
        let channel = EmbeddedChannel()
        channel.remoteAddress = try SocketAddress(ipAddress: "192.0.2.9", port: 5555)
        try channel.pipeline.syncOperations.addHandler(
            ClientGateHandler(gate: gate, allow: [CIDRBlock("10.0.0.0/8")!]) { decision, _ in
                refusals.update { $0.append("\(decision)") }
            })
        channel.pipeline.fireChannelActive()
        try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\n\r\n"))
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil)
        #expect(!channel.isActive && refusals.value == ["not a trusted address"] && gate.snapshot.refused.untrusted == 1)
    }

    @Test func aClientGoneBeforeItWasAcceptedIsNotCountedAsRefused() throws {
        // A connection reset while queued for accept has no peer address left.
        let gate = ClientGate(limits: .init(total: 10, perAddress: 10))
        let refusals = Locked<[String]>([])
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(
            ClientGateHandler(gate: gate, allow: []) { decision, _ in
                refusals.update { $0.append("\(decision)") }
            })
        channel.pipeline.fireChannelActive()
        #expect(!channel.isActive && refusals.value.isEmpty)
        #expect(gate.snapshot.refused == ClientGate.Refusals() && gate.snapshot.gone == 1 && gate.snapshot.open == 0)
        #expect(gate.admit(nil, allow: []).decision == nil)
    }

    @Test func anAdmittedConnectionPassesReadsAndGivesItsPlaceBack() throws {
        let gate = ClientGate(limits: .init(total: 10, perAddress: 10))
        let channel = EmbeddedChannel()
        channel.remoteAddress = try SocketAddress(ipAddress: "10.1.2.3", port: 5555)
        try channel.pipeline.syncOperations.addHandler(ClientGateHandler(gate: gate, allow: [CIDRBlock("10.0.0.0/8")!]) { _, _ in })
        channel.pipeline.fireChannelActive()
        #expect(gate.snapshot.open == 1)
        try channel.writeInbound(ByteBuffer(string: "x"))
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(string: "x"))
        _ = try channel.finish()
        #expect(gate.snapshot.open == 0)
    }
}

@Suite struct SingleFlightTests {
    @Test func identicalCallersShareOneRunAndDistinctOnesAreBounded() async throws {
        let flights = SingleFlight<String, Int>(limit: 2)
        let gate = Locked(false)
        let slow: @Sendable () async throws -> Int = {
            while !gate.value { try await Task.sleep(for: .milliseconds(5)) }
            return 42
        }
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<20 { group.addTask { try await flights.run("a", slow) } }
            group.addTask { try await flights.run("b", slow) }
            try #require(await HostileClientTests.eventually { flights.inFlight == 2 })
            // A third key while two are in flight: refused at once.
            await #expect(throws: SingleFlight<String, Int>.Busy.self) { _ = try await flights.run("c", slow) }
            gate.update { $0 = true }
            let values = try await group.reduce(into: []) { $0.append($1) }
            #expect(values.count == 21 && values.allSatisfy { $0 == 42 })
        }
        #expect(flights.runs == 2 && flights.inFlight == 0)
        // Failures reach every caller and leave nothing behind.
        struct Broken: Error {}
        await #expect(throws: Broken.self) { _ = try await flights.run("a") { throw Broken() } }
        #expect(flights.inFlight == 0)
    }
}
