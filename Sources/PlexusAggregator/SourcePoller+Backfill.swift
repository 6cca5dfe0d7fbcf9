import NIOCore
import PlexusArchive
import PlexusCore
import PlexusTransport

/// Back-fill (issue 18, `docs/aggregator.md#back-fill`): after our start, failed polls or missed
/// turns, the poll that reaches the source again starts one back-fill beside the polling. Its
/// samples and later polls' wait (`GridStore.hold`) while it reads which archives are behind,
/// asks the source's history port for the values since, and writes what the missed polls would
/// have written (`BackfillPlan`) through the archive writer, a turn at a time; then they follow,
/// in order. Polls go on meanwhile: the grid, the ports and the dashboard stay current.
extension SourcePoller {
    /// What one back-fill needs from the poll that started it.
    struct BackfillRequest: Sendable {
        var content: SourceContent
        var endpoint: AggregatorConfiguration.Endpoint
        var historyPort: Int
    }

    /// Whether a poll that just delivered should start a back-fill: after an outage, when the
    /// writer and the source's history port are there and none runs.
    func backfillRequest(for delivery: Delivery, answered: Int) -> BackfillRequest? {
        guard store.writer != nil, store.configuration.backfillSeconds > 0,
            let port = source.historyPort(of: endpoints[answered])
        else { return nil }
        return BackfillRequest(content: delivery.content, endpoint: endpoints[answered], historyPort: port)
    }

    /// Runs one back-fill; the held samples are released whatever happens.
    func backfill(_ request: BackfillRequest) async {
        store.beginRootBackfill(source: index)
        await fillAndCount(request)
        store.release(source: index)
        await store.finishRootBackfill(source: index)
    }

    /// Fills, counts and logs (a failure too).
    private func fillAndCount(_ request: BackfillRequest) async {
        let began = store.clock()
        do {
            let written = try await fill(request)
            guard let written else { return }
            store.count { s in
                s.sources[index].backfill?.values += written.values
                s.sources[index].backfill?.refusedOlder += written.refusedOlder
                s.sources[index].backfill?.lastSeconds = written.seconds
                s.sources[index].backfill?.lastAt = began
            }
            store.logger.notice(
                "back-filled after an outage",
                metadata: [
                    "source": "\(source.name)", "values": "\(written.values)", "seconds": "\(written.seconds)",
                    "already_archived": "\(written.refusedOlder)",
                ])
        } catch {
            store.count { s in
                s.sources[index].backfill?.failures += 1
                s.sources[index].backfill?.lastError = "\(error)"
            }
            store.peerLog.log(.warning, "back-fill failed", detail: "\(source.name): \(error)")
        }
    }

    struct Filled {
        var values: Int
        var refusedOlder: Int
        var seconds: Int64
    }

    struct BackfillError: Error, CustomStringConvertible {
        var description: String
    }

    /// Reads the archives' last updates, asks for the history since the oldest one behind, and
    /// writes the plan; nil when nothing was behind.
    private func fill(_ request: BackfillRequest) async throws -> Filled? {
        guard let writer = store.writer else { return nil }
        let step = Int(source.step)
        let keys = Self.archiveKeys(of: request.content)
        let lastUpdates = await Offload.run { writer.lastUpdates(of: keys) }
        // Behind: more than one step older than the poll that ended the outage.
        var behind: [ArchiveKey: Int64] = [:]
        let localtimes = Dictionary(request.content.clusters.map { ($0.name.rawValue, $0.cluster.localtime) }) { a, _ in a }
            .merging(request.content.grids.compactMap { grid in grid.grid.localtime.map { (grid.name.rawValue, $0) } }) { a, _ in a }
        for (key, last) in lastUpdates {
            let owner: String? =
                switch key.location {
                case .host(let cluster, _), .clusterSummary(let cluster): cluster.rawValue
                case .gridSummary(let grid): grid.rawValue
                case .rootSummary: nil
                }
            guard let owner, let localtime = localtimes[owner], localtime - last > Int64(step) else { continue }
            behind[key] = last
        }
        guard let from = behind.values.min() else { return nil }
        store.count { $0.sources[index].backfill?.requests += 1 }
        let bytes: ByteBuffer
        do {
            bytes = try await XMLClient.fetchBuffer(
                host: request.endpoint.host, port: request.historyPort, request: HistoryText.request(from: from),
                timeout: .seconds(max(30, Int(source.timeout) * 6)), connectTimeout: .milliseconds(Int(source.connectTimeout * 1000)),
                maxBytes: Self.maxHistoryBytes, group: group, tls: tls)
        } catch {
            throw BackfillError(description: "history from \(request.endpoint.host):\(request.historyPort): \(error)")
        }
        let maxSpan = Int64(store.configuration.backfillSeconds)
        let unsummarized = store.configuration.unsummarizedMetrics
        let decoded = await Offload.run { [behind] () -> Result<BackfillPlan, HistoryText.Malformed> in
            let text = bytes.getString(at: bytes.readerIndex, length: bytes.readableBytes) ?? ""
            return Result { () throws(HistoryText.Malformed) in
                let reply = try HistoryText.decode(Substring(text), limits: Self.historyLimits)
                return BackfillPlan(
                    history: reply, content: request.content, lastUpdates: behind, step: step, maxSpan: maxSpan, unsummarized: unsummarized)
            }
        }
        var plan = try decoded.get()
        let seconds = plan.clusters.map { ($0.turns.last ?? 0) - ($0.turns.first ?? 0) + Int64(step) }.max() ?? 0
        var values = 0
        let pace = max(1, writer.configuration.queueCapacity / 4)
        while let round = plan.nextRound() {
            if !round.isEmpty {
                values += store.archive(round)
                store.noteRootBackfill(round, source: index)
            }
            // Never more than a quarter of the writer's queue ahead of it: polls keep their room.
            if writer.statistics.queued > pace { await writer.drain() }
        }
        return Filled(values: values, refusedOlder: plan.refusedOlder, seconds: seconds)
    }

    /// The history a source may send at most: 256 MiB of text, 20 million values (320 MB held
    /// while the plan is written), a million series.
    static let maxHistoryBytes = 256 << 20
    static var historyLimits: HistoryText.Limits {
        var limits = HistoryText.Limits()
        limits.maxValues = 20_000_000
        return limits
    }

    /// Every archive a delivery writes that back-fill could fill: host archives of summarized
    /// metrics, cluster summaries, and summarized child grids.
    static func archiveKeys(of content: SourceContent) -> [ArchiveKey] {
        var keys: [ArchiveKey] = []
        for cluster in content.clusters {
            for held in cluster.hosts {
                for metric in held.host.metrics where metric.type.isSummarized {
                    keys.append(ArchiveKey(.host(cluster.name, held.host.name), metric.name))
                }
            }
            for metric in cluster.summary.metrics { keys.append(ArchiveKey(.clusterSummary(cluster.name), metric.name)) }
        }
        for grid in content.grids {
            for metric in grid.summary.metrics { keys.append(ArchiveKey(.gridSummary(grid.name), metric.name)) }
        }
        return keys
    }
}
