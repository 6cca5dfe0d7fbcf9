import Foundation
import Logging
import NIOCore
import NIOPosix
import PlexusArchive
import PlexusCore
import PlexusTransport
import ServiceLifecycle
import Synchronization

/// The aggregator (gmetad's role) as one service: a task per data source (polling XML ports
/// with failover, or hearing UDP), one grid state, the XML and interactive ports, and the root
/// summary. Archive writes go to an `ArchiveWriter` queue (its own service), so neither a slow
/// disk nor a slow client ever delays a poll.
public final class AggregatorService: Service, Sendable {
    /// Where the aggregator ended up listening (useful with port 0).
    public struct Endpoints: Sendable {
        public var xml: SocketAddress?
        public var interactive: SocketAddress?
    }

    let config: AggregatorConfiguration
    let logger: Logger
    let writer: ArchiveWriter?
    let group: any EventLoopGroup
    let onReady: @Sendable (Endpoints) -> Void
    let state: Mutex<GridState>
    let stats: Mutex<AggregatorStatistics>
    let hostname: String
    let started: Int64
    /// The connection budget of the XML, interactive and HTTP ports together (`max_clients`,
    /// under the descriptor limit with `descriptorReserve` kept for polls and archives).
    public let gate: ClientGate
    /// Failures peers cause, logged once per kind per minute.
    public let peerLog: ThrottledLog
    /// Whole-grid renders on the XML port and answers on the interactive port, shared by the
    /// clients that ask within a second.
    /// Hosts and metrics refused at a source's bounds (series refused a file are the writer's).
    let quarantine = Mutex(Quarantine())
    let xmlRenders = SharedRender(maxAge: .seconds(1), maxEntries: 1)
    let queryRenders = SharedRender(maxAge: .seconds(1), maxEntries: 64, budget: 64 << 20)

    /// Descriptors kept for everything that is not a client: a poll per source, rrdcached, the
    /// archive writer's files, listeners, logs and the event loops' own.
    static func descriptorReserve(sources: Int) -> Int { 128 + 2 * sources }

    /// `writer` is nil when `write_rrds` is off.
    public init(
        config: AggregatorConfiguration, logger: Logger, writer: ArchiveWriter?, hostname: String,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        onReady: @escaping @Sendable (Endpoints) -> Void = { _ in }
    ) throws(NameError) {
        self.config = config
        self.logger = logger
        self.writer = config.writeRRDs ? writer : nil
        self.group = group
        self.onReady = onReady
        self.hostname = hostname
        started = Self.wallClock()
        let descriptors = ClientGate.raiseDescriptorLimit()
        gate = ClientGate(limits: .init(
            total: ConnectionBudget.total(configured: config.maxClients, descriptors: descriptors,
                                          reserve: Self.descriptorReserve(sources: config.dataSources.count)),
            perAddress: config.maxClientsPerAddress))
        peerLog = ThrottledLog(logger: logger)
        let authority = config.authority ?? "http://\(hostname)/ganglia/"
        state = Mutex(GridState(gridname: try GridName(config.gridname), authority: authority,
                                sources: config.dataSources.map(\.name), unsummarized: config.unsummarizedMetrics))
        stats = Mutex(AggregatorStatistics(sources: config.dataSources.map { source in
            if case .listen = source.transport { SourceStatistics(name: source.name, kind: "listen") } else { SourceStatistics(name: source.name, kind: "poll") }
        }))
    }

    /// Counters so far.
    public var statistics: AggregatorStatistics { stats.withLock { $0 } }

    /// A copy of the grid as it is now.
    public var grid: GridState { state.withLock { $0 } }

    public func run() async throws {
        let xml = try await openServer("xml_port", port: config.xmlPort)
        let interactive = try await openServer("interactive_port", port: config.interactivePort)
        onReady(Endpoints(xml: xml?.channel.localAddress, interactive: interactive?.channel.localAddress))
        logger.info("plexus-aggregator running", metadata: [
            "grid": "\(config.gridname)", "sources": "\(config.dataSources.map(\.name))",
            "xml": "\(xml?.channel.localAddress?.description ?? "off")",
            "interactive": "\(interactive?.channel.localAddress?.description ?? "off")",
            "rrds": "\(writer == nil ? "off" : config.rrdRootdir)",
            "max_clients": "\(gate.snapshot.limit)",
        ])
        let allow = config.serverAllowList ?? []
        let timeout = Duration.milliseconds(Int(config.serverTimeout * 1000))
        do {
            try await cancelWhenGracefulShutdown {
                try await withThrowingDiscardingTaskGroup { tasks in
                    for (index, source) in self.config.dataSources.enumerated() {
                        switch source.transport {
                        case .poll(let endpoints):
                            tasks.addTask { try await self.poll(source, index: index, endpoints: endpoints) }
                        case .listen(let channel):
                            tasks.addTask { try await self.listen(source, index: index, channel: channel) }
                        }
                    }
                    if let xml {
                        let server = XMLServer(allow: allow, timeout: timeout, gate: self.gate, shared: self.xmlRenders)
                        tasks.addTask {
                            try await server.serve(xml, respond: { _ in await Self.offload { self.xmlDocument() } }, report: { self.countXML($0) })
                        }
                    }
                    if let interactive {
                        let server = XMLServer(allow: allow, timeout: timeout, requestLineLimit: GridQuery.maxLength, gate: self.gate,
                                               shared: self.queryRenders)
                        tasks.addTask {
                            try await server.serve(interactive, respond: { request in await Self.offload { self.answer(request) } },
                                             report: { self.countQuery($0) })
                        }
                    }
                    tasks.addTask { try await self.summarizeRoot() }
                }
            }
        } catch is CancellationError {
            logger.info("plexus-aggregator stopped")
        }
    }

    private func openServer(_ key: String, port: Int) async throws -> XMLServer.Listener? {
        do {
            return try await XMLServer.listen(host: config.bind, port: port, group: group)
        } catch where config.bind == "::" {
            // No IPv6 on this machine: IPv4 only.
            logger.notice("IPv6 unavailable, listening on IPv4 only", metadata: ["port": "\(key)"])
            do {
                return try await XMLServer.listen(host: "0.0.0.0", port: port, group: group)
            } catch {
                throw ListenError(key: key, address: "0.0.0.0:\(port)", underlying: error)
            }
        } catch {
            throw ListenError(key: key, address: "\(config.bind):\(port)", underlying: error)
        }
    }

    /// A server port that could not be opened, named as in the configuration.
    public struct ListenError: Error, CustomStringConvertible {
        public var key: String
        public var address: String
        public var underlying: any Error
        public var description: String { "cannot listen on \(key) (\(address)): \(underlying)" }
    }

    // MARK: - Serving

    /// The whole grid as gmetad's XML port serves it.
    func xmlDocument() -> [UInt8] {
        let snapshot = state.withLock { $0 }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1 << 16)
        GridRenderer(state: snapshot, now: Self.wallClock()).renderTree(into: &bytes)
        return bytes
    }

    /// The reply to one interactive request; a refused request gets no reply (the connection
    /// closes), as with gmetad.
    func answer(_ request: XMLServer.Request) -> [UInt8] {
        let query: GridQuery
        do {
            query = try GridQuery.parse(request.line ?? "")
        } catch {
            stats.withLock { $0.queriesRejected += 1 }
            logger.debug("query refused", metadata: ["peer": "\(request.peer)", "reason": "\(error)"])
            return []
        }
        switch query {
        case .tree(let path, let summary, let http):
            let snapshot = state.withLock { $0 }
            var bytes: [UInt8] = []
            GridRenderer(state: snapshot, now: Self.wallClock()).render(path: path, summary: summary, http: http, into: &bytes)
            return bytes
        case .status(let callback, let http):
            return statusReply(callback: callback, http: http)
        }
    }

    func countXML(_ outcome: XMLServer.Outcome) {
        stats.withLock { $0.xml.record(outcome) }
        log(outcome, port: "XML")
    }

    func countQuery(_ outcome: XMLServer.Outcome) {
        stats.withLock { $0.queries.record(outcome) }
        log(outcome, port: "query")
    }

    private func log(_ outcome: XMLServer.Outcome, port: String) {
        switch outcome {
        case .served: break
        case .refused(let decision, let peer): peerLog.log(.notice, "\(port) client refused: \(decision)", detail: peer)
        case .failed(let reason): peerLog.log(.info, "\(port) client failed", detail: reason)
        }
    }

    // MARK: - Clocks

    static func wallClock() -> Int64 {
        Int64(Date().timeIntervalSince1970)
    }
}
