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

    public var description: String {
        let source: String
        switch kind {
        case .library(let function): source = function
        case .rrdcached: source = "rrdcached"
        case .connection: source = "rrdcached connection"
        case .filesystem: source = "filesystem"
        case .refused: source = "refused"
        }
        return path.map { "\(source): \($0): \(message)" } ?? "\(source): \(message)"
    }
}
