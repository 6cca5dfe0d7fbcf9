import Logging
import PlexusArchive
import PlexusCore
import PlexusExport
import PlexusStatus
import PlexusTransport
import Synchronization

/// The grid an aggregator holds, shared by its services: each source's content and liveness
/// (`GridState`), what the aggregator counts, the hosts and metrics refused at a source's bounds,
/// and the archive writer that deliveries feed. Ports, pages and `/status` read snapshots.
public final class GridStore: Sendable {
    public let configuration: AggregatorConfiguration
    /// nil when `write_rrds` is off.
    public let writer: ArchiveWriter?
    /// The export destinations' queues (`docs/exports.md`); nil without any.
    public let exports: Exports?
    /// The last values of every archived series (`live_tail_seconds`); nil when off or when
    /// nothing is archived.
    public let tail: LiveTail?
    let logger: Logger
    /// Failures peers cause, logged once per kind per minute.
    public let peerLog: ThrottledLog
    /// Seconds since the epoch: the time deliveries, summaries and the status are stamped with.
    public let clock: @Sendable () -> Int64
    private let state: Mutex<GridState>
    private let stats: Mutex<AggregatorStatistics>
    private let quarantine = Mutex(Quarantine())
    /// Sources whose poll samples wait for a back-fill to be written first, and the samples.
    private let held = Mutex<[Int: [ArchiveSample]]>([:])
    /// The root summary's back-fill: the sources back-filling, their contributions, and the root
    /// samples held back meanwhile (`RootBackfill`).
    private let root = Mutex(RootState())

    struct RootState {
        var active: Set<Int> = []
        var writing = false
        var held: [ArchiveSample] = []
        var backfill = RootBackfill()
    }

    /// `hostname` makes the default `authority` (gmetad's `http://HOSTNAME/ganglia/`).
    public init(
        configuration: AggregatorConfiguration, writer: ArchiveWriter?, exports: Exports? = nil, hostname: String, logger: Logger,
        clock: @escaping @Sendable () -> Int64 = WallClock.seconds
    ) throws(NameError) {
        self.configuration = configuration
        self.writer = configuration.writeRRDs ? writer : nil
        self.exports = exports
        if let writer = self.writer, configuration.liveTailSeconds > 0 {
            tail = LiveTail(
                seconds: Int(configuration.liveTailSeconds), step: Int(configuration.shortestStep), maxValues: configuration.liveTailMaxValues,
                normalize: { writer.normalized($0) })
        } else {
            tail = nil
        }
        self.logger = logger
        self.clock = clock
        peerLog = ThrottledLog(logger: logger)
        let authority = configuration.authority ?? "http://\(hostname)/ganglia/"
        state = Mutex(
            GridState(
                gridname: try GridName(configuration.gridname), authority: authority,
                sources: configuration.dataSources.map(\.name), unsummarized: configuration.unsummarizedMetrics))
        stats = Mutex(
            AggregatorStatistics(
                sources: configuration.dataSources.map { source in
                    switch source.transport {
                    case .poll: SourceStatistics(name: source.name, kind: .poll)
                    case .listen: SourceStatistics(name: source.name, kind: .listen)
                    }
                }))
    }

    /// A copy of the grid as it is now.
    public var grid: GridState { state.withLock { $0 } }

    /// Counters so far.
    public var statistics: AggregatorStatistics { stats.withLock { $0 } }

    /// The hosts, metrics and series refused at a bound lately (the writer's included), oldest first.
    public var quarantined: [Quarantine.Entry] {
        (quarantine.withLock { $0.entries } + (writer?.configuration.newSeries?.quarantine.entries ?? [])).sorted { $0.last < $1.last }
    }

    /// Changes counters under the lock.
    func count(_ change: (inout AggregatorStatistics) -> Void) {
        stats.withLock { change(&$0) }
    }

    /// What a delivery lost on its way to the grid and the archive (for the source's `DropReporter`).
    struct Published {
        /// Clusters and grids another source already holds: not taken from this one.
        var shadowed: Set<String>
        /// Archive samples the writer's full queue refused.
        var refusedSamples: Int
    }

    /// Makes a delivery the source's content, queues its archive samples and counts.
    func publish(_ delivery: Delivery, source index: Int) -> Published {
        let content = delivery.content
        let shadowed = state.withLock { state in
            state.sources[index].content = content
            state.sources[index].alive = true
            return Set(
                content.clusters.map(\.name.rawValue).filter { state.isShadowed($0, inSource: index) }
                    + content.grids.map(\.name.rawValue).filter { state.isShadowed($0, inSource: index) })
        }
        var submitted = 0
        var refused = 0
        if writer != nil {
            let step = Int(configuration.dataSources[index].step)
            let samples = ArchiveSamples.of(content, step: step, now: delivery.now, skipping: shadowed)
            submitted = samples.count
            if !holdBack(samples, source: index) { refused = samples.count - archive(samples) }
        }
        if let exports {
            exports.submit(stream: index) { $0.write(content, now: delivery.now, skipping: shadowed, exports: configuration.exports) }
        }
        stats.withLock { s in
            s.samplesSubmitted += submitted
            s.samplesRefused += refused
            s.sources[index].record(delivery, shadowed: shadowed.count)
        }
        if !content.refusals.named.isEmpty {
            quarantine.withLock { q in
                for refusal in content.refusals.named { q.record(refusal.subject, reason: refusal.reason, now: delivery.now) }
            }
            peerLog.log(
                .notice, "data source over its bounds: hosts or metrics refused", detail: configuration.dataSources[index].name,
                metadata: ["hosts": "\(content.refusals.hosts)", "metrics": "\(content.refusals.metrics)"])
        }
        return Published(shadowed: shadowed, refusedSamples: refused)
    }

    /// Publishes a delivery and notes what it lost in the source's reporter, which logs at most
    /// once a minute.
    func publish(_ delivery: Delivery, source index: Int, reporting reporter: inout DropReporter) {
        reporter.note(delivery, publish(delivery, source: index))
        reporter.logIfDue(source: configuration.dataSources[index].name, logger: logger)
    }

    /// Hands samples to the archive writer, and to the live tail in the same order; how many
    /// the writer took.
    @discardableResult
    func archive(_ samples: [ArchiveSample]) -> Int {
        guard let writer else { return 0 }
        tail?.record(samples)
        return writer.submit(samples)
    }

    /// From now on the source's poll samples wait (in order) until `release`: a back-fill writes
    /// older values first, which the archives would refuse after newer ones.
    func hold(source index: Int) {
        held.withLock { $0[index] = $0[index] ?? [] }
    }

    /// Submits what waited for the back-fill, and stops holding.
    func release(source index: Int) {
        guard let samples = held.withLock({ $0.removeValue(forKey: index) }), !samples.isEmpty else { return }
        let refused = samples.count - archive(samples)
        stats.withLock { $0.samplesRefused += refused }
    }

    /// Keeps `samples` back when the source is held; false when it isn't. Past a quarter of the
    /// writer's queue (a back-fill far slower than the polls), the held samples go to the
    /// writer after all and holding ends: what the back-fill writes later for those files is
    /// then refused as stale, never written out of order.
    private func holdBack(_ samples: [ArchiveSample], source index: Int) -> Bool {
        guard let writer else { return false }
        let bound = writer.configuration.queueCapacity / 4
        let (taken, overflow) = held.withLock { held -> (Bool, [ArchiveSample]?) in
            guard held[index] != nil else { return (false, nil) }
            held[index]!.append(contentsOf: samples)
            return held[index]!.count > bound ? (true, held.removeValue(forKey: index)) : (true, nil)
        }
        if taken { stats.withLock { $0.sources[index].backfill?.held += samples.count } }
        if let overflow {
            let refused = overflow.count - archive(overflow)
            stats.withLock { $0.samplesRefused += refused }
            peerLog.log(.warning, "back-fill slower than the polls: held samples written first", detail: configuration.dataSources[index].name)
        }
        return taken
    }

    /// No address of the source answered: it is dead until a poll succeeds. Logged when it
    /// dies (and on the first failure after start), not on every failed poll.
    func markDead(source index: Int, reason: String) {
        let wasAlive = state.withLock { state in
            defer { state.sources[index].alive = false }
            return state.sources[index].alive
        }
        let failures = stats.withLock { s in
            s.sources[index].alive = false
            s.sources[index].pollsFailed += 1
            s.sources[index].lastError = reason
            return s.sources[index].pollsFailed
        }
        if wasAlive || failures == 1 {
            logger.warning(
                "data source dead: no address answered",
                metadata: ["source": "\(configuration.dataSources[index].name)", "errors": "\(reason)"])
        }
    }

    /// The root summary of the alive sources, archived under `__SummaryInfo__` at `now`, and
    /// exported.
    func archiveRootSummary(now: Int64) {
        let summary = state.withLock { $0.rootSummary }
        exports?.submit(stream: -1) { $0.writeRoot(summary, gridname: configuration.gridname, now: now, exports: configuration.exports) }
        guard writer != nil else { return }
        let step = Int(configuration.shortestStep)
        let samples = summary.metrics.map { metric in
            ArchiveSample(
                key: ArchiveKey(.rootSummary, metric.name),
                geometry: ArchiveGeometry(step: step, slope: RRDLayout.storedSlope(metric.slope, at: .rootSummary)),
                time: now, sum: metric.sum, num: metric.num)
        }
        let waiting = root.withLock { state -> Bool in
            guard !state.active.isEmpty || state.writing else { return false }
            state.held += samples
            return true
        }
        let accepted = waiting ? samples.count : archive(samples)
        stats.withLock { s in
            s.rootSummaries += 1
            s.samplesSubmitted += samples.count
            s.samplesRefused += samples.count - accepted
        }
    }
}

extension GridStore {
    /// A source's back-fill begins: the root summary waits for it.
    func beginRootBackfill(source index: Int) {
        root.withLock { _ = $0.active.insert(index) }
    }

    /// A round a source's back-fill wrote (its cluster summaries make its root contribution).
    func noteRootBackfill(_ round: [ArchiveSample], source index: Int) {
        root.withLock { $0.backfill.add(round, source: index) }
    }

    /// A source's back-fill is done. When it was the last one running, the root summary's turns
    /// over the outage are written (when every alive source contributed), then the root samples
    /// held meanwhile, in order.
    func finishRootBackfill(source index: Int) async {
        let taken = root.withLock { state -> (RootBackfill, [ArchiveSample])? in
            state.active.remove(index)
            guard state.active.isEmpty, !state.writing else { return nil }
            state.writing = true
            defer {
                state.backfill = RootBackfill()
                state.held = []
            }
            return (state.backfill, state.held)
        }
        guard let (backfill, held) = taken else { return }
        var written = 0
        if let writer, !backfill.contributions.isEmpty {
            let metrics = Set(backfill.contributions.values.flatMap { $0.flatMap(\.metrics.keys) })
            let keys = metrics.map { ArchiveKey(.rootSummary, $0) }
            let lastUpdates = await Offload.run { writer.lastUpdates(of: keys) }
            let alive = Set(grid.sources.enumerated().filter { $0.element.alive }.map(\.offset))
            let samples = backfill.samples(
                lastUpdates: Dictionary(lastUpdates.map { ($0.key.metric, $0.value) }) { a, _ in a },
                until: held.first?.time ?? clock(), step: Int(configuration.shortestStep), alive: alive)
            written = archive(samples)
        }
        archive(held)
        // Root samples that came while these were written follow them.
        while let more = root.withLock({ state -> [ArchiveSample]? in
            guard !state.held.isEmpty else {
                state.writing = false
                return nil
            }
            defer { state.held = [] }
            return state.held
        }) {
            archive(more)
        }
        if written > 0 { logger.notice("back-filled the root summary", metadata: ["values": "\(written)"]) }
    }
}

extension SourceStatistics {
    /// Counts one delivery.
    mutating func record(_ delivery: Delivery, shadowed: Int) {
        let milliseconds = Double(delivery.parse.components.seconds) * 1000 + Double(delivery.parse.components.attoseconds) / 1e15
        let content = delivery.content
        alive = true
        pollsOK += 1
        lastPolled = delivery.now
        lastEndpoint = delivery.endpoint
        lastDocumentBytes = delivery.bytes
        lastParseMilliseconds = milliseconds
        totalParseMilliseconds += milliseconds
        malformed += delivery.report.skippedCount + delivery.anomalies.strayHosts
        if delivery.report.fatal != nil { truncated += 1 }
        duplicates += delivery.anomalies.duplicates
        self.shadowed += shadowed
        hostsRefused += content.refusals.hosts
        metricsRefused += content.refusals.metrics
        hosts = content.clusters.reduce(0) { $0 + $1.hosts.count }
        metrics = content.clusters.reduce(0) { $0 + $1.hosts.reduce(0) { $0 + $1.host.metrics.count } }
    }
}
