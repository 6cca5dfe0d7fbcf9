import Foundation
import Logging
import NIOCore
import NIOPosix
import PlexusCore
import PlexusExport
import PlexusStatus
import PlexusTestSupport
import PlexusTransport
import Testing

@testable import PlexusAggregator

/// The aggregator's services run directly, against loopback servers this test starts.
@Suite struct ServiceTests {
    static let now: Int64 = 1_795_543_700

    static func configuration(sources: [AggregatorConfiguration.DataSource]) -> AggregatorConfiguration {
        var configuration = AggregatorConfiguration()
        configuration.gridname = "Ops"
        configuration.writeRRDs = false
        configuration.dataSources = sources
        return configuration
    }

    static func store(_ configuration: AggregatorConfiguration, clock: @escaping @Sendable () -> Int64 = { now }) throws -> GridStore {
        try GridStore(configuration: configuration, writer: nil, hostname: "agg", logger: Logger(label: "test"), clock: clock)
    }

    /// A gmond-style document of `hosts` hosts (cluster `Synthetic`).
    static func document(hosts: Int) throws -> [UInt8] {
        var bytes: [UInt8] = []
        GangliaXMLWriter(dialect: .gmond).write(try SyntheticGrid(hosts: hosts, metricsPerHost: 8).clusterDocument(), into: &bytes)
        return bytes
    }

    static func delivery(_ bytes: [UInt8], now: Int64 = now, previous: SourceContent? = nil) -> Delivery {
        SourcePoller.read(ByteBuffer(bytes: bytes), options: .init(), previous: previous, now: now)
    }

    /// Holds within `seconds` of waiting, checked every 20 ms (PlexusTestSupport's `eventually`).
    static func eventually(seconds: Double = 20, _ condition: () async -> Bool) async -> Bool {
        await PlexusTestSupport.eventually(seconds: seconds, every: .milliseconds(20), condition)
    }

    /// A loopback port nothing listens on.
    static func closedPort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(channel.localAddress?.port)
        try await channel.close()
        return port
    }

    @Test func publishHoldsTheContentAndCountsIt() throws {
        let source = AggregatorConfiguration.DataSource(name: "web", step: 15, transport: .poll([.init(host: "127.0.0.1")]))
        let store = try Self.store(Self.configuration(sources: [source]))
        var delivery = Self.delivery(try Self.document(hosts: 3))
        delivery.endpoint = "127.0.0.1:8649"
        let published = store.publish(delivery, source: 0)
        #expect(published.shadowed.isEmpty && published.refusedSamples == 0)
        let grid = store.grid
        #expect(grid.sources[0].alive && grid.sources[0].content.clusters.first?.hosts.count == 3)
        let counted = store.statistics.sources[0]
        #expect(counted.alive && counted.pollsOK == 1 && counted.hosts == 3 && counted.metrics == 24)
        #expect(counted.lastEndpoint == "127.0.0.1:8649" && counted.lastPolled == Self.now && counted.lastDocumentBytes == delivery.bytes)

        store.markDead(source: 0, reason: "connection refused")
        #expect(!store.grid.sources[0].alive)
        let dead = store.statistics.sources[0]
        #expect(!dead.alive && dead.pollsFailed == 1 && dead.lastError == "connection refused")
        // Dead, the source keeps its last content (gmetad serves it until the hosts expire).
        #expect(store.grid.sources[0].content.clusters.first?.hosts.count == 3)
    }

    @Test func aClusterAnotherSourceHoldsIsShadowed() throws {
        let a = AggregatorConfiguration.DataSource(name: "a", transport: .poll([.init(host: "127.0.0.1")]))
        let b = AggregatorConfiguration.DataSource(name: "b", transport: .poll([.init(host: "127.0.0.1")]))
        let store = try Self.store(Self.configuration(sources: [a, b]))
        let bytes = try Self.document(hosts: 2)
        #expect(store.publish(Self.delivery(bytes), source: 0).shadowed.isEmpty)
        #expect(store.publish(Self.delivery(bytes), source: 1).shadowed == ["Synthetic"])
        #expect(store.statistics.sources[1].shadowed == 1)
    }

    @Test func archiveSamplesAreEachUpHostsNumericMetricsAndTheSummary() throws {
        let delivery = Self.delivery(try Self.document(hosts: 4))
        let cluster = try #require(delivery.content.clusters.first)
        let samples = ArchiveSamples.of(delivery.content, step: 15, now: Self.now, skipping: [])
        let numeric = cluster.hosts.reduce(0) { $0 + $1.host.metrics.filter { $0.type.isSummarized && $0.numericValue != nil }.count }
        #expect(numeric > 0)
        #expect(samples.count == numeric + cluster.summary.metrics.count)
        #expect(samples.allSatisfy { $0.time == cluster.cluster.localtime })
        #expect(samples.filter { $0.key.location.isSummary }.count == cluster.summary.metrics.count)
        #expect(ArchiveSamples.of(delivery.content, step: 15, now: Self.now, skipping: ["Synthetic"]).isEmpty)
        // Content carried from an earlier delivery (not polled now) writes nothing.
        #expect(ArchiveSamples.of(delivery.content, step: 15, now: Self.now + 15, skipping: []).isEmpty)
    }

    @Test func dropsAreReportedAtMostOnceAMinute() throws {
        var reporter = DropReporter()
        let start = ContinuousClock.now
        let clean = Self.delivery(try Self.document(hosts: 1))
        reporter.note(clean, .init(shadowed: [], refusedSamples: 0))
        #expect(reporter.due(now: start) == nil)
        reporter.note(clean, .init(shadowed: ["web"], refusedSamples: 5))
        #expect(reporter.due(now: start) == ["samples_refused": "5", "shadowed": "web"])
        reporter.note(clean, .init(shadowed: [], refusedSamples: 2))
        #expect(reporter.due(now: start + .seconds(59)) == nil)
        reporter.note(clean, .init(shadowed: [], refusedSamples: 3))
        #expect(reporter.due(now: start + .seconds(60)) == ["samples_refused": "5"])
    }

    @Test func thePollerFailsOverAndMarksTheSourceDeadWhenNothingAnswers() async throws {
        let bytes = try Self.document(hosts: 3)
        let listener = try await GangliaPortServer.listen(host: "127.0.0.1", port: 0, group: MultiThreadedEventLoopGroup.singleton)
        let port = try #require(listener.channel.localAddress?.port)
        let serving = Task { try await GangliaPortServer().serve(listener, document: { bytes }) }
        let closed = try await Self.closedPort()
        let source = AggregatorConfiguration.DataSource(
            name: "web", step: 1,
            transport: .poll([
                .init(host: "127.0.0.1", port: closed), .init(host: "127.0.0.1", port: port),
            ]))
        let store = try Self.store(Self.configuration(sources: [source]), clock: WallClock.seconds)
        guard case .poll(let endpoints) = source.transport else { return }
        let poller = SourcePoller(store: store, index: 0, endpoints: endpoints, group: MultiThreadedEventLoopGroup.singleton)
        let polling = Task { try await poller.run() }
        defer { polling.cancel() }
        #expect(await Self.eventually(seconds: 60) { store.statistics.sources[0].pollsOK >= 1 })
        let counted = store.statistics.sources[0]
        // The first address refused; the second answered. (A poll may still have failed before
        // that, when a loaded machine keeps the in-process server from answering in time.)
        #expect(counted.lastEndpoint == "127.0.0.1:\(port)")
        #expect(counted.hosts == 3)
        #expect(store.grid.sources[0].alive)
        serving.cancel()
        try? await listener.channel.close()
        #expect(await Self.eventually(seconds: 60) { !store.statistics.sources[0].alive })
        let dead = store.statistics.sources[0]
        #expect(dead.pollsFailed >= 1)
        // Both addresses were tried, and the error names each.
        #expect(dead.lastError?.contains(":\(closed)") == true, "\(dead.lastError ?? "no error")")
        #expect(dead.lastError?.contains(":\(port)") == true, "\(dead.lastError ?? "no error")")
    }

    @Test func theInteractivePortAnswersStatusAndTheXMLPortTheWholeGrid() async throws {
        let source = AggregatorConfiguration.DataSource(name: "web", transport: .poll([.init(host: "127.0.0.1")]))
        let store = try Self.store(Self.configuration(sources: [source]))
        _ = store.publish(Self.delivery(try Self.document(hosts: 3)), source: 0)
        let gate = ClientGate(limits: .init(total: 16, perAddress: 16))
        let status = StatusBuilder(store: store, gate: gate, hostname: "agg", started: Self.now - 60, renders: { .init(xml: 0, interactive: 0) }, alerts: nil)
        let (ports, found) = AsyncStream.makeStream(of: (GridPort.Kind, Int).self)
        let listening: @Sendable (GridPort.Kind, SocketAddress?) -> Void = { kind, address in found.yield((kind, address?.port ?? 0)) }
        let group = MultiThreadedEventLoopGroup.singleton
        var configuration = store.configuration
        configuration.bind = "127.0.0.1"
        let bound = try Self.store(configuration)
        _ = bound.publish(Self.delivery(try Self.document(hosts: 3)), source: 0)
        let services = [
            GridPort(.xml, port: 0, store: bound, gate: gate, shared: SharedRender(), group: group, status: status.make, onListening: listening),
            GridPort(
                .interactive, port: 0, store: bound, gate: gate, shared: SharedRender(), group: group, status: status.make,
                onListening: listening),
        ]
        let running = services.map { service in Task { try await service.run() } }
        defer { for task in running { task.cancel() } }
        var port: [GridPort.Kind: Int] = [:]
        for await (kind, number) in ports {
            port[kind] = number
            if port.count == 2 { break }
        }
        let xmlPort = try #require(port[.xml]), interactivePort = try #require(port[.interactive])
        let (xml, reply) = try await onOwnThread { () -> ([UInt8], [UInt8]) in
            let whole = LoopbackSocket.connect(port: xmlPort, timeout: 60).map { LoopbackSocket.readAll($0) } ?? []
            guard let fd = LoopbackSocket.connect(port: interactivePort, timeout: 60) else { return (whole, []) }
            _ = "/status\n".utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
            return (whole, LoopbackSocket.readAll(fd))
        }
        guard case .grid(let grid)? = GangliaDocument.read(xml).document?.items.first, case .cluster(let cluster)? = grid.children.first else {
            Issue.record("no grid on the XML port: \(String(decoding: xml.prefix(200), as: UTF8.self))")
            return
        }
        #expect(grid.name.rawValue == "Ops" && cluster.hosts.count == 3)
        let decoded = try JSONDecoder().decode(AggregatorStatus.self, from: Data(reply))
        #expect(decoded.gridname == "Ops" && decoded.uptime == 60 && decoded.sources.map(\.name) == ["web"])
        #expect(decoded.sources[0].pollsOK == 1 && decoded.sources[0].kind == .poll && !decoded.archive.enabled)
    }

    @Test func aListenedSourceDeliversWhatItHeard() throws {
        var channel = AgentConfiguration.UDPReceiveChannel(bind: "127.0.0.1", port: 0)
        channel.allow = [try #require(CIDRBlock("127.0.0.0/8"))]
        let source = AggregatorConfiguration.DataSource(name: "web", transport: .listen(channel))
        let store = try Self.store(Self.configuration(sources: [source]))
        let listener = SourceListener(store: store, index: 0, channel: channel, group: MultiThreadedEventLoopGroup.singleton)
        let id = MetricIdentity(host: "web-1", name: "load_one")
        for message in [
            GangliaMessage.metadata(id, MetricMetadata(name: "load_one", type: .float, units: " ", tmax: 70)),
            .value(id, format: "%.2f", value: .float(0.5)),
        ] {
            var bytes: [UInt8] = []
            message.encode(into: &bytes)
            let envelope = AddressedEnvelope(remoteAddress: try SocketAddress(ipAddress: "127.0.0.1", port: 40000), data: ByteBuffer(bytes: bytes))
            #expect(listener.heard.apply(envelope, allow: channel.allow, now: Self.now) == .applied(signed: false))
        }
        let outsider = AddressedEnvelope(remoteAddress: try SocketAddress(ipAddress: "10.0.0.1", port: 40000), data: ByteBuffer(bytes: [0]))
        #expect(listener.heard.apply(outsider, allow: channel.allow, now: Self.now) == .dropped)
        let delivery = listener.deliver(try ClusterName("web"), previous: nil, now: Self.now + 5)
        let cluster = try #require(delivery.content.clusters.first)
        #expect(cluster.name.rawValue == "web" && cluster.cluster.localtime == Self.now + 5)
        #expect(cluster.hosts.map(\.host.name.rawValue) == ["web-1"])
        #expect(cluster.hosts.first?.host.metrics.first { $0.name.rawValue == "load_one" }?.value == "0.50")
    }

    @Test func theAggregatorIsBuiltFromItsConfiguration() throws {
        var configuration = Self.configuration(sources: [
            .init(name: "a", transport: .poll([.init(host: "127.0.0.1")])),
            .init(name: "b", transport: .listen(.init(port: 0))),
        ])
        configuration.httpPort = 0
        let aggregator = try Aggregator.make(configuration: configuration, rrdcached: nil, logger: Logger(label: "test"), hostname: "agg")
        let kinds = aggregator.services.map { String(describing: type(of: $0)) }
        #expect(kinds == ["SourcePoller", "SourceListener", "GridPort", "GridPort"])
        // With archives: the writer first (stopped last), the root summary; with http_port the
        // archive reader and then the web side (stopped first).
        configuration.writeRRDs = true
        configuration.rrdRootdir = FileManager.default.temporaryDirectory.appendingPathComponent("plexus-make-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: configuration.rrdRootdir) }
        configuration.httpPort = 1
        let full = try Aggregator.make(configuration: configuration, rrdcached: nil, logger: Logger(label: "test"), hostname: "agg")
        #expect(full.services.map { String(describing: type(of: $0)) }.first == "ArchiveWriter")
        #expect(
            Array(full.services.map { String(describing: type(of: $0)) }.dropFirst().prefix(5)) == [
                "SourcePoller", "SourceListener", "RootSummarizer", "GridPort", "GridPort",
            ])
        #expect(full.services.count == 8 && String(describing: type(of: full.services[6])) == "ArchiveReader")
        #expect(full.status().host == "agg" && full.status().archive.enabled)
    }
}

extension ServiceTests {
    /// What a sink is given, in order.
    struct Recording: ExportSink {
        var places: [ExportSample.Place] = []
        var values: [(ExportSample.Place, String, Double)] = []
        var summaries: [(ExportSample.Place, String, Double, Double)] = []

        mutating func begin(_ place: ExportSample.Place, time: Int64) { places.append(place) }
        mutating func value(metric: String, group: String?, value: Double, text: String?) {
            values.append((places.last!, metric, value))
        }
        mutating func summary(metric: String, sum: Double, num: Double) { summaries.append((places.last!, metric, sum, num)) }
        mutating func finish() -> ExportWritten { ExportWritten(chunk: ExportChunk(), memo: ExportMemo()) }
    }

    @Test func exportsTakeTheValuesTheArchivesTake() throws {
        let delivery = Self.delivery(try Self.document(hosts: 4))
        var sink: any ExportSink = Recording()
        ExportSamples.walk(delivery.content, now: Self.now, skipping: [], exports: ExportConfiguration(), into: &sink)
        let recorded = try #require(sink as? Recording)
        let archived = ArchiveSamples.of(delivery.content, step: 15, now: Self.now, skipping: [])
        let hostValues = archived.filter { !$0.key.location.isSummary }
        #expect(recorded.values.count == hostValues.count && !recorded.values.isEmpty)
        for (sample, (place, metric, value)) in zip(hostValues, recorded.values) {
            guard case .host(let c, let h) = sample.key.location else { continue }
            #expect(place == .host(cluster: c.rawValue, host: h.rawValue) && metric == sample.key.metric.rawValue && value == sample.sum)
        }
        #expect(recorded.summaries.count == archived.count - hostValues.count)
        // A filter keeps only the metrics it names; content carried from an earlier poll exports nothing.
        var only = ExportConfiguration()
        only.metrics = [NamePattern("load_*")]
        var filtered: any ExportSink = Recording()
        ExportSamples.walk(delivery.content, now: Self.now, skipping: [], exports: only, into: &filtered)
        let kept = try #require(filtered as? Recording)
        #expect(!kept.values.isEmpty && kept.values.allSatisfy { $0.1.hasPrefix("load_") } && kept.summaries.allSatisfy { $0.1.hasPrefix("load_") })
        var later: any ExportSink = Recording()
        ExportSamples.walk(delivery.content, now: Self.now + 15, skipping: [], exports: ExportConfiguration(), into: &later)
        #expect((later as? Recording)?.values.isEmpty == true && (later as? Recording)?.places.isEmpty == true)
    }
}
