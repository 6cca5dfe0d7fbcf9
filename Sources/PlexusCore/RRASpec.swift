/// One round-robin archive of an RRD file (`RRA:AVERAGE:0.5:1:5856`), as gmetad.conf's `RRAs`
/// lists them. Pure: configuration parses it, the archive layer creates files with it.
public struct RRASpec: Sendable, Hashable, CustomStringConvertible {
    public var consolidation: String
    public var xff: Double
    public var steps: Int
    public var rows: Int

    public init(consolidation: String = "AVERAGE", xff: Double = 0.5, steps: Int, rows: Int) {
        self.consolidation = consolidation
        self.xff = xff
        self.steps = steps
        self.rows = rows
    }

    /// Parses `RRA:CF:xff:steps:rows`; nil when it isn't one.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "RRA", ["AVERAGE", "MIN", "MAX", "LAST"].contains(parts[1]),
            let xff = Double(parts[2]), (0..<1).contains(xff),
            let steps = Int(parts[3]), steps > 0, let rows = Int(parts[4]), rows > 0
        else { return nil }
        self.init(consolidation: String(parts[1]), xff: xff, steps: steps, rows: rows)
    }

    public var description: String {
        "RRA:\(consolidation):\(xff):\(steps):\(rows)"
    }

    /// gmetad's default archives: a day at one step, 14 days at 4 steps, a year at 40 steps
    /// (for a 15 s step: 24.4 h at 15 s, 14 days at 1 min, 366 days at 10 min).
    public static let gmetadDefaults = [
        RRASpec(steps: 1, rows: 5856), RRASpec(steps: 4, rows: 20160), RRASpec(steps: 40, rows: 52704),
    ]
}
