/// What a metric is, as announced by its owner in a metadata packet (id 128).
///
/// Values arrive separately (ids 129–135); a value without known metadata is not shown.
public struct MetricMetadata: Hashable, Sendable {
    /// The metric name carried inside the metadata body (the wire repeats the name here).
    public var name: String
    /// The declared type. gmetric declares a type here but sends every value as a string.
    public var type: MetricType
    /// Units text, e.g. `KB`, `%` or a single space for load averages.
    public var units: String
    /// How the value moves; decides GAUGE/COUNTER/DERIVE in the archive.
    public var slope: Slope
    /// Seconds: the longest expected interval between two values.
    public var tmax: UInt32
    /// Seconds after which a silent metric is deleted; 0 means never.
    public var dmax: UInt32
    /// Extra data in wire order (`TITLE`, `DESC`, one `GROUP` per group, `SPOOF_HOST`...).
    public var extraData: [ExtraElement]

    public init(
        name: String, type: MetricType, units: String = "", slope: Slope = .both,
        tmax: UInt32 = 60, dmax: UInt32 = 0, extraData: [ExtraElement] = []
    ) {
        self.name = name
        self.type = type
        self.units = units
        self.slope = slope
        self.tmax = tmax
        self.dmax = dmax
        self.extraData = extraData
    }

    /// Display title (`TITLE`), if any.
    public var title: String? { extraData.first(ExtraElement.Key.title) }
    /// Description (`DESC`), if any.
    public var description: String? { extraData.first(ExtraElement.Key.description) }
    /// Every `GROUP`, in wire order.
    public var groups: [String] { extraData.all(ExtraElement.Key.group) }
    /// The `IP:hostname` this metric claims to come from (`SPOOF_HOST`), if any.
    public var spoofHost: String? { extraData.first(ExtraElement.Key.spoofHost) }
    /// Whether this is a spoofed heartbeat (`SPOOF_HEARTBEAT`).
    public var isSpoofedHeartbeat: Bool { extraData.first(ExtraElement.Key.spoofHeartbeat) != nil }
    /// The cluster named by gmetric `-C` (carried, not interpreted by gmond).
    public var cluster: String? { extraData.first(ExtraElement.Key.cluster) }

    /// What the metadata costs to hold, roughly: its texts' bytes and a fixed part. The bound
    /// the agent keeps on metadata (`ClusterState.Limits`) counts this.
    public var byteCount: Int {
        64 + name.utf8.count + units.utf8.count + extraData.reduce(0) { $0 + 16 + $1.name.utf8.count + $1.value.utf8.count }
    }
}
