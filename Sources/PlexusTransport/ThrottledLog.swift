import Glibc
import Logging
import PlexusCore
import Synchronization

/// A logger for what peers can cause (failed clients, refused connections and packets): the
/// first of each kind is logged at once, then one line per kind per interval with how many
/// were left out (`LogThrottle`). Lines carry the remote text only as metadata, cut to 200
/// characters, so no peer decides how long a log line is.
public final class ThrottledLog: Sendable {
    public let logger: Logger
    private let throttle: Mutex<LogThrottle>
    private let clock: @Sendable () -> Int64

    public init(logger: Logger, interval: Int64 = 60, clock: @escaping @Sendable () -> Int64 = WallClock.seconds) {
        self.logger = logger
        throttle = Mutex(LogThrottle(interval: interval))
        self.clock = clock
    }

    /// Logs `message` at `level` unless its kind (the message itself) was logged within the
    /// interval; `detail` is the remote part (a peer's address, an error's text).
    public func log(_ level: Logger.Level, _ message: String, detail: String, metadata: Logger.Metadata = [:]) {
        guard let skipped = throttle.withLock({ $0.record(message, now: clock()) }) else { return }
        var metadata = metadata
        metadata["detail"] = "\(Self.cut(detail))"
        if skipped > 0 { metadata["more since the last line"] = "\(skipped)" }
        logger.log(level: level, "\(message)", metadata: metadata)
    }

    /// At most `limit` characters of remote text.
    public static func cut(_ text: String, limit: Int = 200) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "…"
    }
}
