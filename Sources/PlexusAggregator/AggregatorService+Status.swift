import Foundation
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
    }

    public struct Clients: Codable, Sendable, Equatable {
        public var served: Int
        public var refused: Int
        public var failed: Int
        /// Request lines refused (interactive port only).
        public var rejected: Int?

        init(_ counts: XMLServer.ClientCounts, rejected: Int? = nil) {
            served = counts.served
            refused = counts.refused
            failed = counts.failed
            self.rejected = rejected
        }
    }

    public struct Archive: Codable, Sendable, Equatable {
        public var enabled: Bool
        public var rrdRootdir: String
        public var rrdcached: String?
        public var submitted: Int
        public var refused: Int
        public var queued: Int
        public var written: Int
        public var viaRRDCached: Int
        public var fallback: Int
        public var dropped: Int
        public var stale: Int
        public var failed: Int
        public var filesCreated: Int
        /// Samples of new series refused a file (`max_new_series_per_*`, `rrd_keep_free`).
        public var seriesRefused: Int?
        /// The latest failure (file, librrd's or the system's reason with errno) and when
        /// (unix seconds); kept after writes succeed again.
        public var lastError: String?
        public var lastErrorAt: Int64?
        /// Since when writes have been failing; absent once they succeed again.
        public var failingSince: Int64?
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
    }
    public var archive: Archive
    public var rootSummaries: Int
}

extension AggregatorService {
    /// The status document as of now.
    public var status: AggregatorStatus {
        let s = statistics
        let w = writer?.statistics ?? ArchiveWriter.Statistics()
        let now = Self.wallClock()
        return AggregatorStatus(
            host: hostname, gridname: config.gridname, version: "plexus (gmetad \(GangliaDocument.defaultVersion) compatible)",
            boottime: started, uptime: now - started,
            polls: .init(ok: s.pollsOK, failed: s.pollsFailed, missed: s.pollsMissed), sources: s.sources,
            xml: .init(s.xml), interactive: .init(s.queries, rejected: s.queriesRejected), clients: gate.snapshot,
            renders: .init(xml: xmlRenders.renderCount, interactive: queryRenders.renderCount),
            quarantine: (quarantine.withLock { $0.entries } + (writer?.configuration.newSeries?.quarantine.entries ?? [])).sorted { $0.last < $1.last },
            archive: .init(
                enabled: writer != nil, rrdRootdir: config.rrdRootdir, rrdcached: config.rrdcachedAddress,
                submitted: s.samplesSubmitted, refused: s.samplesRefused, queued: w.queued, written: w.written,
                viaRRDCached: w.viaRRDCached, fallback: w.fallback, dropped: w.dropped, stale: w.stale, failed: w.failed,
                filesCreated: w.filesCreated, seriesRefused: w.seriesRefused, lastError: w.lastError, lastErrorAt: w.lastErrorAt,
                failingSince: w.failingSince),
            rootSummaries: s.rootSummaries)
    }

    /// `/status` as JSON (JSONP with a safe callback), with an HTTP header for `GET` requests.
    func statusReply(callback: String?, http: Bool) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = (try? encoder.encode(status)) ?? Data("{}".utf8)
        var bytes: [UInt8] = []
        if http { bytes += Array(GridRenderer.httpHeader(contentType: callback == nil ? "application/json" : "application/javascript").utf8) }
        if let callback { bytes += Array("\(callback)(".utf8) }
        bytes += json
        if callback != nil { bytes += Array(")".utf8) }
        bytes += Array("\r\n".utf8)
        return bytes
    }
}
