import PlexusCore

/// One source of metrics (CPU, memory, load...). A collector may keep the previous sample to
/// compute rates and percentages, so it is a value its owner keeps between calls.
public protocol Collector: Sendable {
    /// The metrics this collector provides.
    var definitions: [MetricDefinition] { get }
    /// Reads the system and returns the current value of each of its metrics it can give.
    /// `now` is a monotonic time in seconds, for rates. A rate needs two samples: the first call
    /// may return fewer metrics.
    mutating func sample(_ proc: HostSystem, now: Double) throws(CollectorError) -> [String: MetricValue]
}

/// Parsing helpers shared by the collectors.
enum ProcText {
    /// The lines of a /proc file split into whitespace-separated fields.
    static func fields(_ text: String) -> [[Substring]] {
        text.split(separator: "\n").map { $0.split(whereSeparator: { $0 == " " || $0 == "\t" }) }
    }

    /// `Key:   value kB` lines (meminfo) as a dictionary of the first number on each line.
    static func keyedNumbers(_ text: String) -> [Substring: Double] {
        var result: [Substring: Double] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let rest = line[line.index(after: colon)...].split(separator: " ", omittingEmptySubsequences: true)
            if let first = rest.first, let number = Double(first) { result[line[..<colon]] = number }
        }
        return result
    }
}
