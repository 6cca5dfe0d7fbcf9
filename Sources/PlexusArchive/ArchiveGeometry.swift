import PlexusCore

/// How a file is created when its first sample arrives (gmetad: step of the data source, the
/// DS type from the metric's slope).
public struct ArchiveGeometry: Hashable, Sendable {
    /// Seconds between primary data points; the heartbeat is 8 × step.
    public var step: Int
    public var slope: Slope

    public init(step: Int, slope: Slope = .both) {
        self.step = max(1, step)
        self.slope = slope
    }
}
