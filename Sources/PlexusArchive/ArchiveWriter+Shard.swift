import Foundation
import PlexusCore
import Synchronization

extension ArchiveWriter {
    /// One shard of the writer: its part of the queue (behind a mutex, touched briefly by submitters
    /// and its thread) and its thread.
    final class Shard: Sendable {
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
                counters.update { $0.queued -= handled }
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
}
