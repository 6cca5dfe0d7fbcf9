/// Where a shard's batches go while rrdcached comes and goes, as a value: the worker asks it
/// what to do now and tells it how a batch went; tests drive it with made-up instants.
///
/// While rrdcached is unreachable, connections are retried with a back-off (100 ms doubling up
/// to 5 s); after `fallbackAfter` (`rrdcached_fallback_after`) batches are written directly and
/// retries become rarer (up to 30 s: a TCP connect to a dead host can take the whole timeout).
/// Stopping writes directly at once rather than wait.
public struct RRDCachedRoute<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration, Instant: Sendable {
    public enum Action: Equatable, Sendable {
        /// Send the batch to rrdcached (connecting first if need be).
        case send
        /// Write the batch with librrd.
        case writeDirectly
        /// Nothing to do before this instant.
        case wait(until: Instant)
    }

    static var firstBackoff: Duration { .milliseconds(100) }
    static var longestBackoffWaiting: Duration { .seconds(5) }
    static var longestBackoffFallingBack: Duration { .seconds(30) }

    /// nil: wait for rrdcached however long it takes.
    public let fallbackAfter: Duration?
    public private(set) var unreachableSince: Instant?
    private var nextAttempt: Instant?
    public private(set) var backoff = Self.firstBackoff

    public init(fallbackAfter: Duration?) {
        self.fallbackAfter = fallbackAfter
    }

    public func action(now: Instant, connected: Bool, stopping: Bool) -> Action {
        guard let nextAttempt, !connected, now < nextAttempt else { return .send }
        let fallbackAt = fallbackAfter.map { (unreachableSince ?? now).advanced(by: $0) }
        if stopping || fallbackAt.map({ now >= $0 }) == true { return .writeDirectly }
        return .wait(until: fallbackAt.map { min($0, nextAttempt) } ?? nextAttempt)
    }

    /// A batch reached rrdcached; true when it had been unreachable until now.
    public mutating func reached() -> Bool {
        defer {
            unreachableSince = nil
            nextAttempt = nil
            backoff = Self.firstBackoff
        }
        return unreachableSince != nil
    }

    /// rrdcached could not be reached at `now`.
    public mutating func unreachable(now: Instant) {
        let since = unreachableSince ?? now
        unreachableSince = since
        nextAttempt = now.advanced(by: backoff)
        let fallingBack = fallbackAfter.map { now >= since.advanced(by: $0) } ?? false
        backoff = min(backoff * 2, fallingBack ? Self.longestBackoffFallingBack : Self.longestBackoffWaiting)
    }
}
