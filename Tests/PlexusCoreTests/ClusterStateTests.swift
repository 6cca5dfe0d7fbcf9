import Testing

@testable import PlexusCore

/// The cluster state an agent builds from what it hears.
@Suite struct ClusterStateTests {
    static let local = ClusterState.Sender(address: "127.0.0.1", resolvedName: "localhost")
    static let now: Int64 = 1_795_543_648

    static func value(_ name: String, _ value: MetricValue, host: String = "vm", spoof: Bool = false, format: String = "%s") -> GangliaMessage {
        .value(MetricIdentity(host: host, name: name, spoof: spoof), format: format, value: value)
    }

    static func metadata(_ name: String, _ type: MetricType = .uint32, dmax: UInt32 = 0, host: String = "vm") -> GangliaMessage {
        .metadata(MetricIdentity(host: host, name: name), MetricMetadata(name: name, type: type, units: "u", tmax: 60, dmax: dmax))
    }

    /// Replaying every packet captured from the real gmond and gmetric run gives what that gmond
    /// served: the same hosts, and for each metric the same value, type, units, TMAX, DMAX, slope
    /// and extra data in the same order.
    @Test func replayingTheCapturesGivesGmondsView() throws {
        var state = ClusterState()
        for file in Fixtures.xdrFiles where !file.hasPrefix("metadata-request") {
            // All captured packets came from the gmond on loopback (spoofed ones carry their own host).
            _ = state.apply(try GangliaMessage(xdr: try Fixtures.bytes("xdr/\(file)")), from: Self.local, now: Self.now)
        }
        let gmond = try #require(GangliaDocument.read(try Fixtures.bytes("xml/gmond-tcp-8649.xml")).document)
        guard case .cluster(let real)? = gmond.items.first else { throw Failure("no cluster") }
        let ours = state.snapshot(of: real, now: Self.now, hostTmax: 20, hostDmax: 86400)

        #expect(Set(ours.hosts.map(\.name)) == Set(real.hosts.map(\.name)))
        for host in ours.hosts {
            let realHost = try #require(real.hosts.first { $0.name == host.name })
            #expect(host.ip == realHost.ip)
            if host.name.rawValue == "localhost" {
                #expect(host.location == realHost.location)
                #expect(host.gmondStarted == realHost.gmondStarted)
            }
            #expect(!host.metrics.isEmpty)
            for metric in host.metrics {
                let realMetric = try #require(realHost.metrics.first { $0.name == metric.name }, "\(metric.name)")
                #expect(metric.type == realMetric.type && metric.units == realMetric.units, "\(metric.name)")
                #expect(metric.tmax == realMetric.tmax && metric.dmax == realMetric.dmax && metric.slope == realMetric.slope)
                #expect(metric.extraData == realMetric.extraData, "\(metric.name)")
                if !["cpu_user", "load_one", "disk_free"].contains(metric.name.rawValue) {  // these kept changing
                    #expect(metric.value == realMetric.value, "\(metric.name)")
                }
            }
        }
        #expect(!ours.hosts.flatMap(\.metrics).contains { $0.name.rawValue == "heartbeat" || $0.name.rawValue == "location" })
    }

    @Test func valueWithoutMetadataAsksForItAndStaysHidden() {
        var state = ClusterState()
        let id = MetricIdentity(host: "vm", name: "queue_depth")
        #expect(state.apply(Self.value("queue_depth", .string("-42")), from: Self.local, now: 100) == .requestMetadata(id))
        #expect(state.apply(Self.value("queue_depth", .string("-41")), from: Self.local, now: 105) == .none, "not again within 10 s")
        #expect(state.apply(Self.value("queue_depth", .string("-40")), from: Self.local, now: 111) == .requestMetadata(id))
        let hidden = state.snapshot(of: Cluster(name: try! ClusterName("c"), localtime: 0), now: 111, hostTmax: 20, hostDmax: 0)
        #expect(hidden.hosts.first?.metrics.isEmpty == true)
        _ = state.apply(Self.metadata("queue_depth", .int32), from: Self.local, now: 112)
        let shown = state.snapshot(of: Cluster(name: try! ClusterName("c"), localtime: 0), now: 120, hostTmax: 20, hostDmax: 0)
        #expect(shown.hosts.first?.metrics.map(\.value) == ["-40"])
        #expect(shown.hosts.first?.metrics.first?.tn == 9)
        #expect(state.apply(Self.value("queue_depth", .string("1")), from: Self.local, now: 130) == .none)
    }

    @Test func metadataRequestsAreReported() {
        var state = ClusterState()
        let request = GangliaMessage.metadataRequest(MetricIdentity(host: "web1", name: "load_one"))
        #expect(state.apply(request, from: Self.local, now: 1) == .metadataRequested(MetricIdentity(host: "web1", name: "load_one")))
    }

    @Test func hostNamesAndKeys() {
        var state = ClusterState()
        _ = state.apply(Self.value("a", .uint(1), host: "claimed"), from: .init(address: "10.0.0.1", resolvedName: "web1.example"), now: 1)
        _ = state.apply(Self.value("a", .uint(1), host: "claimed"), from: .init(address: "10.0.0.2"), now: 1)
        _ = state.apply(Self.value("a", .uint(1), host: "../bad"), from: .init(address: "10.0.0.3"), now: 1)
        _ = state.apply(Self.value("b", .uint(1), host: "renamed"), from: .init(address: "10.0.0.1", resolvedName: "other"), now: 2)
        #expect(state.hosts["10.0.0.1"]?.name.rawValue == "web1.example", "first name sticks")
        #expect(state.hosts["10.0.0.2"]?.name.rawValue == "claimed", "no DNS: the name the sender claims")
        #expect(state.hosts["10.0.0.3"]?.name.rawValue == "10.0.0.3", "unusable claim: the address")
        #expect(state.hosts["10.0.0.1"]?.metrics.count == 2)
    }

    @Test func spoofedMessagesAreKeyedByTheirIP() {
        var state = ClusterState()
        _ = state.apply(Self.value("sw_temp", .string("31"), host: "10.0.0.9:switch9", spoof: true), from: Self.local, now: 1)
        _ = state.apply(Self.value("sw_temp", .string("31"), host: "nocolon", spoof: true), from: Self.local, now: 1)
        _ = state.apply(Self.value("sw_temp", .string("31"), host: "10.0.0.8:", spoof: true), from: Self.local, now: 1)
        _ = state.apply(Self.value("sw_temp", .string("31"), host: "10.0.0.7:a/b", spoof: true), from: Self.local, now: 1)
        #expect(state.hosts.keys.sorted() == ["10.0.0.9"])
        #expect(state.hosts["10.0.0.9"]?.name.rawValue == "switch9")
        #expect(state.counters.badSpoof == 2)
        #expect(state.counters.refusedHostName == 1)
    }

    /// The IP half is the key and the name half is checked on every message, held host or not;
    /// a name in UTF-8 is kept whole.
    @Test func spoofedNamesAreCheckedEveryTimeAndKeptWhole() {
        var state = ClusterState()
        _ = state.apply(Self.value("t", .string("1"), host: "10.0.0.5:hôte-é", spoof: true), from: Self.local, now: 1)
        _ = state.apply(Self.value("t", .string("2"), host: "10.0.0.5:bad/name", spoof: true), from: Self.local, now: 2)
        _ = state.apply(Self.value("t", .string("3"), host: "10.0.0.5:other", spoof: true), from: Self.local, now: 3)
        #expect(state.hosts["10.0.0.5"]?.name.rawValue == "hôte-é", "a held host keeps the name it was first given")
        #expect(state.hosts["10.0.0.5"]?.metrics["t"]?.value == "3" && state.hosts["10.0.0.5"]?.lastHeard == 3)
        #expect(state.counters.refusedHostName == 1)
        #expect(state.hostName(for: MetricIdentity(host: "10.0.0.5:x", name: "t", spoof: true), from: Self.local) == "hôte-é")
        #expect(state.hostName(for: MetricIdentity(host: "10.0.0.6:new", name: "t", spoof: true), from: Self.local) == "new")
    }

    /// gmond announces its metadata again every send_metadata_interval: the same metadata only
    /// refreshes its time; changed metadata is counted anew against the bounds.
    @Test func metadataAnnouncedAgainIsRefreshedAndChangesAreCounted() {
        var state = ClusterState()
        _ = state.apply(Self.metadata("m"), from: Self.local, now: 1)
        let bytes = state.metadataBytes
        #expect(bytes > 0 && state.hosts["127.0.0.1"]?.metadataBytes == bytes)
        _ = state.apply(Self.metadata("m"), from: Self.local, now: 5)
        #expect(state.metadataBytes == bytes && state.hosts["127.0.0.1"]?.metrics["m"]?.metadataHeard == 5)
        let longer = GangliaMessage.metadata(
            MetricIdentity(host: "vm", name: "m"), MetricMetadata(name: "m", type: .uint32, units: "longer units", tmax: 60))
        _ = state.apply(longer, from: Self.local, now: 6)
        #expect(state.metadataBytes == bytes + "longer units".utf8.count - 1)
        #expect(state.hosts["127.0.0.1"]?.metrics["m"]?.metadata?.units == "longer units")
        #expect(state.hosts["127.0.0.1"]?.metadataBytes == state.metadataBytes && state.metricCount == 1)
    }

    @Test func heartbeatAndLocationBecomeHostAttributes() {
        var state = ClusterState()
        _ = state.apply(Self.value("heartbeat", .uint(1_795_543_625), format: "%u"), from: Self.local, now: 1)
        _ = state.apply(Self.value("location", .string("rack2,7,0")), from: Self.local, now: 1)
        _ = state.apply(Self.value("heartbeat", .string("0"), host: "10.0.0.9:sw", spoof: true), from: Self.local, now: 1)
        #expect(state.hosts["127.0.0.1"]?.gmondStarted == 1_795_543_625)
        #expect(state.hosts["127.0.0.1"]?.location == "rack2,7,0")
        #expect(state.hosts["10.0.0.9"]?.gmondStarted == 0, "gmetric's spoofed heartbeat \"0\" is parsed, not garbage")
    }

    @Test func refusedNamesAndLimitsAreCounted() {
        var state = ClusterState(limits: .init(maxHosts: 2, maxMetricsPerHost: 3))
        _ = state.apply(Self.value("../../../pwned", .uint(1)), from: Self.local, now: 1)
        #expect(state.counters.refusedMetricName == 1)
        #expect(state.hosts.isEmpty)
        for i in 0..<5 { _ = state.apply(Self.value("m\(i)", .uint(1)), from: Self.local, now: 1) }
        #expect(state.hosts["127.0.0.1"]?.metrics.count == 3)
        #expect(state.counters.metricLimit == 2)
        for i in 2..<6 { _ = state.apply(Self.value("m", .uint(1)), from: .init(address: "10.0.0.\(i)"), now: 1) }
        #expect(state.hosts.count == 2)
        #expect(state.counters.hostLimit == 3)
    }

    @Test func expiryFollowsHostDmaxAndMetricDmax() {
        var state = ClusterState()
        _ = state.apply(Self.metadata("short", dmax: 30), from: Self.local, now: 0)
        _ = state.apply(Self.value("short", .uint(1)), from: Self.local, now: 0)
        _ = state.apply(Self.metadata("kept", dmax: 30), from: Self.local, now: 0)
        _ = state.apply(Self.metadata("forever"), from: Self.local, now: 0)
        _ = state.apply(Self.value("forever", .uint(1)), from: Self.local, now: 0)
        _ = state.apply(Self.value("x", .uint(1)), from: .init(address: "10.0.0.2"), now: 0)
        _ = state.apply(Self.value("kept", .uint(1)), from: Self.local, now: 50)
        state.expire(now: 60, hostDmax: 55)
        #expect(state.hosts["127.0.0.1"]?.metrics.keys.sorted() == ["forever", "kept"], "kept: its value is recent")
        #expect(state.hosts["10.0.0.2"] == nil, "silent for 60 s > host_dmax 55")
        #expect(state.counters.hostsExpired == 1 && state.counters.metricsExpired == 1)
        state.expire(now: 10_000, hostDmax: 0)
        #expect(state.hosts["127.0.0.1"] != nil, "host_dmax 0 never deletes hosts")
    }

    /// A metric with a long description, as a flood of unique metadata sends it.
    static func bulkyMetadata(_ name: String, host: String, bytes: Int) -> GangliaMessage {
        .metadata(
            MetricIdentity(host: "\(host):spoofed-\(host)", name: name, spoof: true),
            MetricMetadata(
                name: name, type: .uint32,
                extraData: [
                    ExtraElement(name: "SPOOF_HOST", value: "\(host):\(host)"),
                    ExtraElement(name: "DESC", value: String(repeating: "d", count: bytes)),
                ]))
    }

    /// 800,000 unique 1.3 KB metadata packets once grew an agent to 1.25 GB with no plateau.
    /// Bytes of metadata are bounded per metric, per host and in all; past a bound the newest
    /// is refused (and quarantined), never what is held.
    @Test func metadataBytesAreBoundedPerMetricPerHostAndInAll() {
        var limits = ClusterState.Limits()
        limits.maxMetadataBytesPerHost = 20_000
        limits.maxMetadataBytes = 50_000
        var state = ClusterState(limits: limits)
        for h in 0..<10 {
            for m in 0..<30 { _ = state.apply(Self.bulkyMetadata("m\(m)", host: "10.0.0.\(h)", bytes: 1_300), from: .init(address: "192.0.2.1"), now: 1) }
        }
        #expect(state.metadataBytes <= 50_000 && state.hosts.values.allSatisfy { $0.metadataBytes <= 20_000 })
        #expect(state.hosts.values.map(\.metadataBytes).reduce(0, +) == state.metadataBytes)
        #expect(state.counters.metadataLimit == 300 - state.hosts.values.map { $0.metrics.values.filter { $0.metadata != nil }.count }.reduce(0, +))
        #expect(state.quarantine.entries.last?.reason == "metadata over max_metadata_bytes")
        // One metric's metadata over its own bound.
        _ = state.apply(Self.bulkyMetadata("huge", host: "10.0.0.0", bytes: 4_000), from: .init(address: "192.0.2.1"), now: 1)
        #expect(state.hosts["10.0.0.0"]?.metrics["huge"]?.metadata == nil)
        // Forgetting a host gives its bytes back.
        let before = state.metadataBytes
        let first = state.hosts["10.0.0.0"]!.metadataBytes
        state.expire(now: 1_000, hostDmax: 0)
        #expect(state.metadataBytes == 0 && before > first, "never confirmed by a value: all forgotten after unconfirmed_lifetime")
        #expect(state.metricCount == 0 && state.hosts.isEmpty && state.counters.unconfirmedExpired > 0)
    }

    @Test func metricsAreBoundedInAll() {
        var limits = ClusterState.Limits(maxHosts: 100, maxMetricsPerHost: 100)
        limits.maxMetrics = 25
        var state = ClusterState(limits: limits)
        for h in 0..<10 {
            for m in 0..<5 { _ = state.apply(Self.value("m\(m)", .uint(1)), from: .init(address: "10.0.0.\(h)"), now: 1) }
        }
        #expect(state.metricCount == 25 && state.counters.metricLimit == 25)
        #expect(state.quarantine.entries.last?.reason == "over max_metrics")
        // A known metric keeps its place and takes new values.
        _ = state.apply(Self.value("m0", .uint(7)), from: .init(address: "10.0.0.0"), now: 2)
        #expect(state.hosts["10.0.0.0"]?.metrics["m0"]?.value == "7")
    }

    /// A value for an unknown metric asks its owner for the metadata on every send channel:
    /// at most `maxMetadataRequestsPerSecond` a second (ten seconds' worth saved up), the rest
    /// asked for later.
    @Test func metadataRequestsAreRateLimited() {
        var limits = ClusterState.Limits()
        limits.maxMetadataRequestsPerSecond = 5
        var state = ClusterState(limits: limits)
        var asked = 0
        for m in 0..<200 {
            if case .requestMetadata = state.apply(Self.value("u\(m)", .uint(1)), from: Self.local, now: 100) { asked += 1 }
        }
        #expect(asked == 50 && state.counters.metadataRequestsLimited == 150)
        // A second later, five more; a metric refused before is asked for now.
        asked = 0
        for m in 150..<200 {
            if case .requestMetadata = state.apply(Self.value("u\(m)", .uint(1)), from: Self.local, now: 101) { asked += 1 }
        }
        #expect(asked == 5)
    }
}
