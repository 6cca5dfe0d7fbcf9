import Foundation

/// Why an archive operation failed. Carries librrd's own message (read from its per-thread error
/// right after the call) or rrdcached's status line, and the file it was about.
public struct RRDError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        /// A librrd call returned failure; `function` names it (`rrd_update_r`).
        case library(function: String)
        /// rrdcached answered with a negative status or a malformed reply.
        case rrdcached
        /// rrdcached could not be reached or the connection broke.
        case connection
        /// Creating the directories of a file failed.
        case filesystem
        /// A path that would leave the archive root, or a request that names nothing.
        case refused
    }

    public var kind: Kind
    /// The file concerned, when there is one.
    public var path: String?
    /// librrd's, rrdcached's or the system's words.
    public var message: String

    public init(_ kind: Kind, path: String? = nil, message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    /// librrd could not take the file's `fcntl` lock: another process (rrdcached, a gmetad, an
    /// `rrdtool` command) is writing it. Worth a short retry.
    public var isLockContention: Bool {
        if case .library = kind { message.contains("could not lock") } else { false }
    }

    /// Runs `body`, retrying up to `attempts` times (5, 10, 20… ms apart) while the file is
    /// locked by someone else. Blocking: only on the archive's own threads.
    static func retryingLocked<T>(attempts: Int = 6, _ body: () throws(RRDError) -> T) throws(RRDError) -> T {
        var delay: UInt32 = 5_000
        for _ in 1..<attempts {
            do {
                return try body()
            } catch  where error.isLockContention {
                usleep(delay)
                delay *= 2
            }
        }
        return try body()
    }

    /// Who failed: librrd's function, rrdcached, the filesystem.
    public var source: String {
        switch kind {
        case .library(let function): function
        case .rrdcached: "rrdcached"
        case .connection: "rrdcached connection"
        case .filesystem: "filesystem"
        case .refused: "refused"
        }
    }

    public var description: String {
        path.map { "\(source): \($0): \(message)" } ?? "\(source): \(message)"
    }
}
