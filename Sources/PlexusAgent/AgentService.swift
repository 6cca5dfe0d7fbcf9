import Glibc
import Logging
import NIOCore
import NIOPosix
import PlexusCollectors
import PlexusCore
import PlexusSecurity
import PlexusTransport
import ServiceLifecycle
import Synchronization

/// The agent (gmond's role) as one service: collects and announces its own metrics on every
/// send channel, builds the cluster from every receive channel, serves the cluster's XML on every
/// TCP accept channel, and forgets silent hosts and metrics.
public final class AgentService: Service, Sendable {
    /// Where the agent ended up listening (useful with port 0).
    public struct Endpoints: Sendable {
        public var xml: [SocketAddress]
        public var udp: [SocketAddress]
        /// The history ports (`history_port`), in channel order.
        public var history: [SocketAddress] = []
        public var identity: AgentIdentity
    }

    let config: AgentConfiguration
    let logger: Logger
    let proc: HostSystem
    let group: any EventLoopGroup
    let onReady: @Sendable (Endpoints) -> Void
    /// Seconds since the epoch: heard messages, expiry and the XML port are stamped with it (tests pin it).
    let clock: @Sendable () -> Int64
    let state: Mutex<ClusterState>
    let stats = Mutex(AgentStatistics())
    let announcer: Mutex<Announcer>
    /// Latest probe results, shared by the probe tasks and the collector that reports them.
    let probes = ProbeBoard()
    /// Plugins' latest metrics and counters, shared by their tasks and the announcer.
    let plugins = PluginBoard()
    /// Ends the announcer's sleep when there is something to send before its next deadline.
    let news = Wakeup()
    /// The connection budget of the XML ports (`max_clients`, under the descriptor limit).
    let gate: ClientGate
    /// Failures peers cause, logged once per kind per minute.
    let peerLog: ThrottledLog
    /// Signs what we send (`[security] key_file`); nil: we send plain Ganglia datagrams.
    let signer: Mutex<Signer?>
    /// Each accept channel's TLS, by index (missing: plain TCP).
    let tls: [TLSContext?]
    /// What we accept: plain and signed datagrams, by `[security]`; what was accepted and refused.
    let intake: SignedReceiver
    let signatures: SignatureTally
    /// Recent values for aggregators' back-fill (`AgentService+History`).
    let history: Mutex<HistoryStore>
    /// Our metrics' `collect_every`, by name: the interval their history rings are sized for.
    let historyIntervals: [String: Int]
    /// Each plugin's interval, by name (its own collection group's).
    let pluginIntervals: [String: UInt32]
    /// The built-in collectors' metrics (fixed at start; plugins' are on `plugins`).
    let builtinDefinitions: [String: MetricDefinition]

    /// Descriptors kept for everything that is not an XML client: UDP channels, probes, logs.
    static let descriptorReserve = 32

    /// The schedule and the collectors it samples, owned together.
    struct Announcer {
        var schedule: CollectionSchedule
        var collectors: CollectorSet
    }

    /// The host name our own key speaks for (`override_hostname`, or the system's).
    public static func ownHostName(_ config: AgentConfiguration) -> String {
        config.globals.overrideHostname ?? systemHostname()
    }

    /// `security`: the keys `config.security` names, read by the caller
    /// (`SecurityMaterial.load`, with `ownHostName` as our own key's host); `tls`: each accept
    /// channel's TLS (`tlsContexts`), by index.
    public init(
        config: AgentConfiguration, security: SecurityMaterial = SecurityMaterial(), tls: [TLSContext?] = [], logger: Logger,
        proc: HostSystem = HostSystem(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, clock: @escaping @Sendable () -> Int64 = WallClock.seconds,
        onReady: @escaping @Sendable (Endpoints) -> Void = { _ in }
    ) {
        self.clock = clock
        self.config = config
        self.logger = logger
        self.proc = proc
        self.group = group
        self.onReady = onReady
        gate = ClientGate(
            limits: .init(
                total: ConnectionBudget.total(
                    configured: config.globals.maxClients, descriptors: ClientGate.raiseDescriptorLimit(),
                    reserve: Self.descriptorReserve),
                perAddress: config.globals.maxClientsPerAddress))
        peerLog = ThrottledLog(logger: logger)
        let signatures = SignatureTally()
        self.signatures = signatures
        self.tls = tls
        signer = Mutex(security.signingKey.map { Signer(key: $0, sender: UInt32.random(in: 0...UInt32.max)) })
        intake = SignedReceiver(
            keyring: security.keyring, window: config.security.replayWindow, requireSigned: config.security.requireSigned,
            acceptUnsignedFrom: config.security.acceptUnsignedFrom)
        state = Mutex(ClusterState(limits: config.clusterLimits))
        history = Mutex(HistoryStore(seconds: Int(config.globals.historySeconds), maxValues: config.globals.historyMaxValues))
        var intervals: [String: Int] = [:]
        for group in config.collectionGroups + config.probes.map(\.collectionGroup) where group.collectEvery > 0 {
            for metric in group.metrics { intervals[metric.name] = min(intervals[metric.name] ?? .max, Int(group.collectEvery)) }
        }
        historyIntervals = intervals
        pluginIntervals = Dictionary(
            config.plugins.map { ($0.name, $0.limits.interval) } + config.modules.map { ($0.name, $0.limits.interval) }
                + (config.textfile.map { [("textfile", $0.limits.interval)] } ?? []),
            uniquingKeysWith: { a, _ in a })
        // Rates and percentages need a previous sample: take one now, start the schedule a
        // second later so the first values sent already cover a real interval.
        let start = Self.monotonic()
        var extra: [any Collector] = [ProbeCollector(probes: config.probes, board: probes)]
        var groups = config.collectionGroups + config.probes.map(\.collectionGroup)
        if config.security.isEnabled {
            extra.append(SecurityCollector(read: { signatures.current.metricValues }))
            groups.append(SecurityCollector.collectionGroup)
        }
        if !config.counterNames.isEmpty {
            extra.append(PluginCountersCollector(plugins: config.counterNames, read: { [plugins] in plugins.counterMetricValues() }))
            groups.append(PluginCountersCollector.collectionGroup(config.counterNames))
        }
        var collectors = CollectorSet.standard(startTime: UInt32(clamping: clock()), location: config.location, extra: extra)
        _ = collectors.sample(collectors.definitions.keys, proc: proc, now: start)
        builtinDefinitions = collectors.definitions
        announcer = Mutex(
            Announcer(
                schedule: CollectionSchedule(
                    groups: groups,
                    metadataInterval: config.globals.sendMetadataInterval, start: start + 1),
                collectors: collectors))
    }

    /// Counters so far.
    public var statistics: AgentStatistics {
        var statistics = stats.withLock { $0 }
        statistics.signatures = signatures.current
        return statistics
    }

    public func run() async throws {
        let senders = try await openSenders()
        var receivers: [any Channel] = []
        var listeners: [GangliaPortServer.Listener] = []
        var historyListeners: [(GangliaPortServer.Listener, Int)] = []
        do {
            if !config.globals.deaf {
                try await openReceivers(into: &receivers)
                try await openListeners(into: &listeners)
                if config.globals.historySeconds > 0 { try await openHistoryListeners(into: &historyListeners) }
            }
        } catch {
            // A port taken (another agent, a gmond): close what is open, through SwiftNIO's own
            // API (an async channel dropped open is a fatal error), and say which channel.
            for receiver in receivers { try? await receiver.close() }
            for listener in listeners + historyListeners.map(\.0) { try? await listener.executeThenClose { _ in } }
            for sender in senders { await sender.close() }
            throw error
        }
        let (receiverChannels, listenerChannels, historyChannels) = (receivers, listeners, historyListeners)
        let source = senders.first.flatMap { sourceAddress(toward: $0.destination) } ?? "127.0.0.1"
        let ownAddress = config.udpSendChannels.first?.bind ?? source
        let identity = AgentIdentity(
            config: config, systemHostname: systemHostname(), sourceAddress: ownAddress,
            reverseName: reverseName(of: ownAddress))
        onReady(
            Endpoints(
                xml: listenerChannels.compactMap(\.channel.localAddress), udp: receiverChannels.compactMap(\.localAddress),
                history: historyChannels.compactMap(\.0.channel.localAddress), identity: identity))
        logger.info(
            "plexus-agent running",
            metadata: [
                "host": "\(identity.hostname)", "cluster": "\(config.cluster.name)",
                "send": "\(senders.map(\.destination.description))",
                "xml": "\(listenerChannels.compactMap(\.channel.localAddress).map(\.description))",
            ])
        do {
            try await cancelWhenGracefulShutdown {
                try await withThrowingDiscardingTaskGroup { tasks in
                    if !self.config.globals.mute {
                        tasks.addTask { try await self.announce(senders: senders, identity: identity) }
                    }
                    for (receiver, channel) in zip(receiverChannels, self.config.udpReceiveChannels) {
                        tasks.addTask { try await self.receive(receiver, allow: channel.allow, senders: senders, identity: identity) }
                    }
                    for (listener, channel) in zip(listenerChannels, self.config.tcpAcceptChannels) {
                        // One render a second is shared by every client of the port.
                        let server = GangliaPortServer(
                            allow: channel.allow, gzip: channel.gzipOutput, timeout: .milliseconds(Int(channel.timeout * 1000)),
                            gate: self.gate, shared: SharedRender(maxAge: .seconds(1), maxEntries: 1))
                        tasks.addTask {
                            try await server.serve(listener, render: { _ in self.xmlDocument() }, report: { self.count($0) })
                        }
                    }
                    for (listener, index) in historyChannels {
                        let channel = self.config.tcpAcceptChannels[index]
                        tasks.addTask { try await self.serveHistory(listener, channel: channel) }
                    }
                    tasks.addTask { try await self.cleanup() }
                    for probe in self.config.probes {
                        tasks.addTask { try await self.runProbe(probe) }
                    }
                    for runner in self.pluginRunners() {
                        tasks.addTask { try await self.runPlugin(runner) }
                    }
                    for module in self.config.modules {
                        tasks.addTask { try await self.runModule(module) }
                    }
                }
            }
        } catch is CancellationError {
            logger.info("plexus-agent stopped")
        }
        for sender in senders { await sender.close() }
    }

    /// The TLS contexts `config`'s accept channels name (read from their files; `--check` too).
    public static func tlsContexts(_ config: AgentConfiguration, file: String) throws(ConfigError) -> [TLSContext?] {
        var contexts: [TLSContext?] = []
        for (i, channel) in config.tcpAcceptChannels.enumerated() {
            contexts.append(
                try channel.tls.map { tls throws(ConfigError) in
                    try TLSContext.server(
                        certificate: tls.certificate, key: tls.key, clientCA: tls.clientCA, file: file, section: "tcp_accept_channel[\(i)]")
                })
        }
        return contexts
    }

    // MARK: - Opening channels

    private func openSenders() async throws -> [UDPSender] {
        var senders: [UDPSender] = []
        for (i, channel) in config.udpSendChannels.enumerated() {
            do {
                senders.append(try await UDPSender.open(channel, group: group))
            } catch {
                throw ChannelError(channel: "udp_send_channel[\(i)] (\(channel.mcastJoin ?? channel.host ?? "?"):\(channel.port))", underlying: error)
            }
        }
        return senders
    }

    /// Opens every receive channel into `receivers`, which holds those open when one fails.
    private func openReceivers(into receivers: inout [any Channel]) async throws {
        for (i, channel) in config.udpReceiveChannels.enumerated() {
            do {
                receivers.append(try await UDPReceiver.openForFiling(channel, maxMessageLength: config.globals.maxUDPMessageLength, group: group))
            } catch {
                let address = "\(channel.mcastJoin.map { "group \($0), " } ?? "")\(channel.bind ?? "*"):\(channel.port)"
                throw ChannelError(channel: "udp_recv_channel[\(i)] (\(address))", underlying: error)
            }
        }
    }

    private func openListeners(into listeners: inout [GangliaPortServer.Listener]) async throws {
        for (i, channel) in config.tcpAcceptChannels.enumerated() {
            let host = channel.bind ?? (channel.family == .inet6 ? "::" : "0.0.0.0")
            do {
                listeners.append(try await GangliaPortServer.listen(host: host, port: channel.port, group: group, tls: i < tls.count ? tls[i] : nil))
            } catch {
                throw ChannelError(channel: "tcp_accept_channel[\(i)] (\(host):\(channel.port))", underlying: error)
            }
        }
    }

    /// A channel that could not be opened, named as in the configuration.
    public struct ChannelError: Error, CustomStringConvertible {
        public var channel: String
        public var underlying: any Error
        public var description: String { "cannot open \(channel): \(underlying)" }
    }

    // MARK: - Clocks

    static func monotonic() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
