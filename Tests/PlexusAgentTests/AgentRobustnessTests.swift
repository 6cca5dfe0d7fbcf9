import Foundation
import Logging
import NIOCore
import NIOPosix
import PlexusCore
import PlexusTestSupport
import PlexusTransport
import Synchronization
import Testing

@testable import PlexusAgent

/// A running agent (in process, on loopback) fed hostile traffic: random and truncated datagrams,
/// names that could escape a path or break XML, a flood from one sender. Nothing crashes, the
/// counters say what was dropped, the XML stays valid.
@Suite(.serialized) struct AgentRobustnessTests {
    /// Runs an agent with receive and XML channels on free loopback ports for the body's duration.
    static func withAgent(_ body: @Sendable (AgentService, AgentService.Endpoints) async throws -> Void) async throws {
        var config = AgentConfiguration()
        config.globals.mute = false
        config.cluster.name = "Robust"
        config.udpSendChannels = [.init(host: "127.0.0.1", port: 9)]  // discard port: our own sends go nowhere
        config.udpReceiveChannels = [.init(bind: "127.0.0.1", port: 0)]
        config.tcpAcceptChannels = [.init(bind: "127.0.0.1", port: 0)]
        config.globals.maxHosts = 50
        try await AgentHarness.run(config, body)
    }

    /// The agent's clock is injected: what it serves is stamped with the time it is given.
    @Test func theXMLPortIsStampedWithTheAgentsClock() async throws {
        var config = AgentConfiguration()
        config.cluster.name = "Pinned"
        config.udpSendChannels = []
        config.udpReceiveChannels = []
        config.tcpAcceptChannels = [.init(bind: "127.0.0.1", port: 0)]
        let pinned: Int64 = 1_800_000_000
        try await AgentHarness.run(config, clock: { pinned }) { _, endpoints in
            let read = try await Self.document(endpoints)
            guard case .cluster(let cluster)? = read.document?.items.first else {
                Issue.record("no cluster: \(read)")
                return
            }
            #expect(cluster.name.rawValue == "Pinned" && cluster.localtime == pinned)
        }
    }

    static func sender(to address: SocketAddress, from source: String = "127.0.0.1") async throws -> UDPSender {
        var channel = AgentConfiguration.UDPSendChannel(host: "127.0.0.1", port: address.port!)
        channel.bind = source
        return try await UDPSender.open(channel, group: MultiThreadedEventLoopGroup.singleton)
    }

    /// The agent's XML, with deadlines a loaded CI machine meets (the agent runs in this process).
    static func document(_ endpoints: AgentService.Endpoints) async throws -> GangliaReadResult {
        let xml = endpoints.xml[0]
        return GangliaDocument.read(try await XMLClient.fetch(host: "127.0.0.1", port: xml.port!, timeout: .seconds(60), connectTimeout: .seconds(30)))
    }

    /// Waits until the agent has counted `total` datagrams (received + malformed).
    static func settle(_ agent: AgentService, total: Int) async throws {
        for _ in 0..<200 where agent.statistics.received + agent.statistics.malformed < total {
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test func garbageIsCountedAndDropped() async throws {
        try await Self.withAgent { agent, endpoints in
            let sender = try await Self.sender(to: endpoints.udp[0])
            var rng = SeededGenerator(seed: 99)
            let valid = GangliaMessage.value(MetricIdentity(host: "h", name: "load_one"), format: "%.2f", value: .float(1)).xdr
            var sent = 0
            for i in 0..<2000 {
                let bytes: [UInt8]
                if i % 2 == 0 {
                    bytes = (0..<Int.random(in: 0...200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                } else {
                    bytes = Array(valid.prefix(Int.random(in: 0..<valid.count, using: &rng)))
                }
                guard !bytes.isEmpty else { continue }
                try await sender.sendAndWait(bytes)
                sent += 1
            }
            try await Self.settle(agent, total: sent)
            let stats = agent.statistics
            #expect(stats.malformed + stats.received == sent)
            #expect(stats.malformed > sent * 9 / 10)
            let result = try await Self.document(endpoints)
            #expect(result.report.isClean)
            await sender.close()
        }
    }

    @Test func dangerousNamesNeverReachTheXML() async throws {
        try await Self.withAgent { agent, endpoints in
            let sender = try await Self.sender(to: endpoints.udp[0])
            let names = ["../../../pwned", "a/b", "nul\u{0}x", "name<x>", "q\"uote", "amp&", "bell\u{7}", "ok_metric"]
            for name in names {
                let id = MetricIdentity(host: "evil<host>&\"", name: name)
                try await sender.sendAndWait(
                    GangliaMessage.metadata(
                        id,
                        MetricMetadata(
                            name: name, type: .string, units: "<u>&",
                            extraData: [
                                ExtraElement(name: "DESC", value: "</METRIC><HOST NAME=\"x\">"), ExtraElement(name: "GROUP", value: "\u{1}ctl"),
                            ])
                    ).xdr)
                try await sender.sendAndWait(GangliaMessage.value(id, format: "%s%n", value: .string("v<&>\"\u{0}")).xdr)
            }
            try await Self.settle(agent, total: names.count * 2)
            let bytes = try await XMLClient.fetch(host: "127.0.0.1", port: endpoints.xml[0].port!, timeout: .seconds(60), connectTimeout: .seconds(30))
            let result = GangliaDocument.read(bytes)
            #expect(result.report.isClean)
            guard case .cluster(let cluster)? = result.document?.items.first else {
                Issue.record("no cluster")
                return
            }
            let shown = Set(cluster.hosts.flatMap(\.metrics).map(\.name.rawValue))
            #expect(shown.isSuperset(of: ["name<x>", "q\"uote", "amp&", "ok_metric"]))
            #expect(shown.isDisjoint(with: ["../../../pwned", "a/b", "nul\u{0}x", "bell\u{7}"]))
            let value = cluster.hosts.flatMap(\.metrics).first { $0.name.rawValue == "ok_metric" }?.value
            #expect(value == "v<&>\"\u{FFFD}", "the remote %n format is never used; NUL can't travel in XML")
            #expect(agent.state.withLock { $0.counters.refusedMetricName } == 8)
            await sender.close()
        }
    }

    @Test func floodOfInventedHostsHitsTheCap() async throws {
        try await Self.withAgent { agent, endpoints in
            let sender = try await Self.sender(to: endpoints.udp[0])
            for i in 0..<500 {
                let id = MetricIdentity(host: "10.1.\(i / 256).\(i % 256):fake\(i)", name: "m", spoof: true)
                try await sender.sendAndWait(GangliaMessage.value(id, format: "%u", value: .uint(UInt32(i))).xdr)
            }
            try await Self.settle(agent, total: 500)
            #expect(agent.state.withLock { $0.hosts.count } == 50)
            #expect(agent.state.withLock { $0.counters.hostLimit } >= 450)
            #expect(try await Self.document(endpoints).report.isClean)
            await sender.close()
        }
    }
}

/// IPv6 channels: receive on ::1, serve XML on ::1.
@Suite struct AgentIPv6Tests {
    @Test func receivesAndServesOverIPv6() async throws {
        var config = AgentConfiguration()
        config.udpSendChannels = [.init(host: "::1", port: 9)]
        var receive = AgentConfiguration.UDPReceiveChannel(bind: "::1", port: 0)
        receive.family = .inet6
        receive.allow = [CIDRBlock("::1")!]
        config.udpReceiveChannels = [receive]
        var accept = AgentConfiguration.TCPAcceptChannel(bind: "::1", port: 0)
        accept.family = .inet6
        config.tcpAcceptChannels = [accept]
        try await AgentHarness.run(config) { _, endpoints in
            guard let udp = endpoints.udp.first?.port, let xml = endpoints.xml.first?.port else { throw CancellationError() }
            let sender = try await UDPSender.open(.init(host: "::1", port: udp), group: MultiThreadedEventLoopGroup.singleton)
            let id = MetricIdentity(host: "v6host", name: "queue_depth")
            try await sender.sendAndWait(GangliaMessage.metadata(id, MetricMetadata(name: "queue_depth", type: .int32)).xdr)
            try await sender.sendAndWait(GangliaMessage.value(id, format: "%s", value: .string("7")).xdr)
            var host: PlexusCore.Host?
            for _ in 0..<50 where host == nil {
                let bytes = try await XMLClient.fetch(host: "::1", port: xml, timeout: .seconds(60), connectTimeout: .seconds(30))
                if case .cluster(let c)? = GangliaDocument.read(bytes).document?.items.first {
                    host = c.hosts.first { $0.ip == "::1" && $0.metrics.contains { $0.name.rawValue == "queue_depth" } }
                }
                if host == nil { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(host?.metrics.first { $0.name.rawValue == "queue_depth" }?.value == "7")
            await sender.close()
        }
    }
}

/// Allow-lists on receive and TCP channels, and gzip output.
@Suite struct AgentChannelOptionsTests {
    @Test func allowListsRefuseOtherAddresses() async throws {
        var config = AgentConfiguration()
        config.udpSendChannels = [.init(host: "127.0.0.1", port: 9)]
        var receive = AgentConfiguration.UDPReceiveChannel(bind: "127.0.0.1", port: 0)
        receive.allow = [CIDRBlock("10.0.0.0/8")!]
        config.udpReceiveChannels = [receive]
        var refusing = AgentConfiguration.TCPAcceptChannel(bind: "127.0.0.1", port: 0)
        refusing.allow = [CIDRBlock("192.0.2.0/24")!]
        config.tcpAcceptChannels = [refusing, .init(bind: "127.0.0.1", port: 0)]
        try await AgentHarness.run(config) { agent, endpoints in
            let sender = try await UDPSender.open(.init(host: "127.0.0.1", port: endpoints.udp[0].port!), group: MultiThreadedEventLoopGroup.singleton)
            for _ in 0..<10 {
                try await sender.sendAndWait(GangliaMessage.value(MetricIdentity(host: "x", name: "m"), format: "%u", value: .uint(1)).xdr)
            }
            for _ in 0..<100 where agent.statistics.refused < 10 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(agent.statistics.refused == 10 && agent.statistics.received == 0)
            let refused = try await XMLClient.fetch(host: "127.0.0.1", port: endpoints.xml[0].port!, timeout: .seconds(60), connectTimeout: .seconds(30))
            #expect(refused.isEmpty, "closed without a document")
            let served = try await XMLClient.fetch(host: "127.0.0.1", port: endpoints.xml[1].port!, timeout: .seconds(60), connectTimeout: .seconds(30))
            #expect(GangliaDocument.read(served).report.isClean)
            // The server counts a client after closing it, so the count may trail our EOF a little.
            for _ in 0..<100 where agent.statistics.xmlServed < 1 || agent.statistics.xmlRefused < 1 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(agent.statistics.xmlRefused == 1 && agent.statistics.xmlServed == 1)
            await sender.close()
        }
    }

    @Test func gzipOutput() async throws {
        var config = AgentConfiguration()
        config.udpSendChannels = [.init(host: "127.0.0.1", port: 9)]
        config.udpReceiveChannels = []
        var accept = AgentConfiguration.TCPAcceptChannel(bind: "127.0.0.1", port: 0)
        accept.gzipOutput = true
        config.tcpAcceptChannels = [accept]
        try await AgentHarness.run(config) { _, endpoints in
            let raw = try await Self.rawBytes(port: endpoints.xml[0].port!)
            #expect(Array(raw.prefix(2)) == [0x1F, 0x8B])
            let document = try await XMLClient.fetch(host: "127.0.0.1", port: endpoints.xml[0].port!, timeout: .seconds(60), connectTimeout: .seconds(30))
            #expect(GangliaDocument.read(document).document != nil && document.count > raw.count)
        }
    }

    /// The bytes as sent, without XMLClient's gunzip.
    static func rawBytes(port: Int) async throws -> [UInt8] {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
        }
        var bytes: [UInt8] = []
        try await channel.executeThenClose { inbound, _ in
            for try await chunk in inbound { bytes += chunk.readableBytesView }
        }
        return bytes
    }
}

/// Runs an agent in this process for the body's duration and hands over where it listens.
enum AgentHarness {
    static func run(
        _ config: AgentConfiguration, clock: @escaping @Sendable () -> Int64 = WallClock.seconds,
        _ body: @Sendable (AgentService, AgentService.Endpoints) async throws -> Void
    ) async throws {
        // The XML ports' deadline for a client (10 s by default) is no subject here: on a loaded
        // machine rendering and gzipping can wait longer for a thread (a CI run cut a gzipped
        // document to nothing this way). Tests of the deadline set their own.
        var config = config
        for i in config.tcpAcceptChannels.indices where config.tcpAcceptChannels[i].timeout == AgentConfiguration.TCPAcceptChannel().timeout {
            config.tcpAcceptChannels[i].timeout = 120
        }
        let ready = AsyncStream<AgentService.Endpoints>.makeStream()
        let agent = AgentService(config: config, logger: Logger(label: "test"), clock: clock, onReady: { ready.continuation.yield($0) })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await agent.run() }
            var iterator = ready.stream.makeAsyncIterator()
            guard let endpoints = await iterator.next() else { throw CancellationError() }
            try await body(agent, endpoints)
            group.cancelAll()
        }
    }
}
