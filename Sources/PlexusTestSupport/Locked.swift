import Synchronization

/// A value shared between a test and the closures it hands a server or a clock.
public final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    public init(_ value: Value) { mutex = Mutex(value) }
    public func update(_ body: (inout Value) -> Void) { mutex.withLock { body(&$0) } }
    public var value: Value { mutex.withLock { $0 } }
}
