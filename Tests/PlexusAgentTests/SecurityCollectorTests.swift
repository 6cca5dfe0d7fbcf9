import PlexusCollectors
import PlexusCore
import PlexusSecurity
import Testing

/// The agent's signed-datagram counts as metrics of its own host.
@Suite struct SecurityCollectorTests {
    @Test func everyRefusalReasonHasItsMetricAndTheCountsArrive() throws {
        #expect(SecurityCollector.reasons == EnvelopeVerifier.Refusal.allCases.map(\.rawValue))
        var counts = SignatureCounts()
        counts.signed = 12
        counts[.replay] = 3
        counts[.hostNotAllowed] = 1
        #expect(Set(counts.metricValues.keys) == Set(SecurityCollector.metricNames) && counts.refused == 4)
        let values0 = counts.metricValues
        var collector = SecurityCollector(read: { values0 })
        let values = try collector.sample(HostSystem(), now: 0)
        #expect(values["datagrams_signed"] == .uint(12) && values["datagrams_refused_replay"] == .uint(3))
        #expect(values["datagrams_refused_host_not_allowed"] == .uint(1) && values["datagrams_refused_bad_mac"] == .uint(0))
        #expect(Set(collector.definitions.map(\.name)) == Set(SecurityCollector.metricNames))
        #expect(collector.definitions.allSatisfy { $0.slope == .positive && $0.group == "security" })
        // Listed by --list-metrics only when [security] is on.
        var config = AgentConfiguration()
        #expect(config.metricDefinitions["datagrams_signed"] == nil)
        config.security.keyring = "/etc/plexus/keyring.toml"
        #expect(config.metricDefinitions["datagrams_refused_unsigned"]?.units == "datagrams")
    }
}
