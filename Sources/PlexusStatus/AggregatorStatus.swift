import PlexusArchive
import PlexusCore
import PlexusTransport

/// `/status` on the interactive port: gmetad's fields (host, gridname, version, boottime,
/// uptime, metrics sent) plus what Plexus counts per source, per port and in the archive writer.
public struct AggregatorStatus: Codable, Sendable, Equatable {
    public struct Polls: Codable, Sendable, Equatable {
        public var ok: Int
        public var failed: Int
        public var missed: Int

        public init(ok: Int, failed: Int, missed: Int) {
            self.ok = ok
            self.failed = failed
            self.missed = missed
        }
    }

    public struct Clients: Codable, Sendable, Equatable {
        public var served: Int
        public var refused: Int
        public var failed: Int
        /// Request lines refused (interactive port only).
        public var rejected: Int?

        public init(_ counts: GangliaPortServer.ClientCounts, rejected: Int? = nil) {
            served = counts.served
            refused = counts.refused
            failed = counts.failed
            self.rejected = rejected
        }
    }

    /// The archive: where, and what happened to the samples, the writer's own counters
    /// (`ArchiveWriter.Statistics`) beside the aggregator's; one JSON object.
    public struct Archive: Codable, Sendable, Equatable {
        public var enabled: Bool
        public var rrdRootdir: String
        public var rrdcached: String?
        /// Samples handed to the writer, and refused by its full queue.
        public var submitted: Int
        public var refused: Int
        public var writer: ArchiveWriter.Statistics
        /// The live tail (`live_tail_seconds`): series and bytes held; nil when off.
        public var liveTail: LiveTail.Statistics?

        public init(
            enabled: Bool, rrdRootdir: String, rrdcached: String?, submitted: Int, refused: Int, writer: ArchiveWriter.Statistics,
            liveTail: LiveTail.Statistics? = nil
        ) {
            self.enabled = enabled
            self.rrdRootdir = rrdRootdir
            self.rrdcached = rrdcached
            self.submitted = submitted
            self.refused = refused
            self.writer = writer
            self.liveTail = liveTail
        }

        private enum CodingKeys: String, CodingKey {
            case enabled, rrdRootdir, rrdcached, submitted, refused, liveTail
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            enabled = try c.decode(Bool.self, forKey: .enabled)
            rrdRootdir = try c.decode(String.self, forKey: .rrdRootdir)
            rrdcached = try c.decodeIfPresent(String.self, forKey: .rrdcached)
            submitted = try c.decode(Int.self, forKey: .submitted)
            refused = try c.decode(Int.self, forKey: .refused)
            liveTail = try c.decodeIfPresent(LiveTail.Statistics.self, forKey: .liveTail)
            writer = try ArchiveWriter.Statistics(from: decoder)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(enabled, forKey: .enabled)
            try c.encode(rrdRootdir, forKey: .rrdRootdir)
            try c.encodeIfPresent(rrdcached, forKey: .rrdcached)
            try c.encode(submitted, forKey: .submitted)
            try c.encode(refused, forKey: .refused)
            try c.encodeIfPresent(liveTail, forKey: .liveTail)
            try writer.encode(to: encoder)
        }
    }

    public var host: String
    public var gridname: String
    public var version: String
    /// Unix seconds.
    public var boottime: Int64
    public var uptime: Int64
    public var polls: Polls
    public var sources: [SourceStatistics]
    public var xml: Clients
    public var interactive: Clients
    /// Connections open over every port (HTTP included), the budget, and refusals at the door.
    public var clients: ClientGate.Snapshot?
    /// Renders made for the XML and interactive ports (clients within a second share one).
    public var renders: Renders?
    /// The latest hosts, metrics and series refused at a bound (at most 100 of each kind), most
    /// recent last.
    public var quarantine: [Quarantine.Entry]?

    public struct Renders: Codable, Sendable, Equatable {
        public var xml: Int
        public var interactive: Int

        public init(xml: Int, interactive: Int) {
            self.xml = xml
            self.interactive = interactive
        }
    }
    public var archive: Archive
    public var rootSummaries: Int
    /// The export destinations (`docs/exports.md`); nil without any.
    public var exports: [Export]?

    /// One export destination: where it is, whether it answers, and what became of the samples
    /// it was given. Counts are samples (a summary is two); for Graphite, lines.
    public struct Export: Codable, Sendable, Equatable {
        /// `graphite` or `remote_write`.
        public var kind: String
        public var name: String
        /// carbon's `host:port/protocol`, or the remote-write URL.
        public var target: String
        public var up: Bool
        /// Since when it has failed (seconds since the epoch), while it does.
        public var downSince: Int64?
        public var lastError: String?
        /// When a batch last arrived.
        public var lastSent: Int64?
        public var queued: Int
        public var capacity: Int
        public var queuedTotal: Int
        public var sent: Int
        public var retried: Int
        public var dropped: Int
        public var refused: Int

        public init(
            kind: String, name: String, target: String, up: Bool, downSince: Int64?, lastError: String?, lastSent: Int64?, queued: Int,
            capacity: Int, queuedTotal: Int, sent: Int, retried: Int, dropped: Int, refused: Int
        ) {
            (self.kind, self.name, self.target, self.up, self.downSince, self.lastError, self.lastSent) =
                (kind, name, target, up, downSince, lastError, lastSent)
            (self.queued, self.capacity, self.queuedTotal, self.sent, self.retried, self.dropped, self.refused) =
                (queued, capacity, queuedTotal, sent, retried, dropped, refused)
        }
    }
    /// The alert rules (`docs/alerts.md`); nil without rules.
    public var alerts: Alerts?

    public struct Alerts: Codable, Sendable, Equatable {
        /// One destination's deliveries: to Alertmanager they are posts, to the webhook and the
        /// command they are changes.
        public struct Destination: Codable, Sendable, Equatable {
            public var name: String
            public var sent: UInt64
            public var failed: UInt64
            public var dropped: UInt64
            public var queued: Int
            public var lastError: String?

            public init(name: String, sent: UInt64, failed: UInt64, dropped: UInt64, queued: Int, lastError: String?) {
                self.name = name
                self.sent = sent
                self.failed = failed
                self.dropped = dropped
                self.queued = queued
                self.lastError = lastError
            }
        }

        public var rules: Int
        public var firing: Int
        public var pending: Int
        public var evaluations: Int
        public var lastEvaluation: Int64?
        public var deliveries: [Destination]

        public init(rules: Int, firing: Int, pending: Int, evaluations: Int, lastEvaluation: Int64?, deliveries: [Destination]) {
            self.rules = rules
            self.firing = firing
            self.pending = pending
            self.evaluations = evaluations
            self.lastEvaluation = lastEvaluation
            self.deliveries = deliveries
        }
    }

    public init(
        host: String, gridname: String, version: String, boottime: Int64, uptime: Int64, polls: Polls, sources: [SourceStatistics],
        xml: Clients, interactive: Clients, clients: ClientGate.Snapshot?, renders: Renders?, quarantine: [Quarantine.Entry]?,
        archive: Archive, rootSummaries: Int, alerts: Alerts? = nil, exports: [Export]? = nil
    ) {
        self.host = host
        self.gridname = gridname
        self.version = version
        self.boottime = boottime
        self.uptime = uptime
        self.polls = polls
        self.sources = sources
        self.xml = xml
        self.interactive = interactive
        self.clients = clients
        self.renders = renders
        self.quarantine = quarantine
        self.archive = archive
        self.rootSummaries = rootSummaries
        self.alerts = alerts
        self.exports = exports
    }
}
