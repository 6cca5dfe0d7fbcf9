/// Everything one data source delivered: authority clusters, and summarized grids.
public struct SourceContent: Sendable, Equatable {
    public var clusters: [HeldCluster] = []
    public var grids: [HeldGrid] = []
    /// What the source's bounds left out of the poll that made this content.
    public var refusals = SourceAssembler.Refusals()

    public init(clusters: [HeldCluster] = [], grids: [HeldGrid] = []) {
        self.clusters = clusters
        self.grids = grids
    }

    /// The source's contribution to the root summary.
    public func summary(excluding unsummarized: [String]) -> Summary {
        var builder = SummaryBuilder(excluding: unsummarized)
        for cluster in clusters { builder.add(cluster.summary) }
        for grid in grids { builder.add(grid.summary) }
        return builder.summary
    }
}
