import Foundation
import Logging
import PlexusCore
import PlexusTransport
import Testing

@testable import PlexusAgent

/// Probes reported as ordinary metrics in the `probes` group of the agent's own host.
@Suite struct AgentProbeTests {
    @Test func probeResultsAppearAsMetrics() async throws {
        var config = AgentConfiguration()
        config.udpSendChannels = [.init(host: "127.0.0.1", port: 9)]
        config.udpReceiveChannels = []
        config.tcpAcceptChannels = [.init(bind: "127.0.0.1", port: 0)]
        var closed = AgentConfiguration.Probe(name: "closed", target: .tcp(host: "127.0.0.1", port: 1))
        closed.interval = 1
        closed.timeout = 0.5
        config.probes = [closed]
        try await AgentHarness.run(config) { _, endpoints in
            guard let port = endpoints.xml.first?.port else { throw CancellationError() }
            var metrics: [Metric] = []
            for _ in 0..<50 {
                let bytes = try await XMLClient.fetch(host: "127.0.0.1", port: port, timeout: .seconds(60), connectTimeout: .seconds(30))
                if case .cluster(let c)? = GangliaDocument.read(bytes).document?.items.first {
                    metrics = c.hosts.flatMap(\.metrics).filter { $0.name.rawValue.hasPrefix("probe_closed") }
                }
                if metrics.count == 3 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            let byName = Dictionary(uniqueKeysWithValues: metrics.map { ($0.name.rawValue, $0) })
            #expect(byName["probe_closed_up"]?.value == "0")
            #expect(byName["probe_closed_status"]?.value == "0")
            #expect(byName["probe_closed_ms"]?.units == "ms")
            #expect(byName["probe_closed_up"]?.extraData.contains(ExtraElement(name: "GROUP", value: "probes")) == true)
        }
    }
}
