import PlexusCore

/// What to draw: a metric or one of the standard reports, for a host, a cluster summary or the
/// grid, over a time range, at a size, with events marked. Pure value; `GraphArguments` turns it
/// into rrd_graph's arguments.
public struct GraphRequest: Sendable, Hashable {
    /// Whose archives.
    public enum Subject: Sendable, Hashable {
        case host(ClusterName, HostName)
        case cluster(ClusterName)
        /// The whole grid (`root/__SummaryInfo__`), or a federated child grid.
        case grid(GridName?)

        public var location: RRDLayout.Location {
            switch self {
            case .host(let c, let h): .host(c, h)
            case .cluster(let c): .clusterSummary(c)
            case .grid(let g?): .gridSummary(g)
            case .grid(nil): .rootSummary
            }
        }
    }

    /// ganglia-web's standard reports, in our own rendering, and the agent's probes.
    public enum Report: String, Sendable, Hashable, CaseIterable {
        case load, cpu, mem, network, probes
    }

    public enum Content: Sendable, Hashable {
        case metric(MetricName)
        case report(Report)
    }

    /// ganglia-web's named ranges (`r=`).
    public enum NamedRange: String, Sendable, Hashable, CaseIterable {
        case hour, twoHours = "2hr", fourHours = "4hr", day, week, month, year

        public var seconds: Int64 {
            switch self {
            case .hour: 3600
            case .twoHours: 7200
            case .fourHours: 14400
            case .day: 86400
            case .week: 604_800
            case .month: 2_419_200
            case .year: 31_449_600
            }
        }
    }

    public enum TimeRange: Sendable, Hashable {
        /// The last `NamedRange` up to `now`.
        case last(NamedRange)
        case between(start: Int64, end: Int64)

        public func bounds(now: Int64) -> (start: Int64, end: Int64) {
            switch self {
            case .last(let range): (now - range.seconds, now)
            case .between(let start, let end): (start, end)
            }
        }
    }

    /// ganglia-web's sizes (`z=`) of the plot area in pixels.
    public enum Size: String, Sendable, Hashable, CaseIterable {
        case small, medium, standard = "default", large, xlarge

        public var dimensions: (width: Int, height: Int) {
            switch self {
            case .small: (200, 65)
            case .medium: (300, 95)
            case .standard: (400, 100)
            case .large: (480, 150)
            case .xlarge: (650, 300)
            }
        }
    }

    public var subject: Subject
    public var content: Content
    public var range: TimeRange
    /// Plot area in pixels (rrdtool's `--width`/`--height`).
    public var width: Int
    public var height: Int
    public var title: String?
    public var format: GraphArguments.ImageFormat
    /// Deploys, incidents...: drawn as vertical lines (and a band when they have an end).
    public var events: [GraphEvent]

    public init(
        subject: Subject, content: Content, range: TimeRange = .last(.hour), size: Size = .standard, title: String? = nil,
        format: GraphArguments.ImageFormat = .png, events: [GraphEvent] = []
    ) {
        self.subject = subject
        self.content = content
        self.range = range
        (self.width, self.height) = size.dimensions
        self.title = title
        self.format = format
        self.events = events
    }
}

/// Something that happened, to mark on graphs.
public struct GraphEvent: Sendable, Hashable {
    public var start: Int64
    public var end: Int64?
    public var text: String
    /// `deploy`, `incident`, or anything else (colours differ).
    public var tag: String?

    public init(start: Int64, end: Int64? = nil, text: String, tag: String? = nil) {
        self.start = start
        self.end = end
        self.text = text
        self.tag = tag
    }

    /// An event of the journal, drawn with the first tag that has a colour of its own.
    public init(_ event: Event) {
        let tag = event.tags.first { ["deploy", "incident"].contains($0.lowercased()) } ?? event.tags.first
        self.init(start: event.start, end: event.end, text: event.text, tag: tag)
    }

    /// Line colour by tag.
    public var color: String {
        switch tag?.lowercased() {
        case "deploy": "#0066FF"
        case "incident": "#DD0000"
        default: "#888888"
        }
    }
}
