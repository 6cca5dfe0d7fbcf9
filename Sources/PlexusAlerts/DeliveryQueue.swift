/// What a destination did: deliveries that succeeded, attempts that failed (each retry
/// counts), changes dropped from a full queue.
public struct DeliveryCounters: Sendable, Equatable, Codable {
    public var sent: UInt64 = 0
    public var failed: UInt64 = 0
    public var dropped: UInt64 = 0

    public init() {}
}

/// Changes waiting for one destination (the webhook, the command), in order, with retries:
/// bounded (the oldest is dropped, and counted, when a change arrives at a full queue), and
/// backing off after a failure (1 s doubling to 60 s, then every 60 s) so a destination that is
/// down is neither hammered nor forgotten. Values and times only: `AlertService` does the sending.
public struct DeliveryQueue<Item: Sendable>: Sendable {

    public let capacity: Int
    public private(set) var items: [Item] = []
    public private(set) var counters = DeliveryCounters()
    /// Not before this time (after a failure).
    public private(set) var retryAt: Int64 = .min
    /// The wait after the next failure.
    private var backoff: Int64 = 1
    public static var maximumBackoff: Int64 { 60 }

    public init(capacity: Int = 1000, items: [Item] = []) {
        self.capacity = max(1, capacity)
        self.items = Array(items.suffix(self.capacity))
    }

    public mutating func append(_ item: Item) {
        if items.count >= capacity {
            items.removeFirst()
            counters.dropped += 1
        }
        items.append(item)
    }

    /// The item to try now: the oldest, unless a failure's wait is running.
    public func due(now: Int64) -> Item? {
        now >= retryAt ? items.first : nil
    }

    /// The item `due` gave was delivered.
    public mutating func delivered() {
        if !items.isEmpty { items.removeFirst() }
        counters.sent += 1
        backoff = 1
        retryAt = .min
    }

    /// The item `due` gave was not delivered at `now`: it stays first, tried again after the wait.
    public mutating func failed(now: Int64) {
        counters.failed += 1
        retryAt = now + backoff
        backoff = min(backoff * 2, Self.maximumBackoff)
    }
}

/// What Alertmanager is told and when. Alertmanager keeps state, so it is sent the whole
/// current picture rather than a history: every firing alert, and the resolved ones it hasn't
/// been told of yet. A post is due when something changed or `resendInterval` has passed since
/// the last one, and not before a failure's wait (1 s doubling to 60 s) is over. Resolved
/// alerts wait for a successful post, at most `capacity` of them (the oldest dropped, and
/// counted).
public struct AlertmanagerSync: Sendable {
    public let resendInterval: Int64
    public let capacity: Int
    public private(set) var resolved: [AlertChange] = []
    public private(set) var counters = DeliveryCounters()
    private var lastSent: Int64?
    private var changed = true
    public private(set) var retryAt: Int64 = .min
    private var backoff: Int64 = 1

    public init(resendInterval: Int64, capacity: Int = 1000, resolved: [AlertChange] = []) {
        self.resendInterval = max(1, resendInterval)
        self.capacity = max(1, capacity)
        self.resolved = Array(resolved.suffix(self.capacity))
    }

    /// Changes to send with the next post.
    public mutating func note(_ changes: [AlertChange]) {
        for change in changes {
            changed = true
            guard change.kind == .resolved else { continue }
            if resolved.count >= capacity {
                resolved.removeFirst()
                counters.dropped += 1
            }
            resolved.append(change)
        }
    }

    /// Whether a post is due at `now`.
    public func due(now: Int64) -> Bool {
        guard now >= retryAt else { return false }
        guard let lastSent else { return true }
        return changed || now - lastSent >= resendInterval
    }

    /// A post holding the first `resolvedSent` resolved alerts succeeded at `now`.
    public mutating func delivered(resolvedSent: Int, now: Int64) {
        resolved.removeFirst(min(resolvedSent, resolved.count))
        counters.sent += 1
        lastSent = now
        changed = !resolved.isEmpty
        backoff = 1
        retryAt = .min
    }

    public mutating func failed(now: Int64) {
        counters.failed += 1
        retryAt = now + backoff
        backoff = min(backoff * 2, DeliveryQueue<AlertChange>.maximumBackoff)
    }
}
