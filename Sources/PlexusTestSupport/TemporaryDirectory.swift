import Foundation

/// A fresh directory under the system's temporary directory, for tests and benchmarks that
/// write files (RRD archives, sockets). `remove()` deletes it and everything below.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init(prefix: String = "plexus") throws {
        var template = Array((FileManager.default.temporaryDirectory.path + "/\(prefix)-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw CocoaError(.fileWriteUnknown)
        }
        // Resolved, so paths compare equal to what realpath-using tools (rrdcached) report.
        path = URL(fileURLWithPath: String(cString: made)).resolvingSymlinksInPath().path
    }

    public func appending(_ component: String) -> String { path + "/" + component }

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Every regular file below `path`, relative to it, sorted.
    public func files() -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: path)
        var result: [String] = []
        while let item = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: appending(item), isDirectory: &isDirectory), !isDirectory.boolValue {
                result.append(item)
            }
        }
        return result.sorted()
    }
}

/// Runs blocking test code (waiting for processes, polling files, spawning tools) on a thread of
/// its own, so it never holds one of the cooperative pool's two threads that other suites' tasks
/// and timers need.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.start()
    }
}
