import Glibc

/// The system's time in whole seconds since the epoch: the clock Ganglia's documents use. The
/// daemons' services, the client gate, the throttled log and the web side take it as a
/// `@Sendable () -> Int64` (this is the default), so that tests can pin it.
public enum WallClock {
    @Sendable public static func seconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec)
    }
}
