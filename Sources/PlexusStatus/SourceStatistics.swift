import PlexusSecurity

/// What the aggregator counts about one data source.
public struct SourceStatistics: Sendable, Equatable, Codable {
    /// How a data source delivers (`data_source`'s addresses, or `listen`).
    public enum Kind: String, Codable, Sendable {
        case poll, listen
    }

    public var name: String
    public var kind: Kind
    /// Whether the last poll (or listening interval) delivered data.
    public var alive = false
    /// Polls that delivered a document / that failed on every host / whose turn passed while
    /// the previous one was still running.
    public var pollsOK = 0
    public var pollsFailed = 0
    public var pollsMissed = 0
    /// The address that answered last (polled sources), remembered for the next poll.
    public var lastEndpoint: String?
    /// Why the last failed poll failed.
    public var lastError: String?
    /// Our clock at the last delivery.
    public var lastPolled: Int64?
    /// Size of the last document and how long reading it into state took.
    public var lastDocumentBytes = 0
    public var lastParseMilliseconds = 0.0
    public var totalParseMilliseconds = 0.0
    /// Elements dropped as malformed (hosts, metrics, summaries) over all polls; documents cut short.
    public var malformed = 0
    public var truncated = 0
    /// Clusters or hosts a document listed twice; clusters another source already has.
    public var duplicates = 0
    public var shadowed = 0
    /// Datagrams heard, and dropped (listened sources).
    public var datagrams = 0
    public var datagramsDropped = 0
    /// Listened sources: signed datagrams accepted, and datagrams refused by `[security]` by
    /// reason (also counted in `datagramsDropped`); nil for polled sources.
    public var signatures: SignatureCounts?
    /// Hosts and metrics held now.
    public var hosts = 0
    public var metrics = 0
    /// Hosts and metrics left out at the source's bounds (`max_hosts_per_source`,
    /// `max_metrics_per_host`), over all polls.
    public var hostsRefused = 0
    public var metricsRefused = 0
    /// Polled sources: what back-fill after outages did (`docs/aggregator.md#back-fill`); nil
    /// for listened sources (no one to ask).
    public var backfill: Backfill?

    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
        if kind == .listen { signatures = SignatureCounts() } else { backfill = Backfill() }
    }

    /// Back-fill of one polled source.
    public struct Backfill: Sendable, Equatable, Codable {
        /// History requests made (one per outage), and those that failed (no answer, refused,
        /// malformed: `lastError` says why).
        public var requests = 0
        public var failures = 0
        /// Values written to fill holes (host archives and cluster summaries).
        public var values = 0
        /// Values the source served that the archives already had (at or before their last
        /// update), not written.
        public var refusedOlder = 0
        /// Poll samples held while a back-fill was writing (they follow it, in order).
        public var held = 0
        /// Seconds of the last hole filled, our clock when it was, and the latest failure.
        public var lastSeconds: Int64?
        public var lastAt: Int64?
        public var lastError: String?

        public init() {}
    }
}
