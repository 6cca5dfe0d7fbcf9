import Glibc

/// A shell glob (`*`, `?`, `[...]`, as `fnmatch` reads them) over host, cluster or metric names,
/// case-insensitive as host names are. `*` and patterns without wildcards are answered without
/// `fnmatch` (alert rules match them hundreds of thousands of times an evaluation).
public struct NamePattern: Sendable, Hashable {
    public let pattern: String
    private let lowered: String
    private let kind: Kind

    private enum Kind: Hashable {
        case everything, literal, glob
    }

    public init(_ pattern: String) {
        self.pattern = pattern
        lowered = pattern.lowercased()
        kind = pattern == "*" ? .everything : pattern.contains(where: { "*?[".contains($0) }) ? .glob : .literal
    }

    /// Whether the pattern is `*`.
    public var matchesEverything: Bool { kind == .everything }

    public func matches(_ name: String) -> Bool {
        switch kind {
        case .everything: return true
        case .literal:
            // ASCII compared byte by byte without case; anything else through lowercased().
            let a = lowered.utf8, b = name.utf8
            guard a.count == b.count else { return false }
            var ascii = true
            for (x, y) in zip(a, b) {
                if x >= 0x80 || y >= 0x80 {
                    ascii = false
                    break
                }
                if x != (y >= 0x41 && y <= 0x5A ? y + 0x20 : y) { return false }
            }
            return ascii || lowered == name.lowercased()
        case .glob:
            return fnmatch(lowered, name.lowercased(), 0) == 0
        }
    }
}
