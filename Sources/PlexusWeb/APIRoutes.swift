import Foundation
import Hummingbird
import PlexusArchive
import PlexusCore
import PlexusTransport
import PlexusViews

/// `/api/v1/...`: the grid, its clusters, a cluster's hosts, a host's metrics (current values,
/// from the aggregator's state) and series (from the archive). Field names are the CLI's JSON.
struct APIRoutes {
    let inputs: WebInputs
    let reader: ArchiveReader
    /// Series being read: identical requests share one read; at most 8 different ones at once
    /// (the rest are answered 503), since they queue on the graph thread.
    let exports = SingleFlight<String, RRDSeries>(limit: 8)

    func add(to router: Routes) {
        let api = router.group("api/v1")
        let json = "application/json; charset=utf-8"
        api.get("grid") { request, _ in try inputs.cached(request, type: json) { try grid() } }
        api.get("clusters") { request, _ in try inputs.cached(request, type: json) { try JSONBody.encode(overview().clusterRows().map(ClusterJSON.init)) } }
        api.get("clusters/:cluster") { request, context in
            let name = try context.parameters.name("cluster")
            return try inputs.cached(request, type: json) { try cluster(name) }
        }
        api.get("clusters/:cluster/hosts/:host") { request, context in
            let (c, h) = (try context.parameters.name("cluster"), try context.parameters.name("host"))
            return try inputs.cached(request, type: json) { try host(c, h) }
        }
        api.get("series") { request, _ in try await series(request) }
    }

    private func overview() -> GridOverview {
        inputs.overview(now: inputs.clock())
    }

    func grid() throws -> String {
        let overview = overview()
        let summary = overview.summary(all: true)
        let grids =
            overview.grid?.children.compactMap { child -> GridJSON? in
                guard case .grid(let g) = child else { return nil }
                return GridJSON(name: g.name.rawValue, authority: g.authority, hostsUp: g.summary?.hosts.up ?? 0, hostsDown: g.summary?.hosts.down ?? 0)
            } ?? []
        return try JSONBody.encode(
            GridSummaryJSON(
                grid: summary?.name ?? "", authority: overview.grid?.authority ?? "", localtime: summary?.localtime,
                hostsUp: summary?.up ?? 0, hostsDown: summary?.down ?? 0, clusters: overview.clusterRows().map(ClusterJSON.init),
                grids: grids, metrics: (summary?.metrics ?? []).map(SummaryJSON.init)))
    }

    func cluster(_ name: String) throws -> String {
        let now = inputs.clock()
        let overview = inputs.overview(now: now)
        guard let located = overview.clusters.first(where: { $0.cluster.name.rawValue == name }),
            let row = overview.clusterRows().first(where: { $0.cluster == name })
        else { throw WebError(.notFound, "unknown cluster \(name.debugDescription)") }
        let metrics = (located.cluster.summary?.metrics ?? []).map {
            SummaryJSON(GridOverview.SummaryRow(metric: $0.name.rawValue, sum: $0.sum, num: $0.num, units: $0.units))
        }
        // Written as bytes, in the encoder's sorted order: a thousand hosts' rows.
        let metricsJSON = String(try JSONBody.encode(metrics).dropLast())
        let hosts = inputs.hosts(cluster: name, now: now)
        var text = ByteText(capacity: 512 + hosts.count * 240)
        text.putObject { object in
            object.add("bytes_in", row.bytesIn)
            object.add("bytes_out", row.bytesOut)
            object.add("cluster", row.cluster)
            object.add("cpu_used_percent", row.cpuUsedPercent)
            object.add("cpus", row.cpus)
            object.add("down", row.down)
            object.add("grid", row.grid)
            object.add("hosts") { list in
                list.put("[")
                for i in hosts.indices {
                    if i > 0 { list.put(",") }
                    HostJSON.write(hosts[i].row, to: &list)
                }
                list.put("]")
            }
            object.add("load_avg", row.loadAverage)
            object.add("localtime", located.cluster.localtime)
            object.add("mem_free_kb", row.memFreeKB)
            object.add("mem_total_kb", row.memTotalKB)
            object.add("metrics", json: metricsJSON)
            object.add("owner", located.cluster.owner)
            object.add("up", row.up)
            object.add("url", located.cluster.url)
        }
        text.put("\n")
        return text.string
    }

    func host(_ cluster: String, _ name: String) throws -> String {
        let overview = overview()
        guard let located = overview.clusters.first(where: { $0.cluster.name.rawValue == cluster }) else {
            throw WebError(.notFound, "unknown cluster \(cluster.debugDescription)")
        }
        guard let host = located.cluster.hosts.first(where: { $0.name.rawValue.lowercased() == name.lowercased() }),
            let metrics = overview.metricRows(cluster: cluster, host: name)
        else { throw WebError(.notFound, "unknown host \(name.debugDescription) in cluster \(cluster.debugDescription)") }
        return try JSONBody.encode(
            HostDetailJSON(
                cluster: cluster, host: host.name.rawValue, ip: host.ip, up: host.isUp(localtime: located.cluster.localtime),
                ageSeconds: host.tn, reported: host.reported, gmondStarted: host.gmondStarted, location: host.location,
                tags: host.tags, metrics: metrics.map(MetricJSON.init)))
    }

    /// `?cluster=&host=&grid=&metric=|report=&range=|start=&end=&step=&time=epoch|iso&format=json|csv`.
    func series(_ request: Request) async throws -> Response {
        let now = inputs.clock()
        let (layout, limits) = (inputs.layout, inputs.timeLimits)
        let graph = try await inputs.offLoop { try WebSelection.request(request, layout: layout, now: now, limits: limits) }
        let step = try request.parameter("step").map { text -> Int in
            guard let step = Int(text), step >= 1 else { throw WebError(.badRequest, "step must be a whole number of seconds") }
            let (start, end) = graph.range.bounds(now: now)
            if let problem = inputs.timeLimits.problem(step: step, start: start, end: end) { throw WebError(.badRequest, problem) }
            return step
        }
        let time =
            try request.parameter("time").map { text -> ExportText.TimeFormat in
                guard let format = ExportText.TimeFormat(rawValue: text) else { throw WebError(.badRequest, "time must be epoch or iso") }
                return format
            } ?? .epoch
        let arguments: ExportArguments
        do {
            arguments = try await inputs.offLoop { try ExportArguments(graph, catalog: ArchiveCatalog(layout: layout), now: now, step: step) }
        } catch let error as RRDError {
            throw WebError(.notFound, error.message)
        }
        let data: RRDSeries
        do {
            data = try await exports.run(arguments.arguments.joined(separator: "\n")) { [reader] in try await reader.export(arguments) }
        } catch let busy as SingleFlight<String, RRDSeries>.Busy {
            throw WebError(.serviceUnavailable, "\(busy)")
        } catch let error as RRDError {
            throw WebError(.internalServerError, "cannot read the series: \(error.message)")
        }
        if request.parameter("format") == "csv" {
            return Response(
                status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: .init(bytes: ExportText.csvBytes(data, columns: arguments.columns, time: time))))
        }
        return JSONBody.response(ExportText.json(data, columns: arguments.columns, request: graph, time: time))
    }
}

/// A graph or series request from URL parameters (the CLI's words), checked against the archive.
enum WebSelection {
    static func request(_ request: Request, layout: RRDLayout, now: Int64, limits: TimeLimits = TimeLimits()) throws -> GraphRequest {
        let selection = SeriesSelection(
            cluster: request.parameter("cluster"), host: request.parameter("host"), grid: request.parameter("grid"),
            metric: request.parameter("metric"), report: request.parameter("report"), range: request.parameter("range"),
            start: request.parameter("start"), end: request.parameter("end"))
        do {
            return try selection.request(catalog: ArchiveCatalog(layout: layout), now: now, limits: limits)
        } catch {
            throw WebError(.badRequest, error.message)
        }
    }
}

// MARK: - JSON shapes (snake_case keys, as the CLI prints them)

/// A cluster's row as `plexus query clusters --json` prints it (`GridOverview.ClusterRow.columns`).
struct ClusterJSON: Encodable {
    var row: GridOverview.ClusterRow

    init(_ row: GridOverview.ClusterRow) {
        self.row = row
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        for column in GridOverview.ClusterRow.columns {
            let key = Key(stringValue: column.key)
            switch column.cell(row) {
            case .text(let text): try c.encode(text, forKey: key)
            case .integer(let integer): try c.encode(integer, forKey: key)
            case .number(let number): try c.encodeIfPresent(number?.finite, forKey: key)
            }
        }
    }
}

struct GridJSON: Encodable {
    var name: String, authority: String, hostsUp: Int, hostsDown: Int
    enum CodingKeys: String, CodingKey { case name, authority, hostsUp = "hosts_up", hostsDown = "hosts_down" }
}

struct SummaryJSON: Encodable {
    var metric: String, sum: Double?, hosts: Int, average: Double?, units: String

    init(_ row: GridOverview.SummaryRow) {
        (metric, sum, hosts, units) = (row.metric, row.sum.finite, row.num, row.units)
        average = row.average.finite
    }
}

struct GridSummaryJSON: Encodable {
    var grid: String, authority: String, localtime: Int64?, hostsUp: Int, hostsDown: Int
    var clusters: [ClusterJSON], grids: [GridJSON], metrics: [SummaryJSON]
    enum CodingKeys: String, CodingKey {
        case grid, authority, localtime, hostsUp = "hosts_up", hostsDown = "hosts_down", clusters, grids, metrics
    }
}

/// A host's row as `plexus query hosts --json` prints it: the members of
/// `GridOverview.HostRow.columns`, in their keys' order. Written member by member because a
/// cluster's JSON holds a thousand of them: through the columns' closures each cell copied the
/// row (1.6 times the time of `/api/v1/clusters/NAME`, measured with `perf`).
/// `HostJSONTests` holds it to the columns, key for key and value for value.
enum HostJSON {
    static func write(_ row: GridOverview.HostRow, to text: inout ByteText) {
        text.putObject { object in
            object.add("age_seconds", row.age)
            object.add("bytes_in", row.bytesIn)
            object.add("bytes_out", row.bytesOut)
            object.add("cluster", row.cluster)
            object.add("cpu_used_percent", row.cpuUsedPercent)
            object.add("cpus", row.cpus)
            object.add("host", row.host)
            object.add("ip", row.ip)
            object.add("load_one", row.loadOne)
            object.add("mem_free_kb", row.memFreeKB)
            object.add("state", row.up ? "up" : "down")
        }
    }
}

struct MetricJSON: Encodable {
    var metric: String, value: String, number: Double?, units: String, ageSeconds: UInt32, group: String, title: String

    init(_ row: GridOverview.MetricRow) {
        // A NaN or an infinity has no JSON number: `number` is left out, `value` keeps the text.
        (metric, value, number, units, ageSeconds, group, title) = (row.metric, row.value, row.number?.finite, row.units, row.age, row.group, row.title)
    }

    enum CodingKeys: String, CodingKey { case metric, value, number, units, ageSeconds = "age_seconds", group, title }
}

struct HostDetailJSON: Encodable {
    var cluster: String, host: String, ip: String, up: Bool, ageSeconds: UInt32, reported: Int64, gmondStarted: Int64
    var location: String, tags: String, metrics: [MetricJSON]

    enum CodingKeys: String, CodingKey {
        case cluster, host, ip, up, ageSeconds = "age_seconds", reported, gmondStarted = "gmond_started", location, tags, metrics
    }
}
