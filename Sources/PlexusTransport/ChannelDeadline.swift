import NIOCore
import Synchronization

/// Work on a connection that didn't end within its limit: the connection was closed.
public struct ChannelDeadline: Error, Sendable, Equatable, CustomStringConvertible {
    public var limit: Duration
    public var description: String { "no progress within \(limit)" }
}

extension Channel {
    /// `body`, which waits on this channel (a write, an answer); if `limit` passes first, the
    /// channel is closed, which ends the wait, and the error is `ChannelDeadline`. A timer on
    /// the channel's event loop rather than a task racing `body`: nothing else to run, and a
    /// connection that can't go on is closed either way (the GraphiteSender's writes, an
    /// `HTTPSession`'s answers). Whole exchanges that begin by connecting (`HTTPExchange.send`,
    /// `XMLClient`) race a sleep instead: there is no channel yet to close.
    public func closing<T>(after limit: Duration, _ body: () async throws -> T) async throws -> T {
        let late = Atomic(false)
        let timer = eventLoop.scheduleTask(in: .nanoseconds(Int64(limit / .nanoseconds(1)))) {
            late.store(true, ordering: .relaxed)
            self.close(promise: nil)
        }
        defer { timer.cancel() }
        do {
            return try await body()
        } catch {
            if late.load(ordering: .relaxed) { throw ChannelDeadline(limit: limit) }
            throw error
        }
    }
}
