import Foundation
import Hummingbird
import NIOCore
import NIOPosix
import PlexusAlerts
import PlexusArchive
import PlexusCore
import PlexusStatus
import PlexusTransport
import PlexusViews
import Synchronization

/// What the web side reads, handed in by the aggregator: snapshots of its state and status,
/// where the archive and the events journal are, and the web's own settings.
public struct WebInputs: Sendable {
    /// The grid now (a copy; the aggregator keeps publishing).
    public var grid: @Sendable () -> GridState
    /// The aggregator's counters, for `/metrics`.
    public var status: @Sendable () -> AggregatorStatus
    public var layout: RRDLayout
    public var rrdcached: RRDCachedAddress?
    public var events: EventFile {
        didSet { journal = EventJournalReader(file: events) }
    }
    /// The journal as read so far: graphs and the events API read only what was appended since.
    private(set) var journal: EventJournalReader
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
    /// Which times graphs and series may cover (from the archives' RRAs).
    public var timeLimits = TimeLimits()
    /// The alerts pending and firing as of the latest evaluation (none without rules).
    public var alerts: @Sendable () -> [ActiveAlert] = { [] }

    public init(
        grid: @escaping @Sendable () -> GridState, status: @escaping @Sendable () -> AggregatorStatus, layout: RRDLayout,
        rrdcached: RRDCachedAddress? = nil, events: EventFile, eventsToken: String? = nil, trusted: [CIDRBlock] = [],
        hostValuesInMetrics: Bool = false, wallScreen: AggregatorConfiguration.WallScreen = .init(),
        clock: @escaping @Sendable () -> Int64 = WallClock.seconds
    ) {
        self.grid = grid
        self.status = status
        self.layout = layout
        self.rrdcached = rrdcached
        self.events = events
        journal = EventJournalReader(file: events)
        self.eventsToken = eventsToken
        self.trusted = trusted
        self.hostValuesInMetrics = hostValuesInMetrics
        self.wallScreen = wallScreen
        self.clock = clock
    }

    /// Graphs being drawn: identical requests share a render, at most 16 different ones at once
    /// (`GraphRoutes`).
    let graphRenders = SingleFlight<GraphRequest, [UInt8]>(limit: 16)

    /// Built at most once a second, however many pages and API calls ask.
    let overviews = SecondCache<GridOverview>(budget: 1)
    let rows = SecondCache<[HostEntry]>(budget: 1024)
    let metricValues = SecondCache<[String: MetricValueText]>(budget: 1024)
    /// Whole answers by URI; at most 16 MiB of them, thirty 1,000-host cluster pages (a flood
    /// of distinct URIs renders each page and keeps none past the budget).
    let responses = SecondCache<ByteBuffer>(budget: 16 << 20, cost: { $0.readableBytes })

    /// The grid at `now`, as rows (`GridOverview`).
    func overview(now: Int64) -> GridOverview {
        overviews.value("", now: now) { GridOverview(grid().document(now: now)) }
    }

    /// A cluster's hosts at `now`, by name, made once per second: the rows, and each name made
    /// ready for the page (a thousand hosts' rows and names were half a cluster page's cost).
    func hosts(cluster: String, now: Int64) -> [HostEntry] {
        rows.value(cluster, now: now) { overview(now: now).hostRows(cluster: cluster).map(HostEntry.init) }
    }
}

extension WebInputs {
    /// The events now: the kept replay when the journal hasn't grown (one `stat`), else read
    /// off the event loops (the first read of a long journal takes a while).
    func currentEvents() async throws -> EventJournal.Replay {
        if let unchanged = journal.unchangedReplay() { return unchanged }
        do {
            return try await NIOThreadPool.singleton.runIfActive { [journal] in try journal.current() }
        } catch {
            throw WebError(.internalServerError, "cannot read the events: \(error)")
        }
    }
}

extension WebInputs {
    /// Each host's value of `metric` in `cluster` at `now`, by host name, made once a second
    /// by `make` (the views of one metric in other ranges, sizes, sorts or filters share it).
    func values(of metric: String, cluster: String, now: Int64, make: () -> [String: MetricValueText]) -> [String: MetricValueText] {
        metricValues.value(cluster + "\u{0}" + metric, now: now, make: make)
    }
}

extension WebInputs {
    /// `build`'s text as the answer to `request` with `type`, shared by the requests of the same
    /// second for the same URI.
    /// Work that lists directories or touches files, on NIO's thread pool: the event loops run
    /// every connection (and, in the aggregator, every Swift task).
    func offLoop<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(work)
    }

    /// As `cached`, with the page built off the event loops (it reads the archive's directories).
    func cachedOffLoop(_ request: Request, type: String, _ build: @escaping @Sendable () throws -> String) async throws -> Response {
        let (uri, now, responses) = (request.uri.description, clock(), responses)
        // This second's page is answered here; only one to build goes to the pool.
        let body: ByteBuffer
        if let kept = responses.kept(uri, now: now) {
            body = kept
        } else {
            body = try await offLoop { try responses.value(uri, now: now) { ByteBuffer(string: try build()) } }
        }
        return Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-store"], body: .init(byteBuffer: body))
    }

    func cached(_ request: Request, type: String, _ build: () throws -> String) rethrows -> Response {
        let body = try responses.value(request.uri.description, now: clock()) { ByteBuffer(string: try build()) }
        return Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-store"], body: .init(byteBuffer: body))
    }
}
