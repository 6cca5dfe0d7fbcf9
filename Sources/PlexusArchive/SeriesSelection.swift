import Foundation
import PlexusCore

/// What an operator asks to draw or export, as text (CLI options, URL parameters), checked
/// against an archive: whose (`cluster`, `host`, `grid`, or the whole grid), which series
/// (`metric` or `report`) and when (`range`, or `start`/`end`). `plexus graph`/`export` and the
/// web's `/graph.png` and series API share it, so they accept the same words and refuse the same
/// things with the same messages.
public struct SeriesSelection: Sendable, Equatable {
    public var cluster: String?
    public var host: String?
    public var grid: String?
    public var metric: String?
    public var report: String?
    public var range: String?
    public var start: String?
    public var end: String?

    public init(
        cluster: String? = nil, host: String? = nil, grid: String? = nil, metric: String? = nil, report: String? = nil,
        range: String? = nil, start: String? = nil, end: String? = nil
    ) {
        self.cluster = cluster
        self.host = host
        self.grid = grid
        self.metric = metric
        self.report = report
        self.range = range
        self.start = start
        self.end = end
    }

    /// Why a selection can't be drawn: always the asker's mistake (unknown name, bad time).
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
        init(_ message: String) { self.message = message }
    }

    static let reports = GraphRequest.Report.allCases.map(\.rawValue).joined(separator: ", ")

    /// Contradictions between the parts, before anything is looked up.
    public func problem() -> String? {
        if metric != nil && report != nil { return "give a metric or a report, not both" }
        if metric == nil && report == nil { return "say what to show: a metric, or a report (\(Self.reports))" }
        if range != nil && (start != nil || end != nil) { return "a range excludes a start and an end" }
        if grid != nil && (cluster != nil || host != nil) { return "a grid excludes a cluster and a host" }
        return nil
    }

    /// The subject, content and time range, checked against `catalog`.
    /// `labels` name the start and end in messages (`--start` on a command line).
    public func request(
        catalog: ArchiveCatalog, now: Int64, timeZone: TimeZone = .current,
        labels: (start: String, end: String) = ("start", "end"), limits: TimeLimits = TimeLimits()
    ) throws(Invalid) -> GraphRequest {
        if let problem = problem() { throw Invalid(problem) }
        let range = try timeRange(now: now, timeZone: timeZone, labels: labels, limits: limits)
        return GraphRequest(subject: try subject(in: catalog), content: try content(), range: range)
    }

    public func subject(in catalog: ArchiveCatalog) throws(Invalid) -> GraphRequest.Subject {
        let layout = catalog.layout
        if let grid {
            let name: GridName = try Self.name(grid)
            guard FileManager.default.fileExists(atPath: layout.directory(of: .gridSummary(name))) else {
                throw Invalid("unknown grid \(grid.debugDescription): no summary archive for it under \(layout.rootDirectory)")
            }
            return .grid(name)
        }
        var clusterText = cluster
        if clusterText == nil, let host {
            let holding = catalog.clusters(holding: host)
            switch holding.count {
            case 0: throw Invalid("unknown host \(host.debugDescription): no cluster under \(layout.rootDirectory) has it")
            case 1: clusterText = holding[0]
            default: throw Invalid("host \(host.debugDescription) is in clusters \(holding.joined(separator: ", ")): say which cluster")
            }
        }
        guard let clusterText else { return .grid(nil) }
        let cluster: ClusterName = try Self.name(clusterText)
        let known = catalog.clusters()
        guard known.contains(cluster.rawValue) else {
            throw Invalid("unknown cluster \(clusterText.debugDescription) (archived: \(known.joined(separator: ", ")))")
        }
        guard let host else { return .cluster(cluster) }
        let hostName: HostName = try Self.name(host)
        guard FileManager.default.fileExists(atPath: layout.directory(of: .host(cluster, hostName))) else {
            throw Invalid("unknown host \(host.debugDescription) in cluster \(cluster)")
        }
        return .host(cluster, hostName)
    }

    public func content() throws(Invalid) -> GraphRequest.Content {
        if let metric { return .metric(try Self.name(metric)) }
        guard let report = report.flatMap(GraphRequest.Report.init(rawValue:)) else {
            throw Invalid("unknown report \((report ?? "").debugDescription) (known: \(Self.reports))")
        }
        return .report(report)
    }

    /// The time range, within `limits` (checked here, before anything reaches librrd).
    public func timeRange(
        now: Int64, timeZone: TimeZone = .current, labels: (start: String, end: String) = ("start", "end"),
        limits: TimeLimits = TimeLimits()
    ) throws(Invalid) -> GraphRequest.TimeRange {
        if let start {
            let from = try Self.time(start, labels.start, now: now, timeZone: timeZone)
            let to = try end.map { text throws(Invalid) in try Self.time(text, labels.end, now: now, timeZone: timeZone) } ?? now
            guard to > from else { throw Invalid("the end (\(to)) is not after the start (\(from))") }
            if let problem = limits.problem(start: from, end: to, now: now, labels: labels) { throw Invalid(problem) }
            return .between(start: from, end: to)
        }
        if end != nil { throw Invalid("\(labels.end) needs \(labels.start)") }
        guard let named = GraphRequest.NamedRange(rawValue: range ?? "hour") else {
            throw Invalid(
                "unknown range \((range ?? "").debugDescription) (known: \(GraphRequest.NamedRange.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return .last(named)
    }

    /// The events a graph of `subject` shows.
    public static func scope(of subject: GraphRequest.Subject) -> Event.Scope {
        switch subject {
        case .host(let c, let h): .host(cluster: c.rawValue, host: h.rawValue)
        case .cluster(let c): .cluster(c.rawValue)
        case .grid: .grid
        }
    }

    /// A time as `TimeSpec` reads it; `what` names it in the message (`start`, `--since`...).
    public static func time(_ text: String, _ what: String, now: Int64, timeZone: TimeZone = .current) throws(Invalid) -> Int64 {
        do {
            return try TimeSpec.parse(text, now: now, timeZone: timeZone)
        } catch {
            throw Invalid("\(what): \(error)")
        }
    }

    /// A name the archive can hold; why not, otherwise (`..`, `/`, control characters...).
    static func name<Kind>(_ text: String) throws(Invalid) -> Name<Kind> {
        do {
            return try Name<Kind>(text)
        } catch {
            throw Invalid("\(error)")
        }
    }
}

extension GraphRequest {
    /// Marks the events a graph of this subject and range shows (its scope, overlapping it).
    public mutating func mark(_ journal: [Event], now: Int64) {
        let (start, end) = range.bounds(now: now)
        events = Event.select(journal, start: start, end: end, scope: SeriesSelection.scope(of: subject)).map(GraphEvent.init)
    }
}
