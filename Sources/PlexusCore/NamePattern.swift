import Foundation

/// A shell glob (`*`, `?`, `[...]`, as `fnmatch` reads them) over host, cluster or metric names,
/// case-insensitive as host names are.
public struct NamePattern: Sendable, Hashable {
    public var pattern: String

    public init(_ pattern: String) {
        self.pattern = pattern
    }

    public func matches(_ name: String) -> Bool {
        fnmatch(pattern.lowercased(), name.lowercased(), 0) == 0
    }
}
