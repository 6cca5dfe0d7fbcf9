import PlexusCore

/// Fills the rows a file doesn't have yet from the live tail (issue 18), as a pure function over
/// what librrd fetched: rows of `step` seconds after `start` (row `i` covers `start + i·step`
/// to `start + (i+1)·step`), one column per data source. Only unknown rows are filled, from the
/// tail's values inside the row, consolidated as the archive would (`AVERAGE`, `MINIMUM`,
/// `MAXIMUM`, `LAST`); a row the file has is never changed.
///
/// A counter (COUNTER or DERIVE archive) is drawn as a rate: the tail keeps what was polled (the
/// counter), so its rows are made of the rates between consecutive values, as librrd makes them
/// (a counter that went down has no rate).
public enum TailSplice {
    public enum Consolidation: Int, Sendable {
        case average = 0, minimum, maximum, last

        public init?(_ name: String) {
            switch name.uppercased() {
            case "AVERAGE": self = .average
            case "MIN", "MINIMUM": self = .minimum
            case "MAX", "MAXIMUM": self = .maximum
            case "LAST": self = .last
            default: return nil
            }
        }

        public var name: String { ["AVERAGE", "MIN", "MAX", "LAST"][rawValue] }
    }

    /// Fills `data` (`rows` × `columns`, row-major) in place; returns how many cells it filled.
    @discardableResult
    public static func fill(
        _ data: UnsafeMutableBufferPointer<Double>, rows: Int, columns: Int, start: Int64, step: Int, consolidation: Consolidation,
        counter: Bool, values: (Int) -> [HistoryRing.Entry]
    ) -> Int {
        guard rows > 0, columns > 0, step > 0, data.count >= rows * columns else { return 0 }
        var filled = 0
        for column in 0..<columns {
            var points = values(column)
            if counter { points = rates(points) }
            guard !points.isEmpty else { continue }
            var next = 0
            for row in 0..<rows {
                let low = start + Int64(row) * Int64(step)
                let high = low + Int64(step)
                while next < points.count, points[next].time <= low { next += 1 }
                var end = next
                while end < points.count, points[end].time <= high { end += 1 }
                let cell = row * columns + column
                guard end > next, data[cell].isNaN else { continue }
                let inside = points[next..<end].map(\.value).filter { !$0.isNaN }
                guard !inside.isEmpty else { continue }
                data[cell] =
                    switch consolidation {
                    case .average: inside.reduce(0, +) / Double(inside.count)
                    case .minimum: inside.min()!
                    case .maximum: inside.max()!
                    case .last: inside.last!
                    }
                filled += 1
            }
        }
        return filled
    }

    /// Per second between consecutive values, stamped with the later one's time.
    static func rates(_ points: [HistoryRing.Entry]) -> [HistoryRing.Entry] {
        guard points.count > 1 else { return [] }
        return zip(points, points.dropFirst()).map { a, b in
            let delta = b.value - a.value
            return HistoryRing.Entry(time: b.time, value: delta >= 0 ? delta / Double(b.time - a.time) : .nan)
        }
    }

    /// `DEF:vname=PATH:…` with `PATH` read through the splice (`cb//PATH`); other arguments as
    /// they are.
    public static func throughTail(_ arguments: [String]) -> [String] {
        arguments.map { argument in
            guard argument.hasPrefix("DEF:"), let equals = argument.firstIndex(of: "=") else { return argument }
            let after = argument.index(after: equals)
            guard !argument[after...].hasPrefix(prefix) else { return argument }
            return String(argument[..<after]) + prefix + argument[after...]
        }
    }

    /// What marks a DEF's file as spliced (librrd's fetch callback convention).
    public static let prefix = "cb//"
}
