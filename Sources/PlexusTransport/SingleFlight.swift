import Synchronization

/// Callers asking for the same key at the same time share one run of the work: fifty browsers
/// opening the same new graph cost one render, not fifty. At most `limit` different keys run
/// at once; past that `run` refuses at once with `Busy` (the web answers 503), so a flood of
/// distinct requests queues nothing behind the renders already running.
public final class SingleFlight<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    /// `limit` different keys are in flight already.
    public struct Busy: Error, CustomStringConvertible {
        public let limit: Int
        public var description: String { "\(limit) renders are running or waiting already: try again in a moment" }
    }

    public let limit: Int
    private let flights = Mutex<[Key: Task<Value, any Error>]>([:])
    private let started = Atomic<Int>(0)

    public init(limit: Int = .max) {
        self.limit = limit
    }

    /// How many times work has started.
    public var runs: Int { started.load(ordering: .relaxed) }

    /// Keys in flight now.
    public var inFlight: Int { flights.withLock { $0.count } }

    /// The value for `key`: from the run already in flight, or from `work` run now. The run is
    /// awaited by every caller that joined it (it is not fire-and-forget), and goes on if one
    /// of them is cancelled.
    public func run(_ key: Key, _ work: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let task = try flights.withLock { flights throws(Busy) -> Task<Value, any Error> in
            if let running = flights[key] { return running }
            guard flights.count < limit else { throw Busy(limit: limit) }
            started.add(1, ordering: .relaxed)
            let task = Task { try await work() }
            flights[key] = task
            return task
        }
        let result = await task.result
        flights.withLock { flights in
            if flights[key] == task { flights[key] = nil }
        }
        return try result.get()
    }
}
