import PlexusCore

/// Which times a graph or a series may cover, checked before librrd is called
/// (`docs/security.md`). Without them one URL (`start=1000000000&end=5000000000`) made librrd
/// allocate 7.9 GB while every other graph waited, and a time before the archives existed came
/// back from librrd as a 500.
///
/// - no time before `earliest` (2000-01-01) or more than `future` seconds after now;
/// - no span longer than `maxSpan`: twice what the coarsest archive covers, and at least 400
///   days so every named range (up to a year) fits;
/// - no series of more than `maxRows` rows (`ExportArguments` asks librrd for no more).
public struct TimeLimits: Sendable, Equatable {
    /// 2000-01-01T00:00:00Z.
    public static let earliest: Int64 = 946_684_800
    public static let minimumSpan: Int64 = 400 * 86_400
    /// Rows of one exported series at most.
    public static let maxRows = 60_000

    /// Seconds after now an end may lie.
    public var future: Int64 = 366 * 86_400
    /// The longest span, in seconds.
    public var maxSpan: Int64

    /// For gmetad's default archives (a year at the coarsest): two years.
    public init(maxSpan: Int64 = 2 * 366 * 86_400) {
        self.maxSpan = max(maxSpan, Self.minimumSpan)
    }

    /// For archives of `step`-second files with these RRAs.
    public init(archives: [RRASpec], step: Int) {
        let covered =
            archives.map { spec -> Int64 in
                let (steps, o1) = Int64(spec.steps).multipliedReportingOverflow(by: Int64(max(step, 1)))
                let (seconds, o2) = steps.multipliedReportingOverflow(by: Int64(spec.rows))
                return o1 || o2 ? Int64.max / 4 : seconds
            }.max() ?? 0
        self.init(maxSpan: min(covered, Int64.max / 4) * 2)
    }

    /// Why `start`…`end` can't be drawn, or nil. `labels` name the two in messages.
    public func problem(start: Int64, end: Int64, now: Int64, labels: (start: String, end: String) = ("start", "end")) -> String? {
        for (time, label) in [(start, labels.start), (end, labels.end)] {
            if let problem = problem(time: time, now: now, label: label) { return problem }
        }
        if end - start > maxSpan {
            return
                "\(end - start) seconds from \(labels.start) to \(labels.end) is longer than the \(maxSpan / 86_400) days the archives allow (ask for a shorter span)"
        }
        return nil
    }

    /// Why `time` can't be one end of a graph, or nil: before 2000-01-01, or too far ahead.
    public func problem(time: Int64, now: Int64, label: String) -> String? {
        if time < Self.earliest { return "\(label) (\(time)) is before 2000-01-01 (\(Self.earliest)): no archive reaches back that far" }
        if time > now + future { return "\(label) (\(time)) is more than \(future / 86_400) days from now" }
        return nil
    }

    /// Why `step` over `start`…`end` asks for too many rows, or nil.
    public func problem(step: Int, start: Int64, end: Int64) -> String? {
        let rows = (end - start) / Int64(max(step, 1))
        guard rows > Self.maxRows else { return nil }
        let least = (end - start + Int64(Self.maxRows) - 1) / Int64(Self.maxRows)
        return "a step of \(step) s from start to end is \(rows) rows, more than \(Self.maxRows): use a step of at least \(least) s or a shorter span"
    }
}
