import Foundation
import Hummingbird
import NIOCore
import PlexusAggregator
import PlexusArchive
import PlexusCore
import Synchronization

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

    /// Built at most once a second, however many pages and API calls ask.
    let overviews = OverviewCache()
    let responses = ResponseCache()

    /// The grid at `now`, as rows (`GridOverview`).
    func overview(now: Int64) -> GridOverview {
        overviews.overview(now: now) { GridOverview(grid().document(now: now)) }
    }

    /// A cluster's host rows at `now`, made once per overview (a thousand hosts' rows are a
    /// fifth of a cluster page's cost).
    func hostRows(cluster: String, now: Int64) -> [GridOverview.HostRow] {
        overviews.hostRows(cluster: cluster, now: now) { overview(now: now).hostRows(cluster: cluster) }
    }
}

/// Answers built at most once a second per URI: pages, the state API and `/metrics` say the
/// same thing to every client within a second, so twenty clients (or a wall of screens) asking
/// for a thousand-host cluster page cost one render, not twenty.
final class ResponseCache: Sendable {
    private let entries = Mutex<[String: (now: Int64, body: ByteBuffer)]>([:])

    func body(_ key: String, now: Int64, build: () throws -> ByteBuffer) rethrows -> ByteBuffer {
        if let entry = entries.withLock({ $0[key] }), entry.now == now { return entry.body }
        let body = try build()
        entries.withLock { entries in
            if entries.count >= 256 { entries = entries.filter { $0.value.now == now } }
            entries[key] = (now, body)
        }
        return body
    }
}

extension WebSources {
    /// `build`'s text as the answer to `request` with `type`, shared by the requests of the same
    /// second for the same URI.
    func cached(_ request: Request, type: String, _ build: () throws -> String) rethrows -> Response {
        let body = try responses.body(request.uri.description, now: clock()) { ByteBuffer(string: try build()) }
        return Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-store"], body: .init(byteBuffer: body))
    }
}

/// The last overview built and the second it stands for. A page asked for in the same second
/// gets it as it is: building one copies every host (30,000 metrics for 1,000 hosts), which
/// twenty clients at once would otherwise do twenty times. At most a second stale.
final class OverviewCache: Sendable {
    private let latest = Mutex<(now: Int64, overview: GridOverview)?>(nil)
    private let rows = Mutex<(now: Int64, clusters: [String: [GridOverview.HostRow]])>((0, [:]))

    func overview(now: Int64, build: () -> GridOverview) -> GridOverview {
        if let cached = latest.withLock({ $0 }), cached.now == now { return cached.overview }
        let built = build()
        latest.withLock { $0 = (now, built) }
        return built
    }

    func hostRows(cluster: String, now: Int64, build: () -> [GridOverview.HostRow]) -> [GridOverview.HostRow] {
        if let cached = rows.withLock({ $0.now == now ? $0.clusters[cluster] : nil }) { return cached }
        let built = build()
        rows.withLock { rows in
            if rows.now != now { rows = (now, [:]) }
            rows.clusters[cluster] = built
        }
        return built
    }
}
