import CMalloc
import Logging
import NIOCore
import NIOPosix
import PlexusArchive
import PlexusCore
import PlexusTransport

extension AggregatorService {
    /// One polled data source: every `step` seconds, fetch the XML from the address that
    /// answered last (else each in order), read it into the source's content, publish it and
    /// queue its archive samples. A poll whose turn comes while the previous one still runs is
    /// counted as missed; a source that fails everywhere is dead until a poll succeeds.
    func poll(_ source: AggregatorConfiguration.DataSource, index: Int, endpoints: [AggregatorConfiguration.Endpoint]) async throws {
        let clock = ContinuousClock()
        let step = Duration.seconds(Int(source.step))
        var previous: SourceContent?
        var lastGood = 0
        var reporter = DropReporter()
        var deadline = clock.now
        var lastSize = 0
        while true {
            let fetched = await fetch(source, endpoints: endpoints, startingAt: lastGood, expectedBytes: lastSize)
            switch fetched {
            case .success(let (bytes, endpointIndex)):
                lastGood = endpointIndex
                lastSize = bytes.readableBytes
                let endpoint = endpoints[endpointIndex].description
                let options = config.readerOptions
                let read = await Self.offload { [previous] in Self.read(bytes, options: options, previous: previous) }
                previous = publish(read.content, reader: read.reader, report: read.report, source: source, index: index, now: read.now,
                                   bytes: bytes.readableBytes, parse: read.elapsed, endpoint: endpoint, reporter: &reporter)
            case .failure(let failure):
                markDead(index: index, reason: failure.description)
            }
            Self.returnFreedMemory()
            deadline += step
            let now = clock.now
            if now > deadline {
                // The poll took longer than the step: the turns that passed are missed.
                let missed = Int(((now - deadline) / step).rounded(.down)) + 1
                stats.withLock { $0.sources[index].pollsMissed += missed }
                logger.warning("poll took longer than the step", metadata: ["source": "\(source.name)", "missed": "\(missed)"])
                deadline += step * missed
            }
            try await Task.sleep(until: deadline, clock: clock)
        }
    }

    /// A poll frees a document-sized buffer and the previous content, an XML dump a rendered
    /// grid; glibc keeps freed heap in its arenas, so without this the RSS shows the peak of
    /// every poll instead of the state (1,000 × 30: 124 MB instead of 76 MB; no CPU difference
    /// measurable per poll). On the thread pool, not waited for: it can take milliseconds.
    static func returnFreedMemory() {
        #if canImport(Glibc)
        NIOThreadPool.singleton.submit { _ in _ = malloc_trim(0) }
        #endif
    }

    /// Runs `work` on NIO's thread pool. Reading a poll's document or writing the whole grid
    /// takes tens of milliseconds, and tasks run on the event loops (`plexus-aggregator`'s
    /// `main`): a loop busy for that long holds every connection it serves.
    static func offload<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        do {
            return try await NIOThreadPool.singleton.runIfActive(work)
        } catch {
            // The pool is shut down (the process is stopping): do it here.
            return work()
        }
    }

    struct FetchFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// The document from the first address that gives one, starting with `startingAt`.
    func fetch(
        _ source: AggregatorConfiguration.DataSource, endpoints: [AggregatorConfiguration.Endpoint], startingAt first: Int, expectedBytes: Int
    ) async -> Result<(ByteBuffer, Int), FetchFailure> {
        var errors: [String] = []
        let order = [first] + endpoints.indices.filter { $0 != first }
        for i in order {
            let endpoint = endpoints[i]
            do {
                let bytes = try await XMLClient.fetchBuffer(
                    host: endpoint.host, port: endpoint.port, timeout: .milliseconds(Int(source.timeout * 1000)),
                    connectTimeout: .milliseconds(Int(source.connectTimeout * 1000)), expectedBytes: expectedBytes, group: group)
                // Something that isn't Ganglia XML at all counts as this address failing.
                guard bytes.readableBytesView.prefix(4096).firstRange(of: Array("<GANGLIA_XML".utf8)) != nil else {
                    errors.append("\(endpoint): not Ganglia XML (\(bytes.readableBytes) bytes)")
                    continue
                }
                return .success((bytes, i))
            } catch is CancellationError {
                return .failure(FetchFailure(description: "cancelled"))
            } catch {
                errors.append("\(error)")
            }
        }
        return .failure(FetchFailure(description: errors.joined(separator: "; ")))
    }

    /// A document read into a source's new content, and how it went.
    struct Read: Sendable {
        var content: SourceContent
        var reader: SourceReader
        var report: XMLReadReport
        var now: Int64
        var elapsed: Duration
    }

    /// Reads a document into a source's new content (pure computation: off the event loops).
    static func read(_ bytes: ByteBuffer, options: SourceReader.Options, previous: SourceContent?) -> Read {
        let clock = ContinuousClock()
        let began = clock.now
        let now = wallClock()
        var reader = SourceReader(options: options, now: now)
        let report = bytes.withUnsafeReadableBytes { GangliaXMLReader.read($0) { reader.apply($0) } }
        let content = reader.finish(previous: previous)
        return Read(content: content, reader: reader, report: report, now: now, elapsed: clock.now - began)
    }

    /// Makes `content` the source's, queues its archive samples and counts.
    func publish(
        _ content: SourceContent, reader: SourceReader, report: XMLReadReport, source: AggregatorConfiguration.DataSource,
        index: Int, now: Int64, bytes: Int, parse: Duration, endpoint: String?, reporter: inout DropReporter
    ) -> SourceContent {
        let shadowed = state.withLock { state in
            state.sources[index].content = content
            state.sources[index].alive = true
            return Set(content.clusters.map(\.name.rawValue).filter { state.isShadowed($0, inSource: index) }
                + content.grids.map(\.name.rawValue).filter { state.isShadowed($0, inSource: index) })
        }
        var submitted = 0
        var refused = 0
        if let writer {
            let samples = archiveSamples(content, step: Int(source.step), now: now, skipping: shadowed)
            submitted = samples.count
            refused = samples.count - writer.submit(samples)
        }
        let milliseconds = Double(parse.components.seconds) * 1000 + Double(parse.components.attoseconds) / 1e15
        stats.withLock { s in
            s.samplesSubmitted += submitted
            s.samplesRefused += refused
            var t = s.sources[index]
            t.alive = true
            t.pollsOK += 1
            t.lastPolled = now
            t.lastEndpoint = endpoint
            t.lastDocumentBytes = bytes
            t.lastParseMilliseconds = milliseconds
            t.totalParseMilliseconds += milliseconds
            t.malformed += report.skippedCount + reader.anomalies.strayHosts
            if report.fatal != nil { t.truncated += 1 }
            t.duplicates += reader.anomalies.duplicates
            t.shadowed += shadowed.count
            t.hostsRefused += content.refusals.hosts
            t.metricsRefused += content.refusals.metrics
            t.hosts = content.clusters.reduce(0) { $0 + $1.hosts.count }
            t.metrics = content.clusters.reduce(0) { $0 + $1.hosts.reduce(0) { $0 + $1.host.metrics.count } }
            s.sources[index] = t
        }
        if !content.refusals.named.isEmpty {
            quarantine.withLock { q in
                for refusal in content.refusals.named { q.record(refusal.subject, reason: refusal.reason, now: now) }
            }
            peerLog.log(.notice, "data source over its bounds: hosts or metrics refused", detail: source.name, metadata: [
                "hosts": "\(content.refusals.hosts)", "metrics": "\(content.refusals.metrics)",
            ])
        }
        reporter.note(report: report, shadowed: shadowed, duplicates: reader.anomalies.duplicates, refused: refused)
        reporter.logIfDue(source: source.name, logger: logger)
        return content
    }

    func markDead(index: Int, reason: String) {
        let name = config.dataSources[index].name
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
            logger.warning("data source dead: no address answered", metadata: ["source": "\(name)", "errors": "\(reason)"])
        }
    }

    // MARK: - Listening

    /// One listened data source: datagrams from the cluster's channel build a cluster state,
    /// which becomes the source's content every `step` seconds (timestamped with our clock).
    func listen(_ source: AggregatorConfiguration.DataSource, index: Int, channel config: AgentConfiguration.UDPReceiveChannel) async throws {
        let receiver: UDPReceiver.Channel
        do {
            receiver = try await UDPReceiver.open(config, maxMessageLength: 65507, group: group)
        } catch {
            let address = "\(config.mcastJoin.map { "group \($0), " } ?? "")\(config.bind ?? "*"):\(config.port)"
            throw ListenError(key: "data_source[\(index)].listen", address: address, underlying: error)
        }
        let cluster = try ClusterName(source.name)
        let heard = HeardCluster()
        try await withThrowingDiscardingTaskGroup { tasks in
            tasks.addTask {
                try await receiver.executeThenClose { inbound, _ in
                    for try await envelope in inbound {
                        let accepted = heard.apply(envelope, allow: config.allow, now: Self.wallClock())
                        self.stats.withLock { s in
                            s.sources[index].datagrams += 1
                            if !accepted { s.sources[index].datagramsDropped += 1 }
                        }
                    }
                }
            }
            tasks.addTask {
                var previous: SourceContent?
                var reporter = DropReporter()
                let clock = ContinuousClock()
                while true {
                    try await Task.sleep(for: .seconds(Int(source.step)), tolerance: .milliseconds(100), clock: clock)
                    let now = Self.wallClock()
                    let began = clock.now
                    let snapshot = heard.snapshot(of: Cluster(name: cluster, localtime: now), now: now,
                                                  hostTmax: source.hostTmax, hostDmax: source.hostDmax)
                    var reader = SourceReader(options: self.config.readerOptions, now: now)
                    reader.apply(.clusterStart(snapshot))
                    for host in snapshot.hosts { reader.apply(.host(host)) }
                    reader.apply(.clusterEnd)
                    let content = reader.finish(previous: previous)
                    previous = self.publish(content, reader: reader, report: XMLReadReport(), source: source, index: index, now: now,
                                            bytes: 0, parse: clock.now - began, endpoint: nil, reporter: &reporter)
                }
            }
        }
    }

    // MARK: - Root summary

    /// Every shortest step: the root summary of the alive sources, archived under
    /// `__SummaryInfo__` at our clock.
    func summarizeRoot() async throws {
        let step = config.shortestStep
        while true {
            try await Task.sleep(for: .seconds(Int(step)))
            guard let writer else { continue }
            let summary = state.withLock { $0.rootSummary }
            let now = Self.wallClock()
            let samples = summary.metrics.map { metric in
                ArchiveSample(key: ArchiveKey(.rootSummary, metric.name), geometry: ArchiveGeometry(step: Int(step), slope: metric.slope),
                              time: now, sum: metric.sum, num: metric.num)
            }
            let accepted = writer.submit(samples)
            stats.withLock { s in
                s.rootSummaries += 1
                s.samplesSubmitted += samples.count
                s.samplesRefused += samples.count - accepted
            }
        }
    }
}
