/// A federated grid, summarized (scalable mode): its attributes and summed HOSTS and METRICS.
public struct HeldGrid: Sendable, Equatable {
    /// NAME, AUTHORITY, LOCALTIME and the summary (no children).
    public var grid: Grid
    public var polled: Int64

    public init(grid: Grid, polled: Int64) {
        self.grid = grid
        self.polled = polled
    }

    public var name: GridName { grid.name }
    public var summary: Summary { grid.summary ?? Summary(hosts: HostCounts(up: 0, down: 0)) }
}
