/// What the agent holds for one metric of one host: the metadata and the latest value, each
/// with the time it was heard. Kept small: it is held once per metric per host of the cluster.
public struct MetricRecord: Sendable, Equatable {
    /// The announced metadata; nil until a metadata packet arrives (values are kept meanwhile,
    /// but the metric is not shown).
    public var metadata: MetricMetadata?
    /// The latest value rendered to text (see `ValueFormat`); nil until a value arrives.
    public var value: String?
    /// When the metadata was last heard (Unix seconds).
    public var metadataHeard: Int64 = 0
    /// When the value was last heard.
    public var valueHeard: Int64 = 0
    /// When we last asked the owner to resend the metadata (0 = never).
    public var metadataRequested: Int64 = 0
    /// When the metric was first heard of.
    public var created: Int64 = 0
    /// What its metadata counts against the byte bounds (`MetricMetadata.byteCount`).
    public var metadataBytes = 0

    public init(created: Int64 = 0) {
        self.created = created
    }

    /// Takes a value heard at `now`; true when its metadata is missing and not asked for within
    /// `requestInterval` seconds (the caller then asks, and sets `metadataRequested`).
    mutating func takeValue(_ text: String, now: Int64, requestInterval: Int64) -> Bool {
        value = text
        valueHeard = now
        return metadata == nil && now - metadataRequested >= requestInterval
    }

    mutating func takeMetadata(_ announced: MetricMetadata, bytes: Int, now: Int64) {
        metadata = announced
        metadataHeard = now
        metadataBytes = bytes
    }

    /// Whether it ever had both metadata and a value (only then is it shown).
    public var isConfirmed: Bool { metadata != nil && value != nil }

    /// Heard of in any way, for dmax expiry.
    var lastHeard: Int64 { max(metadataHeard, valueHeard) }
}
