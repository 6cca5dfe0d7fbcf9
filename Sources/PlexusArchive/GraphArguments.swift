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

    /// Builds the arguments; `now` fixes named ranges, `exists` tells which files are there.
    public init(_ request: GraphRequest, layout: RRDLayout, now: Int64, exists: @escaping (String) -> Bool) throws(RRDError) {
        let (start, end) = request.range.bounds(now: now)
        guard end > start else { throw RRDError(.refused, message: "the graph's end (\(end)) is not after its start (\(start))") }
        guard (10...8000).contains(request.width), (10...8000).contains(request.height) else {
            throw RRDError(.refused, message: "graph size \(request.width)×\(request.height) is out of range (10…8000)")
        }
        let location = request.subject.location
        var plan = GraphPlan(layout: layout, location: location, exists: exists)
        switch request.content {
        case .metric(let metric): plan.metric(metric)
        case .report(let report): plan.report(report)
        }
        guard !plan.series.isEmpty else {
            throw RRDError(.refused, path: layout.directory(of: location), message: "no archive for \(Self.describe(request.content)) here")
        }
        var arguments = [
            "-", "--imgformat", request.format.rawValue, "--start", String(start), "--end", String(end),
            "--width", String(request.width), "--height", String(request.height), "--slope-mode",
            "--title", request.title ?? Self.defaultTitle(request),
        ]
        arguments += plan.options
        arguments += plan.definitions
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
        let what = switch request.content {
        case .metric(let m): m.rawValue
        case .report(let r): "\(r.rawValue) report"
        }
        let whose = switch request.subject {
        case .host(let c, let h): "\(h) (\(c))"
        case .cluster(let c): "cluster \(c)"
        case .grid(let g?): "grid \(g)"
        case .grid(nil): "grid"
        }
        let when = switch request.range {
        case .last(let r): "last \(r.rawValue)"
        case .between: "custom range"
        }
        return "\(whose) \(what), \(when)"
    }
}
