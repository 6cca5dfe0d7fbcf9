import PlexusCore

/// A source's new content and how it was read: what `GridStore.publish` takes from a poll (a
/// document read) or a listening interval (a snapshot of what was heard).
struct Delivery: Sendable {
    var content: SourceContent
    var anomalies: SourceAssembler.Anomalies
    var report: XMLReadReport
    /// Our clock when it was read.
    var now: Int64
    /// The document's size (0 for a listened source).
    var bytes: Int
    /// How long reading it into content took.
    var parse: Duration
    /// The address that answered (polled sources).
    var endpoint: String?
}
