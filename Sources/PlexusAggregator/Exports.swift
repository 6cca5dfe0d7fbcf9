import Logging
import PlexusCore
import PlexusExport
import PlexusStatus
import PlexusTransport
import Synchronization

/// The export destinations (`docs/exports.md`): each a bounded queue that polls fill without
/// waiting, and a sender service that empties it. `submit` is what a poll pays: a filter and
/// an append under a lock per destination.
public final class Exports: Sendable {
    public let destinations: [ExportDestination]

    init(destinations: [ExportDestination]) {
        self.destinations = destinations
    }

    /// Formats what `walk` gives for every destination, into its queue: one walk, each value
    /// written for every destination in turn. `stream` tells submissions apart that are alike
    /// in size (a data source's index; the root summary's is -1), so that each reserves room
    /// for about what it wrote last time and copies names from its memo.
    func submit(stream: Int, _ walk: (inout ExportWriters) -> Void) {
        var writers = ExportWriters()
        for destination in destinations {
            switch destination.makeWriter(stream: stream) {
            case .graphite(let writer): writers.graphite.append(writer)
            case .remoteWrite(let writer): writers.remoteWrite.append(writer)
            }
        }
        walk(&writers)
        var g = 0, r = 0
        for destination in destinations {
            switch destination.format {
            case .graphite:
                destination.push(writers.graphite[g].finish(), stream: stream)
                g += 1
            case .remoteWrite:
                destination.push(writers.remoteWrite[r].finish(), stream: stream)
                r += 1
            }
        }
    }

    var status: [AggregatorStatus.Export] { destinations.map(\.status) }
}

/// One destination's queue, its state (up or down, since when, why) and its counts. The sender
/// takes batches and reports what became of them; going down and coming back are logged once
/// each, and repeated failures meanwhile at most once a minute.
public final class ExportDestination: Sendable {
    /// How values are written for it.
    enum Format: Sendable {
        case graphite(GraphiteFormat)
        case remoteWrite(PrometheusSeries)
    }

    let format: Format
    let kind: String
    let name: String
    let target: String
    let clock: @Sendable () -> Int64
    let logger: Logger
    private let queue: Mutex<ExportQueue>
    private let health = Mutex(Health())
    let wake = Wakeup()

    struct Health {
        var downSince: Int64?
        var lastError: String?
        var lastSent: Int64?
        /// Lines about the destination, each kind at most once a minute.
        var log = LogThrottle(interval: 60, maxKinds: 8)
    }

    init(format: Format, name: String, target: String, capacity: Int, clock: @escaping @Sendable () -> Int64, logger: Logger) {
        self.format = format
        switch format {
        case .graphite: kind = "graphite"
        case .remoteWrite: kind = "remote_write"
        }
        self.name = name
        self.target = target
        self.clock = clock
        self.logger = logger
        queue = Mutex(ExportQueue(capacity: capacity))
    }

    /// Each stream's last poll: the size of its chunk (the next reserves as much) and its
    /// writer's memo (the next writer copies series' names from it).
    private let last = Mutex([Int: (size: (bytes: Int, records: Int), memo: ExportMemo)]())

    /// A writer of the destination's format.
    enum Writer {
        case graphite(GraphiteWriter)
        case remoteWrite(RemoteWriteWriter)

        var sink: any ExportSink {
            switch self {
            case .graphite(let writer): writer
            case .remoteWrite(let writer): writer
            }
        }
    }

    /// The stream's next writer: with room for what it wrote last time, its memo, and the
    /// memory of a chunk already sent.
    func makeWriter(stream: Int) -> Writer {
        // Taken out, so that the writer holds the only reference and adds to it in place.
        let taken = last.withLock { $0.removeValue(forKey: stream) }
        let size = taken?.size ?? (0, 0), memo = taken?.memo ?? ExportMemo()
        let storage = queue.withLock { $0.takeSpare() }
        return switch format {
        case .graphite(let format): .graphite(GraphiteWriter(format: format, reserving: size, memo: memo, storage: storage))
        case .remoteWrite(let naming): .remoteWrite(RemoteWriteWriter(naming: naming, reserving: size, memo: memo, storage: storage))
        }
    }

    /// A stream's poll, written.
    func push(_ written: ExportWritten, stream: Int = 0) {
        last.withLock { $0[stream] = ((written.chunk.bytes.count, written.chunk.count), written.memo) }
        push(written.chunk)
    }

    func push(_ chunk: ExportChunk) {
        guard !chunk.isEmpty else { return }
        let dropped = queue.withLock { $0.push(chunk) }
        wake.wake()
        if dropped > 0 {
            logThrottled(.warning, "export queue full: the oldest samples dropped", ["dropped": "\(dropped)"])
        }
    }

    var waiting: Int { queue.withLock { $0.count } }

    /// Up to `max` values, formatted: how many and their bytes.
    func take(max: Int) -> (count: Int, bytes: ArraySlice<UInt8>) { queue.withLock { $0.take(max: max) } }

    /// A batch of `count` samples arrived.
    func sent(_ count: Int) {
        queue.withLock { $0.sent(count) }
        let now = clock()
        let downSince = health.withLock { h -> Int64? in
            defer {
                h.downSince = nil
                h.lastSent = now
            }
            return h.downSince
        }
        if let downSince {
            logger.notice(
                "export destination back", metadata: ["kind": "\(kind)", "destination": "\(name)", "down_seconds": "\(now - downSince)"])
        }
    }

    /// A batch failed and will be sent again.
    func failed(_ count: Int, _ reason: String) {
        queue.withLock { $0.retried(count) }
        let now = clock()
        let wentDown = health.withLock { h -> Bool in
            h.lastError = reason
            guard h.downSince == nil else { return false }
            h.downSince = now
            // The first "still down" a minute after this line.
            _ = h.log.record(Self.stillDown, now: now)
            return true
        }
        if wentDown {
            logger.warning("export destination down", metadata: ["kind": "\(kind)", "destination": "\(name)", "error": "\(reason)"])
        } else {
            logThrottled(.warning, Self.stillDown, ["error": "\(reason)"])
        }
    }

    /// A batch the destination refused for good (remote-write 4xx): dropped, with why.
    func refused(_ count: Int, _ reason: String) {
        queue.withLock { $0.refused(count) }
        health.withLock { $0.lastError = reason }
        logThrottled(.error, "export destination refused samples", ["refused": "\(count)", "error": "\(reason)"])
    }

    private static let stillDown = "export destination still down"

    /// `message` unless the same was logged within a minute; the next one says how many were
    /// left out meanwhile.
    private func logThrottled(_ level: Logger.Level, _ message: String, _ metadata: Logger.Metadata) {
        let now = clock()
        guard let skipped = health.withLock({ $0.log.record(message, now: now) }) else { return }
        var metadata = metadata.merging(["kind": "\(kind)", "destination": "\(name)"]) { $1 }
        if skipped > 0 { metadata["more since the last line"] = "\(skipped)" }
        logger.log(level: level, "\(message)", metadata: metadata)
    }

    var status: AggregatorStatus.Export {
        let (counts, queued, capacity) = queue.withLock { ($0.counts, $0.count, $0.capacity) }
        let h = health.withLock { $0 }
        return AggregatorStatus.Export(
            kind: kind, name: name, target: target, up: h.downSince == nil, downSince: h.downSince, lastError: h.lastError, lastSent: h.lastSent,
            queued: queued, capacity: capacity, queuedTotal: counts.queued, sent: counts.sent, retried: counts.retried, dropped: counts.dropped,
            refused: counts.refused)
    }
}
