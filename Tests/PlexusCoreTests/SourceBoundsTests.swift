import Foundation
import Testing

@testable import PlexusCore

/// What one data source can make the aggregator hold: hosts and metrics per host, the newest
/// refused first and what is held never.
@Suite struct SourceBoundsTests {
    static func hosts(_ range: Range<Int>, dmax: UInt32 = 0, metrics: Int = 2) throws -> [PlexusCore.Host] {
        try range.map { i in
            try GridStateTests.host("h\(i)", dmax: dmax, try (0..<metrics).map { try GridStateTests.metric("m\($0)", "1") })
        }
    }

    static func options(hosts: Int = .max, metrics: Int = .max) -> SourceAssembler.Options {
        var options = SourceAssembler.Options()
        options.maxHosts = hosts
        options.maxMetricsPerHost = metrics
        return options
    }

    /// A source adding 5,000 new hosts a poll with DMAX 0 once grew the aggregator without end.
    @Test func newHostsPastTheBoundAreRefusedAndHeldHostsStay() throws {
        let options = Self.options(hosts: 120)
        var (content, _, _) = GridStateTests.read(try GridStateTests.gmondXML(try Self.hosts(0..<100)), options: options)
        #expect(content.clusters[0].hosts.count == 100 && content.refusals.hosts == 0)
        // The next poll lists 100 others: hosts h0…h99 are carried (DMAX 0), 20 new ones fit.
        (content, _, _) = GridStateTests.read(
            try GridStateTests.gmondXML(try Self.hosts(100..<200)), now: GridStateTests.t0 + 15, previous: content, options: options)
        let names = Set(content.clusters[0].hosts.map(\.host.name.rawValue))
        #expect(names.count == 120 && (0..<100).allSatisfy { names.contains("h\($0)") })
        #expect((100..<120).allSatisfy { names.contains("h\($0)") } && !names.contains("h120"), "the last in the document are refused first")
        #expect(content.refusals.hosts == 80 && content.refusals.named.first?.subject == "web/h199")
        #expect(content.refusals.named.allSatisfy { $0.reason == "over max_hosts_per_source" })
        // And the one after: nothing new fits, the held ones keep their values.
        (content, _, _) = GridStateTests.read(
            try GridStateTests.gmondXML(try Self.hosts(0..<1) + Self.hosts(500..<600)), now: GridStateTests.t0 + 30,
            previous: content, options: options)
        #expect(content.clusters[0].hosts.count == 120 && content.refusals.hosts == 100)
        #expect(content.clusters[0].host(named: try HostName("h0"))?.polled == GridStateTests.t0 + 30)
    }

    /// gmetad 3.7.2 keeps no METRIC of a host that is down when polled (TN ≥ 4·TMAX): it serves
    /// the host bare. A host carried over after its source stopped listing it loses its
    /// metrics once it is down too.
    @Test func aDownHostIsHeldWithoutItsMetrics() throws {
        let metrics = [try GridStateTests.metric("load_one", "0.5"), try GridStateTests.metric("cpu_num", "4")]
        let xml = try GridStateTests.gmondXML([try GridStateTests.host("alive", metrics), try GridStateTests.host("dead", tn: 1000, metrics)])
        var (content, _, _) = GridStateTests.read(xml)
        #expect(content.clusters[0].host(named: try HostName("alive"))?.host.metrics.count == 2)
        #expect(content.clusters[0].host(named: try HostName("dead"))?.host.metrics.isEmpty == true)
        // The source lists nobody for a while: "alive" is carried, and down after 4·TMAX.
        (content, _, _) = GridStateTests.read(
            try GridStateTests.gmondXML(localtime: GridStateTests.t0 + 30, []), now: GridStateTests.t0 + 30, previous: content)
        #expect(content.clusters[0].host(named: try HostName("alive"))?.host.metrics.count == 2)
        (content, _, _) = GridStateTests.read(
            try GridStateTests.gmondXML(localtime: GridStateTests.t0 + 120, []), now: GridStateTests.t0 + 120, previous: content)
        #expect(content.clusters[0].host(named: try HostName("alive"))?.host.metrics.isEmpty == true)
    }

    @Test func metricsPastTheBoundAreLeftOutOfTheHost() throws {
        let (content, _, _) = GridStateTests.read(try GridStateTests.gmondXML(try Self.hosts(0..<3, metrics: 10)), options: Self.options(metrics: 4))
        #expect(content.clusters[0].hosts.allSatisfy { $0.host.metrics.map(\.name.rawValue) == ["m0", "m1", "m2", "m3"] })
        #expect(content.refusals.metrics == 18 && content.refusals.named.first?.subject == "web/h0/* (6 metrics)")
    }

    @Test func underTheBoundsNothingChanges() throws {
        let bytes = try GridStateTests.gmondXML(try Self.hosts(0..<50))
        let (bounded, _, _) = GridStateTests.read(bytes, options: Self.options(hosts: 50, metrics: 2))
        let (free, _, _) = GridStateTests.read(bytes)
        #expect(bounded == free)
    }
}
