import Foundation

/// The system's time in whole seconds since the epoch: the clock Ganglia's documents use. Services
/// take it as a `@Sendable () -> Int64` so that tests can pin it.
public enum WallClock {
    @Sendable public static func seconds() -> Int64 {
        Int64(Date().timeIntervalSince1970)
    }
}
