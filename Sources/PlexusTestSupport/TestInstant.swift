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
