import Foundation
import PlexusCore
import Synchronization

extension ArchiveWriter {
    /// What one shard's thread keeps between rounds: each file's last update time and the rrdcached
    /// connection. Touched only from that thread (`stopping` excepted), hence unchecked.
    final class ShardWorker: @unchecked Sendable {
        typealias PendingFile = Shard.PendingFile
        let store: ArchiveStore
        let configuration: ArchiveWriter.Configuration
        let counters: Counters
        let stopping = Atomic<Bool>(false)
        /// Every file this thread has written or opened: its path and last update time.
        private var known: [ArchiveKey: (path: String, lastUpdate: Int64)] = [:]
        private let client: RRDCachedClient?
        private var route: RRDCachedRoute<ContinuousClock.Instant>

        init(store: ArchiveStore, configuration: ArchiveWriter.Configuration, counters: Counters) {
            self.store = store
            self.configuration = configuration
            self.counters = counters
            client = configuration.rrdcached.map { RRDCachedClient(address: $0, timeout: configuration.rrdcachedTimeout) }
            route = RRDCachedRoute(fallbackAfter: configuration.rrdcachedFallbackAfter)
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
                        counters.update { $0.seriesRefused += file.values.count }
                        counters.report(.seriesRefused(subject: NewSeriesGuard.subject(key), reason: reason))
                        return nil
                    }
                    let preparation = try store.prepare(path: path, key: key, geometry: file.geometry, firstTime: file.values[0].time)
                    if case .created = preparation { counters.update { $0.filesCreated += 1 } }
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
            if stale > 0 { counters.update { $0.stale += stale } }
            known[key] = (path, last)
            return texts.isEmpty ? nil : Update(key: key, path: path, texts: texts)
        }

        private func writeDirectly(_ updates: [Update], fallback: Bool) {
            for update in updates {
                do {
                    try RRDError.retryingLocked { () throws(RRDError) in try store.functions.update(path: update.path, values: update.texts) }
                    counters.wrote(update.texts.count, fallback: fallback)
                } catch {
                    counters.fail(update.texts.count, error)
                    known[update.key] = nil  // read it from the file next time
                }
                counters.update { $0.updateCalls += 1 }
            }
        }

        private func writeThroughRRDCached(_ updates: [Update]) {
            guard let client else { return }
            while true {
                let now = ContinuousClock.now
                switch route.action(now: now, connected: client.isConnected, stopping: stopping.load(ordering: .relaxed)) {
                case .send:
                    do {
                        let errors = try client.batch(updates.map { ($0.path, $0.texts) })
                        counters.update { $0.batches += 1 }
                        if route.reached() { counters.report(.rrdcachedBack) }
                        var failedValues = 0
                        for (index, message) in errors where updates.indices.contains(index) {
                            let count = updates[index].texts.count
                            failedValues += count
                            if message.contains("illegal attempt to update") {
                                // Already there (a batch resent after a lost reply, or rrdcached
                                // holds newer values for the file): our time for it stands.
                                counters.update { $0.stale += count }
                            } else {
                                known[updates[index].key] = nil
                                counters.fail(count, RRDError(.rrdcached, path: updates[index].path, message: message))
                            }
                        }
                        counters.wrote(updates.reduce(0) { $0 + $1.texts.count } - failedValues, viaRRDCached: true)
                        return
                    } catch  where error.kind == .connection {
                        client.close()
                        counters.update { $0.connectionFailures += 1 }
                        counters.note(error)
                        counters.report(.rrdcachedUnreachable(error))
                        route.unreachable(now: now)
                    } catch {
                        // The daemon answered but refused the whole batch.
                        counters.fail(updates.reduce(0) { $0 + $1.texts.count }, error)
                        for update in updates { known[update.key] = nil }
                        return
                    }
                case .writeDirectly:
                    writeDirectly(updates, fallback: true)
                    return
                case .wait(let until):
                    // At most 100 ms at a time, so that stopping is noticed.
                    let pause = min(ContinuousClock.now.duration(to: until), .milliseconds(100))
                    if pause > .zero { Thread.sleep(forTimeInterval: Double(pause.components.attoseconds) / 1e18 + Double(pause.components.seconds)) }
                }
            }
        }
    }
}
