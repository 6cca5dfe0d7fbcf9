import Foundation
import NIOCore
import PlexusCore
import PlexusTestSupport
import PlexusTransport
import Testing

@testable import PlexusAgent

/// The agent's history port (issue 18): what it keeps of its own values and of the hosts it
/// hears, served from a time on; bad requests answered with an error line.
@Suite(.serialized) struct AgentHistoryTests {
    static let t0: Int64 = 1_800_000_000

    static func config(allHosts: Bool) -> AgentConfiguration {
        var config = AgentConfiguration()
        config.cluster.name = "History"
        config.globals.historyAllHosts = allHosts
        config.udpSendChannels = [.init(host: "127.0.0.1", port: 9)]  // discard port: our sends go nowhere
        config.udpReceiveChannels = [.init(bind: "127.0.0.1", port: 0)]
        var channel = AgentConfiguration.TCPAcceptChannel(bind: "127.0.0.1", port: 0)
        channel.historyPort = 0  // a free port (a file can't say 0: there it means none)
        config.tcpAcceptChannels = [channel]
        return config
    }

    static func history(_ endpoints: AgentService.Endpoints, request: String) async throws -> String {
        let bytes = try await XMLClient.fetch(
            host: "127.0.0.1", port: endpoints.history[0].port!, request: request, timeout: .seconds(60), connectTimeout: .seconds(30))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Sends `peer-1`'s load_one from another loopback address at three clock readings, and
    /// waits until the agent has taken each.
    static func feedPeer(_ agent: AgentService, _ endpoints: AgentService.Endpoints, clock: SettableClock) async throws {
        let sender = try await AgentRobustnessTests.sender(to: endpoints.udp[0], from: "127.0.0.2")
        for (i, value) in [0.5, 0.75, 1.25].enumerated() {
            clock.set(t0 + 100 + Int64(i) * 15)
            let before = agent.statistics.received
            try await sender.sendAndWait(
                GangliaMessage.value(MetricIdentity(host: "peer-1", name: "load_one"), format: "%.2f", value: .float(Float(value))).xdr)
            for _ in 0..<1000 where agent.statistics.received == before { try await Task.sleep(for: .milliseconds(10)) }
        }
        await sender.close()
    }

    @Test func servesOwnAndHeardValuesFromATime() async throws {
        let clock = SettableClock(Self.t0)
        try await AgentHarness.run(Self.config(allHosts: true), clock: { clock.now }) { agent, endpoints in
            // Our own first values are kept as they are sent (heartbeat among them).
            for _ in 0..<1000 where agent.history.withLock({ $0.rings.isEmpty }) { try await Task.sleep(for: .milliseconds(10)) }
            try await Self.feedPeer(agent, endpoints, clock: clock)
            let reply = try HistoryText.decode(Substring(try await Self.history(endpoints, request: HistoryText.request(from: Self.t0 + 110))))
            let peer = reply.series[HistoryKey(cluster: "History", host: "peer-1", metric: "load_one")]
            // From t0+110: the value in effect then (t0+100), and those after.
            #expect(peer?.map(\.time) == [Self.t0 + 100, Self.t0 + 115, Self.t0 + 130])
            #expect(peer?.map(\.value) == [0.5, 0.75, 1.25])
            #expect(reply.now == Self.t0 + 130)
            let own = reply.series.keys.filter { $0.host != "peer-1" }
            #expect(own.contains { $0.metric == "heartbeat" } && Set(own.map(\.host)).count == 1 && own.allSatisfy { $0.cluster == "History" })
            // Strings are never archived, so never kept.
            #expect(!own.contains { $0.metric == "os_name" || $0.metric == "machine_type" })
            #expect(agent.statistics.historyServed == 1)
        }
    }

    @Test func onlyOwnValuesUnlessAllHostsAndBadRequestsGetAnErrorLine() async throws {
        let clock = SettableClock(Self.t0)
        try await AgentHarness.run(Self.config(allHosts: false), clock: { clock.now }) { agent, endpoints in
            for _ in 0..<1000 where agent.history.withLock({ $0.rings.isEmpty }) { try await Task.sleep(for: .milliseconds(10)) }
            try await Self.feedPeer(agent, endpoints, clock: clock)
            let reply = try HistoryText.decode(Substring(try await Self.history(endpoints, request: HistoryText.request(from: 0))))
            #expect(!reply.series.isEmpty && !reply.series.keys.contains { $0.host == "peer-1" })
            let refused = try await Self.history(endpoints, request: "GET / HTTP/1.0")
            #expect(refused == "PLEXUS-HISTORY-ERROR expected PLEXUS-HISTORY 1 FROM TIME\n")
            #expect(agent.statistics.historyRefused == 1)
            // The XML port is untouched: gmetad polls it as before.
            let xml = try await XMLClient.fetch(host: "127.0.0.1", port: endpoints.xml[0].port!, timeout: .seconds(60))
            #expect(GangliaDocument.read(xml).report.isClean)
        }
    }
}
