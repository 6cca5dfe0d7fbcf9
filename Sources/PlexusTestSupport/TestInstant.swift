import Synchronization

/// A made-up instant for testing decisions that take time as a value (`PollTurns`,
/// `RRDCachedRoute`): a duration since an arbitrary zero.
public struct TestInstant: InstantProtocol, Sendable, CustomStringConvertible {
    public var sinceZero: Duration

    public init(_ sinceZero: Duration = .zero) {
        self.sinceZero = sinceZero
    }

    public static func seconds(_ seconds: Double) -> TestInstant {
        TestInstant(.milliseconds(Int64((seconds * 1000).rounded())))
    }

    public func advanced(by duration: Duration) -> TestInstant { TestInstant(sinceZero + duration) }
    public func duration(to other: TestInstant) -> Duration { other.sinceZero - sinceZero }
    public static func < (a: TestInstant, b: TestInstant) -> Bool { a.sinceZero < b.sinceZero }
    public var description: String { "t+\(sinceZero)" }
}

/// A wall clock (seconds since the epoch) that a test sets, shared with the code under test
/// as `{ clock.now }`.
public final class SettableClock: Sendable {
    private let seconds: Mutex<Int64>

    public init(_ start: Int64) {
        seconds = Mutex(start)
    }

    public var now: Int64 { seconds.withLock { $0 } }

    public func set(_ value: Int64) { seconds.withLock { $0 = value } }
}
