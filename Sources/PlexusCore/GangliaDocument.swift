/// Which program's XML a document follows. They differ in attribute order and in what they
/// wrap: gmond serves one CLUSTER, gmetad wraps everything in a GRID and tags METRICs with SOURCE.
public enum XMLDialect: String, Hashable, Sendable {
    case gmond, gmetad
}

/// A whole `<GANGLIA_XML>` document.
public struct GangliaDocument: Hashable, Sendable {
    /// A top-level element.
    public enum Item: Hashable, Sendable {
        case grid(Grid)
        case cluster(Cluster)
        case host(Host)
    }

    /// `VERSION`; Ganglia compares it as a string, so we say "3.7.2".
    public var version: String
    /// `SOURCE`: who wrote the document.
    public var source: XMLDialect
    public var items: [Item]

    public static let defaultVersion = "3.7.2"

    public init(version: String = GangliaDocument.defaultVersion, source: XMLDialect, items: [Item] = []) {
        self.version = version
        self.source = source
        self.items = items
    }
}
