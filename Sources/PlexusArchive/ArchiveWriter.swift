import Foundation
import PlexusCore
import ServiceLifecycle
import Synchronization

/// Writes samples to the archive without ever making the caller wait for a disk.
///
/// ```
/// submit ──► bounded queue, sharded by file ──► one dedicated thread per shard
///            (values of one file coalesce)        creates the file lazily (gmetad's geometry),
///                                                 one rrd_update_r per file with all its values,
///                                                 or one rrdcached BATCH per round
/// ```
///
/// - A file always maps to the same shard, so its updates are written in order by one thread
///   (librrd's `fcntl` locks don't exclude threads of one process).
/// - The queue holds at most `queueCapacity` samples; beyond that `submit` refuses and counts the
///   sample as dropped (back-pressure is visible, memory stays bounded).
/// - A sample whose time is not after the file's last update is skipped and counted as stale,
///   instead of failing the whole update (gmetad logs "illegal attempt to update" for a source
///   that repeats its LOCALTIME).
/// - With rrdcached, see `Configuration.rrdcachedFallbackAfter` for what happens when it is away.
public final class ArchiveWriter: Service, Sendable {
    public struct Configuration: Sendable {
        /// Dedicated writer threads (files are sharded across them).
        public var workers: Int
        /// Most samples waiting at once; more are dropped and counted.
        public var queueCapacity: Int
        /// Most files one round writes (one rrdcached BATCH, or that many rrd_update_r calls)
        /// before the thread looks at the queue again.
        public var filesPerRound: Int
        /// Send updates to this rrdcached instead of writing files directly.
        public var rrdcached: RRDCachedAddress?
        /// While rrdcached can't be reached, samples wait in the queue and the thread reconnects
        /// with back-off (0.1 s doubling to 5 s). After this long unreachable, the thread writes
        /// directly through librrd until rrdcached answers again; nil means never (samples wait
        /// and, once the queue is full, are dropped). Shutdown always writes what is queued.
        public var rrdcachedFallbackAfter: Duration?
        /// Socket send/receive timeout towards rrdcached.
        public var rrdcachedTimeout: Duration
        /// Asked before a file is created (cardinality and disk budget); nil: always create.
        public var newSeries: NewSeriesGuard?
        /// Told of every failure and recovery as it happens, on the writer's threads (the
        /// aggregator logs them, rate-limited): every failure counted also reaches the log.
        public var report: @Sendable (Report) -> Void = { _ in }
        /// Seconds since the epoch, for the times in `Statistics` (tests pin it).
        public var clock: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }

        public init(
            workers: Int = 1, queueCapacity: Int = 1_000_000, filesPerRound: Int = 1000, rrdcached: RRDCachedAddress? = nil,
            rrdcachedFallbackAfter: Duration? = .seconds(30), rrdcachedTimeout: Duration = .seconds(10)
        ) {
            self.workers = max(1, workers)
            self.queueCapacity = max(1, queueCapacity)
            self.filesPerRound = max(1, filesPerRound)
            self.rrdcached = rrdcached
            self.rrdcachedFallbackAfter = rrdcachedFallbackAfter
            self.rrdcachedTimeout = rrdcachedTimeout
        }
    }

    /// What the writer tells its owner as it happens.
    public enum Report: Sendable, Equatable {
        /// `values` values of one file could not be written (the error names the file and the
        /// system's reason).
        case failed(RRDError, values: Int)
        /// A write succeeded after `failures` values failed since `since`.
        case recovered(failures: Int, since: Int64)
        /// A new series was refused its file (`subject`: cluster/host/metric).
        case seriesRefused(subject: String, reason: String)
        /// rrdcached could not be reached (samples wait, or are written directly).
        case rrdcachedUnreachable(RRDError)
        /// rrdcached answers again.
        case rrdcachedBack
    }

    /// Counters since start: the one definition the aggregator's `/status` (as JSON, by field
    /// name) and `/metrics` (`fates`) show.
    public struct Statistics: Sendable, Equatable, Codable {
        /// Samples waiting now.
        public var queued = 0
        /// Samples taken into the queue.
        public var accepted = 0
        /// Samples refused because the queue was full.
        public var dropped = 0
        /// Samples written (directly or accepted by rrdcached).
        public var written = 0
        /// Of `written`, those that went through rrdcached.
        public var viaRRDCached = 0
        /// Of `written`, those written directly because rrdcached was unreachable.
        public var fallback = 0
        /// Samples not after their file's last update, skipped.
        public var stale = 0
        /// Samples whose write failed (see `lastError`).
        public var failed = 0
        public var filesCreated = 0
        /// Samples of series refused a file by `Configuration.newSeries` (not written).
        public var seriesRefused = 0
        /// `rrd_update_r` calls made.
        public var updateCalls = 0
        /// rrdcached `BATCH` commands sent.
        public var batches = 0
        /// Times the rrdcached connection was lost or could not be made.
        public var connectionFailures = 0
        /// The latest failure, and when it happened; kept after writes succeed again.
        public var lastError: String?
        public var lastErrorAt: Int64?
        /// Since when writes fail: nil again once a write succeeds 10 s or more after the last
        /// failure.
        public var failingSince: Int64?

        public init() {}

        /// The sample counts `/metrics` shows as `plexus_archive_samples_total{fate}`, by label.
        public static var fates: [(label: String, count: KeyPath<Statistics, Int>)] {
            [
                ("written", \.written), ("via_rrdcached", \.viaRRDCached), ("dropped", \.dropped), ("stale", \.stale),
                ("failed", \.failed), ("series_refused", \.seriesRefused),
            ]
        }
    }

    public let store: ArchiveStore
    public let configuration: Configuration
    private let shards: [Shard]
    private let counters: Counters
    /// Set by `shutdown()`: later submissions are refused and counted as dropped.
    private let closed = Atomic<Bool>(false)

    public init(store: ArchiveStore, configuration: Configuration = Configuration()) {
        self.store = store
        self.configuration = configuration
        let counters = Counters(report: configuration.report, clock: configuration.clock)
        self.counters = counters
        self.shards = (0..<configuration.workers).map { Shard(index: $0, store: store, configuration: configuration, counters: counters) }
    }

    /// Queues one sample; false (and counted as dropped) when the queue is full.
    @discardableResult
    public func submit(_ sample: ArchiveSample) -> Bool {
        submit([sample]) == 1
    }

    /// Queues samples in order; returns how many were taken (the rest were dropped).
    @discardableResult
    public func submit(_ samples: [ArchiveSample]) -> Int {
        guard !samples.isEmpty else { return 0 }
        let capacity = closed.load(ordering: .acquiring) ? 0 : configuration.queueCapacity
        let room = counters.update { s in
            let room = max(0, min(samples.count, capacity - s.queued))
            s.queued += room
            s.accepted += room
            s.dropped += samples.count - room
            return room
        }
        guard room > 0 else { return 0 }
        if shards.count == 1 {
            shards[0].enqueue(samples.prefix(room).map { ($0, normalized($0.key)) })
        } else {
            var perShard = [[(ArchiveSample, ArchiveKey)]](repeating: [], count: shards.count)
            for sample in samples.prefix(room) {
                let key = normalized(sample.key)
                perShard[Int(UInt(bitPattern: key.hashValue) % UInt(shards.count))].append((sample, key))
            }
            for (shard, batch) in zip(shards, perShard) where !batch.isEmpty { shard.enqueue(batch) }
        }
        return room
    }

    /// Returns once every sample submitted before the call has been written (or skipped or failed).
    public func drain() async {
        for shard in shards { await shard.waitUntilDone() }
    }

    public var statistics: Statistics { counters.snapshot() }

    /// Writes what is queued, then ends the threads. Submissions from now on are refused and
    /// counted as dropped.
    public func shutdown() async {
        closed.store(true, ordering: .releasing)
        for shard in shards { shard.beginStopping() }
        await drain()
        for shard in shards { await shard.thread.stop() }
    }

    /// As a service: runs until graceful shutdown, then writes everything queued.
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }

    /// With `case_sensitive_hostnames = 0`, `Web1` and `web1` are one file: one key, one shard.
    public func normalized(_ key: ArchiveKey) -> ArchiveKey {
        guard !store.layout.caseSensitiveHostnames, case .host(let cluster, let host) = key.location else { return key }
        let lower = host.rawValue.lowercased()
        guard lower != host.rawValue, let name = HostName(validating: lower) else { return key }
        return ArchiveKey(.host(cluster, name), key.metric)
    }
}
