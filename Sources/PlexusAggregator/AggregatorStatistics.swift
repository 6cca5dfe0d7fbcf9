import PlexusCore
import PlexusStatus
import PlexusTransport

/// What the aggregator counts, shown by `/status` and `/metrics`.
public struct AggregatorStatistics: Sendable, Equatable {
    public var sources: [SourceStatistics]
    /// Clients of the XML port and of the interactive port: served, refused by
    /// `trusted_hosts`, failed (timeout, reset), and (interactive) refused requests.
    public var xml = GangliaPortServer.ClientCounts()
    public var queries = GangliaPortServer.ClientCounts()
    public var queriesRejected = 0
    /// Samples handed to the archive writer, and refused by its full queue.
    public var samplesSubmitted = 0
    public var samplesRefused = 0
    /// Root summary writes.
    public var rootSummaries = 0

    public init(sources: [SourceStatistics]) {
        self.sources = sources
    }

    public var pollsOK: Int { sources.reduce(0) { $0 + $1.pollsOK } }
    public var pollsFailed: Int { sources.reduce(0) { $0 + $1.pollsFailed } }
    public var pollsMissed: Int { sources.reduce(0) { $0 + $1.pollsMissed } }
}
