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

    /// Counters since start (the aggregator shows them in `/status` and `/metrics`).
    public struct Statistics: Sendable, Equatable {
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
        guard !closed.load(ordering: .acquiring) else {
            counters.dropped.add(samples.count, ordering: .relaxed)
            return 0
        }
        let capacity = configuration.queueCapacity
        let before = counters.queued.add(samples.count, ordering: .relaxed).oldValue
        let room = max(0, min(samples.count, capacity - before))
        if room < samples.count {
            counters.queued.subtract(samples.count - room, ordering: .relaxed)
            counters.dropped.add(samples.count - room, ordering: .relaxed)
        }
        guard room > 0 else { return 0 }
        counters.accepted.add(room, ordering: .relaxed)
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
    private func normalized(_ key: ArchiveKey) -> ArchiveKey {
        guard !store.layout.caseSensitiveHostnames, case .host(let cluster, let host) = key.location else { return key }
        let lower = host.rawValue.lowercased()
        guard lower != host.rawValue, let name = HostName(validating: lower) else { return key }
        return ArchiveKey(.host(cluster, name), key.metric)
    }
}

/// The writer's counters, shared by its threads.
final class Counters: Sendable {
    let queued = Atomic<Int>(0)
    let accepted = Atomic<Int>(0)
    let dropped = Atomic<Int>(0)
    let written = Atomic<Int>(0)
    let viaRRDCached = Atomic<Int>(0)
    let fallback = Atomic<Int>(0)
    let stale = Atomic<Int>(0)
    let failed = Atomic<Int>(0)
    let filesCreated = Atomic<Int>(0)
    let seriesRefused = Atomic<Int>(0)
    let updateCalls = Atomic<Int>(0)
    let batches = Atomic<Int>(0)
    let connectionFailures = Atomic<Int>(0)
    let report: @Sendable (ArchiveWriter.Report) -> Void
    let clock: @Sendable () -> Int64
    private struct Trouble {
        var lastError: String?
        var lastErrorAt: Int64?
        /// While failing: since when, and how many values failed.
        var failing: (since: Int64, values: Int)?

        mutating func note(_ error: RRDError, at now: Int64) {
            lastError = error.description
            lastErrorAt = now
        }
    }
    private let trouble = Mutex(Trouble())
    /// Set while `trouble.failing` is: successes look here, not at the mutex.
    private let isFailing = Atomic<Bool>(false)

    init(report: @escaping @Sendable (ArchiveWriter.Report) -> Void = { _ in }, clock: @escaping @Sendable () -> Int64 = { 0 }) {
        self.report = report
        self.clock = clock
    }

    /// `count` values failed with `error`: counted, remembered with its time, reported.
    func fail(_ count: Int, _ error: RRDError) {
        failed.add(count, ordering: .relaxed)
        let now = clock()
        trouble.withLock { trouble in
            trouble.note(error, at: now)
            trouble.failing = (trouble.failing?.since ?? now, (trouble.failing?.values ?? 0) + count)
        }
        isFailing.store(true, ordering: .relaxed)
        report(.failed(error, values: count))
    }

    /// The latest error, without counting values as failed (rrdcached away: they wait).
    func note(_ error: RRDError) {
        let now = clock()
        trouble.withLock { $0.note(error, at: now) }
    }

    /// Seconds without a failure, and a success, that end a failing spell: one file that
    /// keeps failing among many that are written is one long spell, not a flap per round.
    static let quiet: Int64 = 10

    /// Values were written: ends a failing spell once nothing failed for `quiet` seconds (and
    /// says so once).
    func succeeded() {
        guard isFailing.load(ordering: .relaxed) else { return }
        let now = clock()
        let ended = trouble.withLock { trouble -> (since: Int64, values: Int)? in
            guard let failing = trouble.failing, now - (trouble.lastErrorAt ?? now) >= Self.quiet else { return nil }
            trouble.failing = nil
            isFailing.store(false, ordering: .relaxed)
            return failing
        }
        if let ended { report(.recovered(failures: ended.values, since: ended.since)) }
    }

    func snapshot() -> ArchiveWriter.Statistics {
        var s = ArchiveWriter.Statistics()
        s.queued = queued.load(ordering: .relaxed)
        s.seriesRefused = seriesRefused.load(ordering: .relaxed)
        s.accepted = accepted.load(ordering: .relaxed)
        s.dropped = dropped.load(ordering: .relaxed)
        s.written = written.load(ordering: .relaxed)
        s.viaRRDCached = viaRRDCached.load(ordering: .relaxed)
        s.fallback = fallback.load(ordering: .relaxed)
        s.stale = stale.load(ordering: .relaxed)
        s.failed = failed.load(ordering: .relaxed)
        s.filesCreated = filesCreated.load(ordering: .relaxed)
        s.updateCalls = updateCalls.load(ordering: .relaxed)
        s.batches = batches.load(ordering: .relaxed)
        s.connectionFailures = connectionFailures.load(ordering: .relaxed)
        trouble.withLock { trouble in
            s.lastError = trouble.lastError
            s.lastErrorAt = trouble.lastErrorAt
            s.failingSince = trouble.failing?.since
        }
        return s
    }
}
