/// One grid (`<GRID>`): what one aggregator (gmetad) serves, possibly containing other grids.
public struct Grid: Hashable, Sendable {
    /// A child of a grid, in document order.
    public enum Child: Hashable, Sendable {
        case cluster(Cluster)
        case grid(Grid)
    }

    /// `NAME`.
    public var name: GridName
    /// `AUTHORITY`: the URL of the grid's own web front end.
    public var authority: String
    /// `LOCALTIME`, Unix seconds (optional in the DTD, always written by gmetad).
    public var localtime: Int64?
    /// `HOSTS` and `METRICS`, present for summarized grids.
    public var summary: Summary?
    /// `CLUSTER` and `GRID` children.
    public var children: [Child]

    public init(name: GridName, authority: String, localtime: Int64?, summary: Summary? = nil, children: [Child] = []) {
        self.name = name
        self.authority = authority
        self.localtime = localtime
        self.summary = summary
        self.children = children
    }
}
