import Synchronization

extension ArchiveWriter {
    /// The writer's counters, shared by its threads: `Statistics` itself behind one lock (a
    /// counter is a field there and nowhere else), and the failing spell it reports.
    final class Counters: Sendable {
        private struct State {
            var statistics = Statistics()
            /// Values failed in the current failing spell.
            var failingValues = 0
        }

        private let state = Mutex(State())
        let report: @Sendable (ArchiveWriter.Report) -> Void
        let clock: @Sendable () -> Int64

        init(report: @escaping @Sendable (ArchiveWriter.Report) -> Void = { _ in }, clock: @escaping @Sendable () -> Int64 = { 0 }) {
            self.report = report
            self.clock = clock
        }

        /// Changes counters under the lock.
        @discardableResult
        func update<T>(_ change: (inout Statistics) -> T) -> T {
            state.withLock { change(&$0.statistics) }
        }

        func snapshot() -> Statistics {
            state.withLock { $0.statistics }
        }

        /// `count` values failed with `error`: counted, remembered with its time, reported.
        func fail(_ count: Int, _ error: RRDError) {
            let now = clock()
            state.withLock { s in
                s.statistics.failed += count
                s.statistics.lastError = error.description
                s.statistics.lastErrorAt = now
                s.statistics.failingSince = s.statistics.failingSince ?? now
                s.failingValues += count
            }
            report(.failed(error, values: count))
        }

        /// The latest error, without counting values as failed (rrdcached away: they wait).
        func note(_ error: RRDError) {
            let now = clock()
            update { s in
                s.lastError = error.description
                s.lastErrorAt = now
            }
        }

        /// Seconds without a failure, and a success, that end a failing spell: one file that
        /// keeps failing among many that are written is one long spell, not a flap per round.
        static let quiet: Int64 = 10

        /// `count` values were written (`fallback`: directly, rrdcached being away;
        /// `viaRRDCached`: through it). Ends a failing spell once nothing failed for `quiet`
        /// seconds, and says so once.
        func wrote(_ count: Int, viaRRDCached: Bool = false, fallback: Bool = false) {
            let now = clock()
            let ended = state.withLock { s -> (since: Int64, values: Int)? in
                s.statistics.written += count
                if viaRRDCached { s.statistics.viaRRDCached += count }
                if fallback { s.statistics.fallback += count }
                guard count > 0, let since = s.statistics.failingSince, now - (s.statistics.lastErrorAt ?? now) >= Self.quiet else { return nil }
                defer {
                    s.statistics.failingSince = nil
                    s.failingValues = 0
                }
                return (since, s.failingValues)
            }
            if let ended { report(.recovered(failures: ended.values, since: ended.since)) }
        }
    }
}
