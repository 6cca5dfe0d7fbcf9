import Foundation
import Hummingbird
import NIOCore
import PlexusAggregator
import PlexusArchive
import PlexusCore

/// Each request's context: Hummingbird's core storage and the client's address (for
/// `http_trusted_hosts`).
public struct WebContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// What the web side reads, handed in by the aggregator: snapshots of its state and status,
/// where the archive and the events journal are, and the web's own settings.
public struct WebSources: Sendable {
    /// The grid now (a copy; the aggregator keeps publishing).
    public var grid: @Sendable () -> GridState
    /// The aggregator's counters, for `/metrics`.
    public var status: @Sendable () -> AggregatorStatus
    public var layout: RRDLayout
    public var rrdcached: RRDCachedAddress?
    public var events: EventFile
    /// `events_token`: nil refuses every write.
    public var eventsToken: String?
    /// Who may read (`AggregatorConfiguration.httpAllowList`): empty lets everyone.
    public var trusted: [CIDRBlock]
    /// `metrics_host_values`.
    public var hostValuesInMetrics: Bool
    /// `[tv]`.
    public var wallScreen: AggregatorConfiguration.WallScreen
    /// Seconds since the epoch (tests pin it).
    public var clock: @Sendable () -> Int64

    public init(
        grid: @escaping @Sendable () -> GridState, status: @escaping @Sendable () -> AggregatorStatus, layout: RRDLayout,
        rrdcached: RRDCachedAddress? = nil, events: EventFile, eventsToken: String? = nil, trusted: [CIDRBlock] = [],
        hostValuesInMetrics: Bool = false, wallScreen: AggregatorConfiguration.WallScreen = .init(), clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) {
        self.grid = grid
        self.status = status
        self.layout = layout
        self.rrdcached = rrdcached
        self.events = events
        self.eventsToken = eventsToken
        self.trusted = trusted
        self.hostValuesInMetrics = hostValuesInMetrics
        self.wallScreen = wallScreen
        self.clock = clock
    }

    /// The grid at `now`, as rows (`GridOverview`).
    func overview(now: Int64) -> GridOverview {
        GridOverview(grid().document(now: now))
    }
}
