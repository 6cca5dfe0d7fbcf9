import NIOCore
import Synchronization

/// One render shared by every client that asks for the same thing within `maxAge`: fifty
/// clients opening the whole-grid XML at once cost one render, not fifty, and a buffer written
/// to fifty sockets is one buffer (a `ByteBuffer` is shared until written to).
///
/// While a render runs, later callers wait for it (`SingleFlight`) rather than starting their
/// own. What is kept is bounded by `maxEntries` and `budget` bytes; past them the oldest goes
/// first, and a result that still doesn't fit is handed out unkept.
public final class SharedRender: Sendable {
    public let maxAge: Duration
    public let maxEntries: Int
    public let budget: Int
    private let kept = Mutex<[String: (buffer: ByteBuffer, at: ContinuousClock.Instant)]>([:])
    private let flights = SingleFlight<String, ByteBuffer>()

    public init(maxAge: Duration = .seconds(1), maxEntries: Int = 32, budget: Int = 256 << 20) {
        self.maxAge = maxAge
        self.maxEntries = maxEntries
        self.budget = budget
    }

    /// How many times a render has run.
    public var renderCount: Int { flights.runs }

    /// The answer for `key`: kept, being made, or made now by `make`.
    public func value(for key: String, make: @escaping @Sendable () async -> ByteBuffer) async -> ByteBuffer {
        let now = ContinuousClock.now
        if let entry = kept.withLock({ $0[key] }), now - entry.at < maxAge { return entry.buffer }
        // The flight has no limit and `make` doesn't throw: this can't fail.
        guard let buffer = try? await flights.run(key, { await make() }) else { return ByteBuffer() }
        keep(buffer, for: key)
        return buffer
    }

    private func keep(_ buffer: ByteBuffer, for key: String) {
        let now = ContinuousClock.now
        kept.withLock { kept in
            kept[key] = nil
            // Expired answers go first, then the oldest, until this one fits.
            kept = kept.filter { now - $0.value.at < maxAge }
            var held = kept.values.reduce(0) { $0 + $1.buffer.readableBytes }
            while !kept.isEmpty, kept.count >= maxEntries || held + buffer.readableBytes > budget,
                let oldest = kept.min(by: { $0.value.at < $1.value.at })
            {
                kept[oldest.key] = nil
                held -= oldest.value.buffer.readableBytes
            }
            if kept.count < maxEntries, held + buffer.readableBytes <= budget { kept[key] = (buffer, now) }
        }
    }
}
