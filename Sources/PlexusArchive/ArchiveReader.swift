import PlexusCore
import ServiceLifecycle
import Synchronization

/// Reads the archive for the CLI, the JSON API and the dashboard: fetch and xport of series, file
/// info, and graphs. Every librrd call runs on the reader's own threads:
///
/// - `fetch`, `info`, `lastUpdate` on a read thread;
/// - `rrd_xport` and `rrd_graph_v` on a graph thread, so a slow render never holds up a fetch
///   (those two are not thread-safe; `LibRRD` serializes them process-wide).
///
/// With rrdcached, each file is flushed (`FLUSH`) before it is read, so what is read is current.
/// With a live tail, graphs and exports read their files through it instead
/// (`LiveTailFetch`): the rows a file doesn't have yet come from the tail and, for a file further
/// behind than the tail reaches, from what rrdcached holds for it (`PENDING`): never a `FLUSH`.
public final class ArchiveReader: Service, Sendable {
    public let store: ArchiveStore
    private let reads: ReaderLane
    private let graphs: ReaderLane
    /// Graphs and exports splice this onto the files (nil: they read the files alone).
    public let tail: LiveTail?

    public init(store: ArchiveStore, rrdcached: RRDCachedAddress? = nil, tail: LiveTail? = nil) {
        self.store = store
        self.tail = tail
        reads = ReaderLane(name: "plexus-archive-read", rrdcached: rrdcached)
        graphs = ReaderLane(name: "plexus-archive-graph", rrdcached: rrdcached)
        if let tail {
            var pending: (@Sendable (String) -> [String])? = nil
            if let rrdcached {
                let source = TailPending(address: rrdcached)
                pending = { path in source.pending(path) }
            }
            LiveTailFetch.install(LiveTailFetch.Context(tail: tail, layout: store.layout, pending: pending))
        }
    }

    /// `arguments` as librrd reads them: through the tail when there is one.
    private func spliced(_ arguments: [String]) -> [String] {
        tail == nil ? arguments : TailSplice.throughTail(arguments)
    }

    /// The values of one archive between `start` and `end` (seconds since the epoch), at the
    /// given resolution in seconds (0: the finest the file holds for that range). Columns are
    /// `sum` (and `num` for summaries).
    public func fetch(_ key: ArchiveKey, start: Int64, end: Int64, resolution: Int = 0, consolidation: String = "AVERAGE") async throws(RRDError) -> RRDSeries {
        let path = try store.path(of: key)
        let functions = store.functions
        let range = Self.aligned(start: start, end: end, resolution: resolution)
        return try await reads.run { lane in
            try lane.flush([path])
            return try RRDError.retryingLocked { () throws(RRDError) in
                try functions.fetch(path: path, consolidation: consolidation, start: range.start, end: range.end, resolution: max(resolution, 1))
            }
        }
    }

    /// Several series on one time grid (`rrd_xport`): one column per entry, legends as given.
    public func xport(_ series: [SeriesDefinition], start: Int64, end: Int64, step: Int? = nil, maxRows: Int? = nil) async throws(RRDError) -> RRDSeries {
        guard !series.isEmpty else { throw RRDError(.refused, message: "xport of no series") }
        var arguments = ["--start", String(start), "--end", String(end)]
        if let step { arguments += ["--step", String(step)] }
        if let maxRows { arguments += ["--maxrows", String(maxRows)] }
        var paths: [String] = []
        for (index, definition) in series.enumerated() {
            let path = try store.path(of: definition.key)
            paths.append(path)
            arguments.append(GraphArguments.def("s\(index)", path: path, dataSource: definition.dataSource, consolidation: definition.consolidation))
            arguments.append("XPORT:s\(index):" + GraphArguments.escapeText(definition.legend))
        }
        let functions = store.functions
        let request = (arguments: spliced(arguments), paths: tail == nil ? paths : [])
        return try await graphs.run { lane in
            try lane.flush(request.paths)
            return try RRDError.retryingLocked { () throws(RRDError) in try functions.xport(arguments: request.arguments) }
        }
    }

    /// The series of an `ExportArguments` on one time grid.
    public func export(_ export: ExportArguments) async throws(RRDError) -> RRDSeries {
        let functions = store.functions
        let request = (arguments: spliced(export.arguments), paths: tail == nil ? export.paths : [])
        return try await graphs.run { lane in
            try lane.flush(request.paths)
            return try RRDError.retryingLocked { () throws(RRDError) in try functions.xport(arguments: request.arguments) }
        }
    }

    /// librrd's info for one file.
    public func info(_ key: ArchiveKey) async throws(RRDError) -> RRDInfo {
        try await readFile(key) { functions, path throws(RRDError) in try functions.info(path: path) }
    }

    /// The time and values of a file's last update.
    public func lastUpdate(_ key: ArchiveKey) async throws(RRDError) -> RRDLastUpdate {
        try await readFile(key) { functions, path throws(RRDError) in try functions.lastUpdate(path: path) }
    }

    /// On the read thread: flush the file, then `body`, retried while another process locks it.
    private func readFile<T: Sendable>(
        _ key: ArchiveKey, _ body: @escaping @Sendable (any RRDFunctions, String) throws(RRDError) -> T
    ) async throws(RRDError) -> T {
        let path = try store.path(of: key)
        let functions = store.functions
        return try await reads.run { lane in
            try lane.flush([path])
            return try RRDError.retryingLocked { () throws(RRDError) in try body(functions, path) }
        }
    }

    /// Renders a graph built by `GraphArguments` (PNG or SVG in memory).
    public func render(_ graph: GraphArguments) async throws(RRDError) -> RenderedGraph {
        let functions = store.functions
        let request = (arguments: spliced(graph.arguments), paths: tail == nil ? graph.paths : [])
        return try await graphs.run { lane in
            try lane.flush(request.paths)
            let info = try RRDError.retryingLocked { () throws(RRDError) in try functions.graph(arguments: request.arguments) }
            guard case .blob(let image) = info["image"], !image.isEmpty else {
                throw RRDError(.library(function: "rrd_graph_v"), message: "no image in the result")
            }
            return RenderedGraph(
                image: image, format: graph.format,
                width: info.integer("image_width") ?? 0, height: info.integer("image_height") ?? 0,
                valueMin: info.double("value_min"), valueMax: info.double("value_max")
            )
        }
    }

    /// Ends the reader's threads after the requests already queued.
    public func shutdown() async {
        await reads.thread.stop()
        await graphs.thread.stop()
    }

    /// As a service: runs until graceful shutdown, then ends its threads (the aggregator's web
    /// side stops first, so no request is left waiting).
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }

    /// rrdtool wants start and end on multiples of the resolution to pick that resolution.
    static func aligned(start: Int64, end: Int64, resolution: Int) -> (start: Int64, end: Int64) {
        guard resolution > 1 else { return (start, end) }
        let r = Int64(resolution)
        let alignedStart = start >= 0 ? start / r * r : ((start - r + 1) / r) * r
        let alignedEnd = end % r == 0 ? end : (end / r + 1) * r
        return (alignedStart, max(alignedEnd, alignedStart + r))
    }
}

/// One series of an xport: which file, which data source (`sum`, or `num` for summaries) and
/// its legend.
public struct SeriesDefinition: Sendable, Hashable {
    public var key: ArchiveKey
    public var dataSource: String
    public var consolidation: String
    public var legend: String

    public init(key: ArchiveKey, dataSource: String = "sum", consolidation: String = "AVERAGE", legend: String? = nil) {
        self.key = key
        self.dataSource = dataSource
        self.consolidation = consolidation
        self.legend = legend ?? key.metric.rawValue
    }
}

/// A rendered graph.
public struct RenderedGraph: Sendable, Equatable {
    public var image: [UInt8]
    public var format: GraphArguments.ImageFormat
    /// Pixels of the whole image (graph area, axes, legend).
    public var width: Int
    public var height: Int
    public var valueMin: Double?
    public var valueMax: Double?
}

/// The live tail's rrdcached connection, for what rrdcached holds of the files the tail can't
/// cover (used from inside librrd's fetch callback, one graph or export at a time).
final class TailPending: Sendable {
    private let client: Mutex<RRDCachedClient>

    init(address: RRDCachedAddress) {
        client = Mutex(RRDCachedClient(address: address, timeout: .seconds(10)))
    }

    /// rrdcached's `PENDING` lines for the file; none when it can't be asked.
    func pending(_ path: String) -> [String] {
        client.withLock { client in
            do {
                return try client.pending(path)
            } catch {
                client.close()
                return []
            }
        }
    }
}

/// A reader thread with its own rrdcached connection for `FLUSH`.
final class ReaderLane: @unchecked Sendable {
    let thread: ArchiveThread
    // Used only on `thread`.
    private let client: RRDCachedClient?

    init(name: String, rrdcached: RRDCachedAddress?) {
        thread = ArchiveThread(name: name)
        client = rrdcached.map { RRDCachedClient(address: $0, timeout: .seconds(10)) }
    }

    func run<T: Sendable>(_ body: @escaping @Sendable (ReaderLane) throws -> T) async throws(RRDError) -> T {
        do {
            return try await thread.run { [self] in try body(self) }
        } catch let error as RRDError {
            throw error
        } catch {
            throw RRDError(.refused, message: "\(error)")
        }
    }

    /// Makes the files current: rrdcached writes what it holds for them. A daemon that can't be
    /// reached is not an error for a read (the file is read as it is on disk).
    func flush(_ paths: [String]) throws(RRDError) {
        guard let client else { return }
        for path in paths {
            do {
                try client.flush(path)
            } catch  where error.kind == .connection {
                client.close()
                return
            }
        }
    }
}
