import Logging
import NIOCore
import NIOPosix
import PlexusCore
import PlexusTransport
import ServiceLifecycle
import Synchronization

/// One polled data source (gmetad's `data_source` with addresses): every `step` seconds, fetch
/// the XML from the address that answered last (else each in order), read it into the source's
/// new content and publish it. A turn that comes while the previous poll still runs is counted
/// as missed; a source that fails everywhere is dead until a poll succeeds.
final class SourcePoller: Service, Sendable {
    let store: GridStore
    let index: Int
    let source: AggregatorConfiguration.DataSource
    let endpoints: [AggregatorConfiguration.Endpoint]
    let group: any EventLoopGroup
    /// Poll over TLS (`tls = true`); nil: plain TCP, as gmetad.
    let tls: TLSContext?
    /// The texts this source's hosts repeat, shared from poll to poll (one poll reads at a time).
    let texts = Mutex(TextTable())

    init(store: GridStore, index: Int, endpoints: [AggregatorConfiguration.Endpoint], tls: TLSContext? = nil, group: any EventLoopGroup) {
        self.store = store
        self.index = index
        source = store.configuration.dataSources[index]
        self.endpoints = endpoints
        self.group = group
        self.tls = tls
    }

    func run() async throws {
        try? await cancelWhenGracefulShutdown { try await self.pollForever() }
    }

    private func pollForever() async throws {
        // One back-fill at a time runs beside the polls (`SourcePoller+Backfill`).
        await withDiscardingTaskGroup { tasks in
            let running = RunningFlag()
            do {
                try await pollForever { request in
                    guard running.begin() else { return false }
                    tasks.addTask {
                        await self.backfill(request)
                        running.end()
                    }
                    return true
                }
            } catch {
                tasks.cancelAll()
            }
        }
    }

    /// The polling loop; `startBackfill` runs a back-fill beside it (false: one is running).
    private func pollForever(startBackfill: (BackfillRequest) -> Bool) async throws {
        let clock = ContinuousClock()
        var turns = PollTurns(step: .seconds(Int(source.step)), start: clock.now)
        var failover = Failover(count: endpoints.count)
        var previous: SourceContent?
        var reporter = DropReporter()
        var lastSize = 0
        // The last document's buffer, kept to read the next one into (`XMLClient.fetchBuffer`).
        var document: ByteBuffer?
        // Our start is an outage too: the archives may be behind since our predecessor.
        var outage = true
        while true {
            switch await fetch(order: failover.order, expectedBytes: lastSize, reusing: document.take()) {
            case .success(let (bytes, answered)):
                failover.answered(answered)
                lastSize = bytes.readableBytes
                let options = store.configuration.readerOptions
                let clock = store.clock
                var delivery = await Offload.run { [previous, self] in
                    self.texts.withLock { Self.read(bytes, options: options, previous: previous, now: clock(), texts: &$0) }
                }
                delivery.endpoint = endpoints[answered].description
                if outage, let request = backfillRequest(for: delivery, answered: answered) {
                    // Held before the poll's own samples: the back-fill's go first.
                    store.hold(source: index)
                    if startBackfill(request) {
                        outage = false
                    } else {
                        store.release(source: index)
                    }
                } else {
                    outage = false
                }
                store.publish(delivery, source: index, reporting: &reporter)
                previous = delivery.content
                document = bytes
            case .failure(let failure):
                store.markDead(source: index, reason: failure.description)
                outage = true
            }
            Offload.returnFreedMemory()
            let (turn, missed) = turns.next(after: clock.now)
            if missed > 0 {
                store.count { $0.sources[index].pollsMissed += missed }
                store.logger.warning("poll took longer than the step", metadata: ["source": "\(source.name)", "missed": "\(missed)"])
                outage = true
            }
            try await Task.sleep(until: turn, clock: clock)
        }
    }

    /// Whether a back-fill runs.
    final class RunningFlag: Sendable {
        private let running = Mutex(false)

        func begin() -> Bool {
            running.withLock { running in
                guard !running else { return false }
                running = true
                return true
            }
        }

        func end() { running.withLock { $0 = false } }
    }

    struct FetchFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// The document from the first address in `order` that gives one, and that address's index.
    /// `reusing`: the previous document's buffer, read into again when nothing else holds it.
    func fetch(order: [Int], expectedBytes: Int, reusing previous: consuming ByteBuffer? = nil) async -> Result<(ByteBuffer, Int), FetchFailure> {
        var errors: [String] = []
        for i in order {
            let endpoint = endpoints[i]
            do {
                let bytes = try await XMLClient.fetchBuffer(
                    host: endpoint.host, port: endpoint.port, timeout: .milliseconds(Int(source.timeout * 1000)),
                    connectTimeout: .milliseconds(Int(source.connectTimeout * 1000)), expectedBytes: expectedBytes,
                    reusing: previous.take(), group: group, tls: tls)
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

    /// Reads a document into a source's new content without sharing texts.
    static func read(_ bytes: ByteBuffer, options: SourceAssembler.Options, previous: SourceContent?, now: Int64) -> Delivery {
        var texts = TextTable.disabled
        return read(bytes, options: options, previous: previous, now: now, texts: &texts)
    }

    /// Reads a document into a source's new content (pure computation: off the event loops).
    static func read(_ bytes: ByteBuffer, options: SourceAssembler.Options, previous: SourceContent?, now: Int64, texts: inout TextTable) -> Delivery {
        let clock = ContinuousClock()
        let began = clock.now
        var reader = SourceAssembler(options: options, now: now)
        let report = bytes.withUnsafeReadableBytes { GangliaXMLReader.read($0, texts: &texts) { reader.apply($0) } }
        let content = reader.finish(previous: previous)
        return Delivery(
            content: content, anomalies: reader.anomalies, report: report, now: now, bytes: bytes.readableBytes,
            parse: clock.now - began)
    }
}
