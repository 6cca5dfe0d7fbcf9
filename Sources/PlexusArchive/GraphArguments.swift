import PlexusCore

/// The arguments of `rrd_graph_v` for a `GraphRequest`, built without I/O: the caller says which
/// archive files exist, and series whose files are missing are left out (a host without swap
/// still gets a memory report).
///
/// Every piece of text that comes from a name or an event is escaped for rrdtool's argument
/// syntax (`:` separates fields). There is no shell anywhere: each argument is one argv entry.
public struct GraphArguments: Sendable, Equatable {
    public enum ImageFormat: String, Sendable, Hashable, CaseIterable {
        case png = "PNG", svg = "SVG"
    }

    /// For `rrd_graph_v`, starting with the output `-` (in memory).
    public var arguments: [String]
    /// The archive files the graph reads (flushed first when rrdcached is in use).
    public var paths: [String]
    public var format: ImageFormat

    /// Builds the arguments; `now` fixes named ranges, `exists` tells which files are there and
    /// `listing` which files a directory holds (the probes report draws whatever probes it finds).
    public init(
        _ request: GraphRequest, layout: RRDLayout, now: Int64, exists: @escaping (String) -> Bool,
        listing: @escaping (String) -> [String] = { _ in [] }
    ) throws(RRDError) {
        guard (10...8000).contains(request.width), (10...8000).contains(request.height) else {
            throw RRDError(.refused, message: "graph size \(request.width)×\(request.height) is out of range (10…8000)")
        }
        let (start, end, plan) = try Self.plan(request, layout: layout, now: now, exists: exists, listing: listing)
        var arguments = [
            "-", "--imgformat", request.format.rawValue, "--start", String(start), "--end", String(end),
            "--width", String(request.width), "--height", String(request.height), "--slope-mode",
            "--title", request.title ?? Self.defaultTitle(request),
        ]
        arguments += plan.options
        arguments += plan.definitions
        arguments += plan.statistics
        // Events first, so bands sit behind the data; lines are drawn last, on top.
        let shown = request.events.filter { $0.start <= end && ($0.end ?? $0.start) >= start }.prefix(50)
        for (i, event) in shown.enumerated() {
            if let stop = event.end, stop > event.start {
                arguments.append("CDEF:event\(i)=\(plan.anchor),POP,TIME,\(event.start),GE,TIME,\(stop),LE,*,INF,UNKN,IF")
                arguments.append("AREA:event\(i)\(event.color)22")
            }
        }
        arguments += plan.drawing
        for event in shown {
            arguments.append("VRULE:\(event.start)\(event.color):\(Self.escapeText(event.text)):dashes")
        }
        self.arguments = arguments
        self.paths = plan.paths
        self.format = request.format
    }

    /// The time bounds and the series of `request`, or why there is nothing to draw.
    static func plan(
        _ request: GraphRequest, layout: RRDLayout, now: Int64, exists: @escaping (String) -> Bool,
        listing: @escaping (String) -> [String]
    ) throws(RRDError) -> (start: Int64, end: Int64, plan: GraphPlan) {
        let (start, end) = request.range.bounds(now: now)
        guard end > start else { throw RRDError(.refused, message: "the end (\(end)) is not after the start (\(start))") }
        let location = request.subject.location
        let directory = layout.directory(of: location)
        var plan = GraphPlan(layout: layout, location: location, exists: exists, listing: { listing(directory) })
        switch request.content {
        case .metric(let metric): plan.metric(metric)
        case .report(let report): plan.report(report)
        }
        guard !plan.series.isEmpty else {
            throw RRDError(.refused, path: directory, message: "no archive for \(Self.describe(request.content)) here")
        }
        return (start, end, plan)
    }

    /// `DEF:vname=path:ds:CF` with the path's `:` escaped (rrdtool un-escapes only `\:`; a
    /// backslash before anything else is kept as it is, checked with rrdtool 1.7.2).
    static func def(_ name: String, path: String, dataSource: String = "sum", consolidation: String = "AVERAGE") -> String {
        "DEF:\(name)=\(escapePath(path)):\(dataSource):\(consolidation)"
    }

    static func escapePath(_ path: String) -> String {
        var out = ""
        for c in path {
            if c == ":" { out.append("\\") }
            out.append(c)
        }
        return out
    }

    /// Legend and label text: `:` escaped, `\` (rrdtool's formatting escapes) and `%` made harmless.
    static func escapeText(_ text: String) -> String {
        var out = ""
        for c in text.prefix(200) {
            switch c {
            case ":": out += "\\:"
            case "\\": out += "/"
            case "\n", "\r", "\t": out += " "
            default: out.append(c)
            }
        }
        return out
    }

    static func describe(_ content: GraphRequest.Content) -> String {
        switch content {
        case .metric(let m): "metric \(m)"
        case .report(let r): "the \(r.rawValue) report"
        }
    }

    static func defaultTitle(_ request: GraphRequest) -> String {
        let what =
            switch request.content {
            case .metric(let m): m.rawValue
            case .report(let r): "\(r.rawValue) report"
            }
        let whose =
            switch request.subject {
            case .host(let c, let h): "\(h) (\(c))"
            case .cluster(let c): "cluster \(c)"
            case .grid(let g?): "grid \(g)"
            case .grid(nil): "grid"
            }
        let when =
            switch request.range {
            case .last(let r): "last \(r.rawValue)"
            case .between: "custom range"
            }
        return "\(whose) \(what), \(when)"
    }
}

/// The arguments of `rrd_xport` for the series a `GraphRequest` would draw: the same DEFs and
/// CDEFs (so an export says exactly what the graph shows: CPU as percent, memory in bytes,
/// summaries' CPU as the mean over hosts), one XPORT per series.
public struct ExportArguments: Sendable, Equatable {
    public var arguments: [String]
    public var paths: [String]
    /// Column names, in XPORT order.
    public var columns: [String]

    /// `step` asks for a resolution (rrdtool picks the archive that has it, or the next coarser).
    public init(
        _ request: GraphRequest, layout: RRDLayout, now: Int64, step: Int? = nil, exists: @escaping (String) -> Bool,
        listing: @escaping (String) -> [String] = { _ in [] }
    ) throws(RRDError) {
        let (start, end, plan) = try GraphArguments.plan(request, layout: layout, now: now, exists: exists, listing: listing)
        // An explicit step that asks for more rows than the cap is refused (the caller says so);
        // without one, librrd picks the archive and consolidates to at most the cap.
        if let step, let problem = TimeLimits().problem(step: step, start: start, end: end) {
            throw RRDError(.refused, message: problem)
        }
        var arguments = ["--start", String(start), "--end", String(end), "--maxrows", String(TimeLimits.maxRows)]
        if let step { arguments += ["--step", String(step)] }
        arguments += plan.definitions
        for export in plan.exports {
            arguments.append("XPORT:\(export.name):" + GraphArguments.escapeText(export.column))
        }
        self.arguments = arguments
        paths = plan.paths
        columns = plan.exports.map(\.column)
    }
}
