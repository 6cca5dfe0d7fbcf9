import Foundation
import PlexusCore
import Synchronization

/// One value waiting for its file.
struct PendingValue {
    var time: Int64
    var sum: Double
    var num: Int
}

/// The values waiting for one file, in submission order.
struct PendingFile {
    var geometry: ArchiveGeometry
    var values: [PendingValue]
}

/// One shard of the writer: its part of the queue (behind a mutex, touched briefly by submitters
/// and its thread) and its thread.
final class Shard: Sendable {
    /// Files in the order their first waiting value arrived, taken from `head` on.
    struct Order {
        var keys: [ArchiveKey] = []
        var head = 0

        var isEmpty: Bool { head >= keys.count }

        /// Up to `limit` keys from the head.
        mutating func take(_ limit: Int) -> ArraySlice<ArchiveKey> {
            let end = min(keys.count, head + limit)
            defer {
                head = end
                if head >= keys.count {
                    keys.removeAll(keepingCapacity: true)
                    head = 0
                } else if head > 4096, head * 2 > keys.count {
                    keys.removeFirst(head)
                    head = 0
                }
            }
            return keys[head..<end]
        }
    }

    struct Queue {
        var pending: [ArchiveKey: PendingFile] = [:]
        /// Summaries' files go first: after a restart (or any backlog) they would otherwise
        /// wait behind thousands of hosts' files, and a process killed meanwhile loses the
        /// grid's and clusters' history first. A few dozen files, against thousands.
        var summaries = Order()
        var hosts = Order()
        /// A drain job is queued or running on the thread.
        var scheduled = false
        var stopping = false
        /// Samples ever enqueued / finished (written, stale or failed), for `drain()`.
        var enqueued = 0
        var completed = 0
        var waiters: [(target: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    let thread: ArchiveThread
    private let queue = Mutex(Queue())
    private let worker: ShardWorker
    private let counters: Counters
    private let filesPerRound: Int

    init(index: Int, store: ArchiveStore, configuration: ArchiveWriter.Configuration, counters: Counters) {
        thread = ArchiveThread(name: "plexus-archive-\(index)")
        worker = ShardWorker(store: store, configuration: configuration, counters: counters)
        self.counters = counters
        filesPerRound = configuration.filesPerRound
    }

    func enqueue(_ samples: [(ArchiveSample, ArchiveKey)]) {
        let schedule = queue.withLock { q -> Bool in
            for (sample, key) in samples {
                let value = PendingValue(time: sample.time, sum: sample.sum, num: sample.num)
                if q.pending[key]?.values.append(value) == nil {
                    q.pending[key] = PendingFile(geometry: sample.geometry, values: [value])
                    if key.location.isSummary { q.summaries.keys.append(key) } else { q.hosts.keys.append(key) }
                }
            }
            q.enqueued += samples.count
            guard !q.scheduled else { return false }
            q.scheduled = true
            return true
        }
        if schedule { thread.submit { [self] in drainQueue() } }
    }

    func beginStopping() {
        queue.withLock { $0.stopping = true }
        worker.stopping.store(true, ordering: .relaxed)
    }

    /// Waits until everything enqueued so far has been handled.
    func waitUntilDone() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = queue.withLock { q -> Bool in
                if q.completed >= q.enqueued { return true }
                q.waiters.append((q.enqueued, continuation))
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// On the shard's thread: takes rounds of files until the queue is empty.
    private func drainQueue() {
        while true {
            let round = queue.withLock { q -> [(ArchiveKey, PendingFile)]? in
                guard !q.summaries.isEmpty || !q.hosts.isEmpty else {
                    q.scheduled = false
                    return nil
                }
                var keys = q.summaries.take(filesPerRound)
                if keys.count < filesPerRound { keys += q.hosts.take(filesPerRound - keys.count) }
                var round: [(ArchiveKey, PendingFile)] = []
                round.reserveCapacity(keys.count)
                for key in keys {
                    if let file = q.pending.removeValue(forKey: key) { round.append((key, file)) }
                }
                return round
            }
            guard let round else { return }
            let handled = round.reduce(0) { $0 + $1.1.values.count }
            worker.write(round)
            counters.queued.subtract(handled, ordering: .relaxed)
            let ready = queue.withLock { q -> [CheckedContinuation<Void, Never>] in
                q.completed += handled
                let done = q.waiters.filter { $0.target <= q.completed }.map(\.continuation)
                q.waiters.removeAll { $0.target <= q.completed }
                return done
            }
            for continuation in ready { continuation.resume() }
        }
    }
}

/// What one shard's thread keeps between rounds: each file's last update time and the rrdcached
/// connection. Touched only from that thread (`stopping` excepted), hence unchecked.
final class ShardWorker: @unchecked Sendable {
    let store: ArchiveStore
    let configuration: ArchiveWriter.Configuration
    let counters: Counters
    let stopping = Atomic<Bool>(false)
    /// Every file this thread has written or opened: its path and last update time.
    private var known: [ArchiveKey: (path: String, lastUpdate: Int64)] = [:]
    private let client: RRDCachedClient?
    private var unreachableSince: ContinuousClock.Instant?
    private var nextAttempt = ContinuousClock.now
    private var backoff: Duration = .milliseconds(100)

    init(store: ArchiveStore, configuration: ArchiveWriter.Configuration, counters: Counters) {
        self.store = store
        self.configuration = configuration
        self.counters = counters
        client = configuration.rrdcached.map { RRDCachedClient(address: $0, timeout: configuration.rrdcachedTimeout) }
    }

    /// One file's update: its path, the `t:v` texts and the key (to forget its time on failure).
    struct Update {
        var key: ArchiveKey
        var path: String
        var texts: [String]
    }

    func write(_ round: [(ArchiveKey, PendingFile)]) {
        var updates: [Update] = []
        updates.reserveCapacity(round.count)
        for (key, file) in round {
            if let update = prepare(key, file) { updates.append(update) }
        }
        guard !updates.isEmpty else { return }
        if client != nil {
            writeThroughRRDCached(updates)
        } else {
            writeDirectly(updates, fallback: false)
        }
    }

    /// Path, lazy creation, and the values that are after the file's last update.
    private func prepare(_ key: ArchiveKey, _ file: PendingFile) -> Update? {
        let path: String
        var last: Int64
        if let entry = known[key] {
            (path, last) = entry
        } else {
            do {
                path = try store.path(of: key)
                // A series without a file asks the guard first; refused, it asks again next time.
                if let guarding = configuration.newSeries, access(path, F_OK) != 0, let reason = guarding.mayCreate(key) {
                    counters.seriesRefused.add(file.values.count, ordering: .relaxed)
                    counters.report(.seriesRefused(subject: NewSeriesGuard.subject(key), reason: reason))
                    return nil
                }
                let preparation = try store.prepare(path: path, key: key, geometry: file.geometry, firstTime: file.values[0].time)
                if case .created = preparation { counters.filesCreated.add(1, ordering: .relaxed) }
                last = preparation.lastUpdate
            } catch {
                counters.fail(file.values.count, error)
                return nil
            }
        }
        var texts: [String] = []
        texts.reserveCapacity(file.values.count)
        let summary = key.location.isSummary
        for value in file.values where value.time > last {
            texts.append(ArchiveSample.updateText(time: value.time, sum: value.sum, num: summary ? value.num : nil, slope: file.geometry.slope))
            last = value.time
        }
        let stale = file.values.count - texts.count
        if stale > 0 { counters.stale.add(stale, ordering: .relaxed) }
        known[key] = (path, last)
        return texts.isEmpty ? nil : Update(key: key, path: path, texts: texts)
    }

    private func writeDirectly(_ updates: [Update], fallback: Bool) {
        for update in updates {
            do {
                try RRDError.retryingLocked { () throws(RRDError) in try store.functions.update(path: update.path, values: update.texts) }
                counters.written.add(update.texts.count, ordering: .relaxed)
                counters.succeeded()
                if fallback { counters.fallback.add(update.texts.count, ordering: .relaxed) }
            } catch {
                counters.fail(update.texts.count, error)
                known[update.key] = nil  // read it from the file next time
            }
            counters.updateCalls.add(1, ordering: .relaxed)
        }
    }

    private func writeThroughRRDCached(_ updates: [Update]) {
        guard let client else { return }
        while true {
            let now = ContinuousClock.now
            if client.isConnected || now >= nextAttempt {
                do {
                    let errors = try client.batch(updates.map { ($0.path, $0.texts) })
                    counters.batches.add(1, ordering: .relaxed)
                    if unreachableSince != nil { counters.report(.rrdcachedBack) }
                    unreachableSince = nil
                    backoff = .milliseconds(100)
                    var failedValues = 0
                    for (index, message) in errors where updates.indices.contains(index) {
                        let count = updates[index].texts.count
                        failedValues += count
                        if message.contains("illegal attempt to update") {
                            // Already there (a batch resent after a lost reply, or rrdcached
                            // holds newer values for the file): our time for it stands.
                            counters.stale.add(count, ordering: .relaxed)
                        } else {
                            known[updates[index].key] = nil
                            counters.fail(count, RRDError(.rrdcached, path: updates[index].path, message: message))
                        }
                    }
                    let total = updates.reduce(0) { $0 + $1.texts.count }
                    counters.written.add(total - failedValues, ordering: .relaxed)
                    counters.viaRRDCached.add(total - failedValues, ordering: .relaxed)
                    if total > failedValues { counters.succeeded() }
                    return
                } catch where error.kind == .connection {
                    client.close()
                    counters.connectionFailures.add(1, ordering: .relaxed)
                    counters.note(error)
                    counters.report(.rrdcachedUnreachable(error))
                    unreachableSince = unreachableSince ?? now
                    nextAttempt = now + backoff
                    // Quick retries while waiting for it; once writing directly, rarer ones (a
                    // TCP connect to a dead host can take the whole timeout).
                    let falling = configuration.rrdcachedFallbackAfter.map { now >= unreachableSince! + $0 } ?? false
                    backoff = min(backoff * 2, falling ? .seconds(30) : .seconds(5))
                } catch {
                    // The daemon answered but refused the whole batch.
                    counters.fail(updates.reduce(0) { $0 + $1.texts.count }, error)
                    for update in updates { known[update.key] = nil }
                    return
                }
            }
            let since = unreachableSince ?? now
            let fallbackAt = configuration.rrdcachedFallbackAfter.map { since + $0 }
            if stopping.load(ordering: .relaxed) || (fallbackAt.map { ContinuousClock.now >= $0 } ?? false) {
                writeDirectly(updates, fallback: true)
                return
            }
            let wake = min(nextAttempt, fallbackAt ?? nextAttempt)
            let pause = min(ContinuousClock.now.duration(to: wake), .milliseconds(100))
            if pause > .zero { Thread.sleep(forTimeInterval: Double(pause.components.attoseconds) / 1e18 + Double(pause.components.seconds)) }
        }
    }
}
