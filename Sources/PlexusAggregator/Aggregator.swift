import Foundation
import Logging
import NIOCore
import NIOPosix
import PlexusArchive
import PlexusCore
import PlexusSecurity
import PlexusStatus
import PlexusTransport
import PlexusWeb
import ServiceLifecycle
import Synchronization

/// The aggregator (gmetad's role) built from its configuration: one `GridStore` and the services
/// around it, to run in one `ServiceGroup` — the archive writer, a poller or listener per data
/// source, the XML and interactive ports, the root summary, and the web side. The group stops
/// them in reverse order: the web side and the ports first, the writer last (it writes out its
/// queue).
public struct Aggregator: Sendable {
    public let store: GridStore
    /// The connection budget of the XML, interactive and HTTP ports together (`max_clients`,
    /// under the descriptor limit with `descriptorReserve` kept for polls and archives).
    public let gate: ClientGate
    public let services: [any Service]
    /// The status document as of now (`/status`).
    public let status: @Sendable () -> AggregatorStatus

    /// Descriptors kept for everything that is not a client: a poll per source, rrdcached, the
    /// archive writer's files, listeners, logs and the event loops' own.
    static func descriptorReserve(sources: Int) -> Int { 128 + 2 * sources }

    /// Why the aggregator could not be built.
    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Everything `configuration` asks for. `onListening` hears where each port ended up (useful
    /// with port 0); `clock` stamps deliveries and summaries; `secrets` holds the keys and TLS
    /// contexts the configuration names (`AggregatorSecrets.load`; default: none).
    public static func make(
        configuration: AggregatorConfiguration, rrdcached: RRDCachedAddress?, logger: Logger, hostname: String,
        secrets: AggregatorSecrets = AggregatorSecrets(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, clock: @escaping @Sendable () -> Int64 = WallClock.seconds,
        onListening: @escaping @Sendable (String, SocketAddress?) -> Void = { _, _ in }
    ) throws -> Aggregator {
        let writer = try configuration.writeRRDs ? makeWriter(configuration, rrdcached: rrdcached, logger: logger) : nil
        let (exports, senders) = exporting(configuration, secrets: secrets, group: group, clock: clock, logger: logger)
        let store = try GridStore(configuration: configuration, writer: writer, exports: exports, hostname: hostname, logger: logger, clock: clock)
        let gate = ClientGate(
            limits: .init(
                total: ConnectionBudget.total(
                    configured: configuration.maxClients, descriptors: ClientGate.raiseDescriptorLimit(),
                    reserve: descriptorReserve(sources: configuration.dataSources.count)),
                perAddress: configuration.maxClientsPerAddress))
        // Whole-grid renders on the XML port and answers on the interactive port, shared by the
        // clients that ask within a second.
        let xmlRenders = SharedRender(maxAge: .seconds(1), maxEntries: 1)
        let queryRenders = SharedRender(maxAge: .seconds(1), maxEntries: 64, budget: 64 << 20)
        let alerts = try alerts(configuration, rrdcached: rrdcached, store: store, hostname: hostname, logger: logger)
        let status = StatusBuilder(
            store: store, gate: gate, hostname: hostname, started: clock(),
            renders: { .init(xml: xmlRenders.renderCount, interactive: queryRenders.renderCount) }, alerts: alerts?.status)
        // The senders before the sources: the group stops them after the polls, which feed them.
        var services: [any Service] = (writer.map { [$0] } ?? []) + senders
        for (index, source) in configuration.dataSources.enumerated() {
            switch source.transport {
            case .poll(let endpoints):
                services.append(SourcePoller(store: store, index: index, endpoints: endpoints, tls: secrets.pollTLS(index), group: group))
            case .listen(let channel):
                services.append(
                    SourceListener(store: store, index: index, channel: channel, keyring: secrets.security(index).keyring, group: group))
            }
        }
        if writer != nil || exports != nil { services.append(RootSummarizer(store: store)) }
        if let alerts {
            // The reader first: the group stops services in reverse order, so it outlives the rules.
            if let reader = alerts.reader { services.append(reader) }
            services.append(alerts.service)
        }
        let listening: @Sendable (GridPort.Kind, SocketAddress?) -> Void = { kind, address in
            logger.info("listening", metadata: ["port": "\(kind.rawValue)", "address": "\(address?.description ?? "?")"])
            onListening(kind.rawValue, address)
        }
        // Both ports always listen (0: a free port, reported to `onListening`); `http_port` 0 is off.
        services.append(
            GridPort(
                .xml, port: configuration.xmlPort, store: store, gate: gate, shared: xmlRenders, group: group, tls: secrets.serverTLS,
                status: status.make, onListening: listening))
        services.append(
            GridPort(
                .interactive, port: configuration.interactivePort, store: store, gate: gate, shared: queryRenders,
                group: group, tls: secrets.serverTLS, status: status.make, onListening: listening))
        if let port = configuration.historyPort, store.tail != nil {
            services.append(
                GridPort(
                    .history, port: port, store: store, gate: gate, shared: SharedRender(maxAge: .seconds(1), maxEntries: 4), group: group,
                    tls: secrets.serverTLS, status: status.make, onListening: listening))
        }
        if configuration.httpPort != 0 {
            services += web(
                configuration, rrdcached: rrdcached, store: store, gate: gate, status: status.make, alerts: alerts?.board, logger: logger,
                onListening: onListening)
        }
        logger.info(
            "plexus-aggregator running",
            metadata: [
                "grid": "\(configuration.gridname)", "sources": "\(configuration.dataSources.map(\.name))",
                "rrds": "\(writer == nil ? "off" : configuration.rrdRootdir)", "max_clients": "\(gate.snapshot.limit)",
                "exports": "\(exports?.destinations.map { "\($0.kind) \($0.target)" } ?? [])",
            ])
        return Aggregator(store: store, gate: gate, services: services, status: status.make)
    }

    /// The archive writer (`write_rrds`): `rrd_rootdir` made if need be, files a killed
    /// predecessor was creating removed (never half-used), new series guarded.
    static func makeWriter(_ configuration: AggregatorConfiguration, rrdcached: RRDCachedAddress?, logger: Logger) throws -> ArchiveWriter {
        do {
            try FileManager.default.createDirectory(atPath: configuration.rrdRootdir, withIntermediateDirectories: true)
        } catch {
            throw StartError(description: "cannot create rrd_rootdir \(configuration.rrdRootdir): \(error.localizedDescription)")
        }
        guard access(configuration.rrdRootdir, W_OK) == 0 else {
            throw StartError(description: "rrd_rootdir \(configuration.rrdRootdir) is not writable")
        }
        var store = ArchiveStore(
            layout: RRDLayout(root: configuration.rrdRootdir, caseSensitiveHostnames: configuration.caseSensitiveHostnames),
            archives: configuration.archives)
        store.removeLeftovers()
        forecast(&store, configuration.alerts, logger: logger)
        var writing = ArchiveWriter.Configuration(
            rrdcached: rrdcached,
            rrdcachedFallbackAfter: configuration.rrdcachedFallbackAfter == 0 ? nil : .seconds(Int(configuration.rrdcachedFallbackAfter)))
        writing.report = ArchiveLog.reporter(ThrottledLog(logger: logger))
        writing.newSeries = NewSeriesGuard(
            limits: .init(perHost: configuration.maxNewSeriesPerHost, perCluster: configuration.maxNewSeriesPerCluster),
            keepFreePercent: configuration.rrdKeepFree, root: configuration.rrdRootdir)
        return ArchiveWriter(store: store, configuration: writing)
    }

    /// The web side on `http_port`, and the archive reader it draws graphs with (before it: the
    /// group stops services in reverse order, so the reader outlives the requests).
    static func web(
        _ configuration: AggregatorConfiguration, rrdcached: RRDCachedAddress?, store: GridStore, gate: ClientGate,
        status: @escaping @Sendable () -> AggregatorStatus, alerts: AlertBoard?, logger: Logger,
        onListening: @escaping @Sendable (String, SocketAddress?) -> Void
    ) -> [any Service] {
        let layout = RRDLayout(root: configuration.rrdRootdir, caseSensitiveHostnames: configuration.caseSensitiveHostnames)
        var inputs = WebInputs(
            grid: { store.grid }, status: status, layout: layout, rrdcached: rrdcached,
            events: EventFile(besideRoot: configuration.rrdRootdir), eventsToken: configuration.eventsToken,
            trusted: configuration.httpAllowList, hostValuesInMetrics: configuration.metricsHostValues,
            wallScreen: configuration.wallScreen, clock: store.clock)
        if let alerts { inputs.alerts = { alerts.snapshot.active } }
        // The longest step gives the longest coverage: every source's archives fit.
        inputs.timeLimits = TimeLimits(archives: configuration.archives, step: Int(configuration.dataSources.map(\.step).max() ?? 15))
        let reader = ArchiveReader(store: ArchiveStore(layout: layout), rrdcached: rrdcached, tail: store.tail)
        let listening = WebPort.Listening()
        let application = WebApplication.make(
            inputs: inputs, host: configuration.bind, port: configuration.httpPort, logger: logger, gate: gate,
            idleTimeout: .milliseconds(Int(configuration.httpIdleTimeout * 1000)), peerLog: store.peerLog, reader: reader,
            onServerRunning: { channel in
                listening.set()
                onListening("http_port", channel.localAddress)
            })
        return [reader, WebPort(application: application, address: "\(configuration.bind):\(configuration.httpPort)", listening: listening)]
    }
}

/// The web side's application, its failure to listen named as the other ports' are
/// (`cannot listen on http_port (ADDRESS): ...`): Hummingbird's own error names no port.
struct WebPort: Service, CustomStringConvertible {
    final class Listening: Sendable {
        private let flag = Mutex(false)
        func set() { flag.withLock { $0 = true } }
        var isSet: Bool { flag.withLock { $0 } }
    }

    let application: any Service
    let address: String
    let listening: Listening

    var description: String { "WebPort(http_port)" }

    func run() async throws {
        do {
            try await application.run()
        } catch  where !listening.isSet && !(error is CancellationError) {
            throw ListenError(key: "http_port", address: address, underlying: error)
        }
    }
}

/// Builds the status document from the store, the gate and the ports' render counts.
struct StatusBuilder: Sendable {
    let store: GridStore
    let gate: ClientGate
    let hostname: String
    let started: Int64
    let renders: @Sendable () -> AggregatorStatus.Renders
    let alerts: (@Sendable () -> AggregatorStatus.Alerts)?

    @Sendable func make() -> AggregatorStatus {
        let s = store.statistics
        let configuration = store.configuration
        let now = store.clock()
        return AggregatorStatus(
            host: hostname, gridname: configuration.gridname, version: "plexus (gmetad \(GangliaDocument.defaultVersion) compatible)",
            boottime: started, uptime: now - started,
            polls: .init(ok: s.pollsOK, failed: s.pollsFailed, missed: s.pollsMissed), sources: s.sources,
            xml: .init(s.xml), interactive: .init(s.queries, rejected: s.queriesRejected), clients: gate.snapshot,
            renders: renders(), quarantine: store.quarantined,
            archive: .init(
                enabled: store.writer != nil, rrdRootdir: configuration.rrdRootdir, rrdcached: configuration.rrdcachedAddress,
                submitted: s.samplesSubmitted, refused: s.samplesRefused, writer: store.writer?.statistics ?? ArchiveWriter.Statistics(),
                liveTail: store.tail?.statistics),
            rootSummaries: s.rootSummaries, alerts: alerts?(), exports: store.exports?.status)
    }
}
