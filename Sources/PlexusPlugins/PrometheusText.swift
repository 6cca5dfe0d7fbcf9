/// The Prometheus text exposition format (0.0.4), as node_exporter's textfile collector and the
/// scripts of `prometheus-node-exporter-collectors` print it, read without I/O (issue 19).
///
/// ```
/// # HELP node_inotify_instances Inotify instances per user.      (\\ and \n escaped)
/// # TYPE node_inotify_instances gauge
/// node_inotify_instances{user="root",uid="0"} 12                  (label values: \\ \" \n)
/// node_time_seconds 1.7955432e+09 1795543200000                   (optional timestamp, ms)
/// ```
///
/// A line that isn't one of these is reported with its number and skipped; the rest is kept
/// (a plugin's one bad line costs that line). Bounded: samples, line length and label count.
public enum PrometheusText {
    public enum MetricType: String, Sendable, Equatable {
        case counter, gauge, histogram, summary, untyped
    }

    public struct Label: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public struct Sample: Sendable, Equatable {
        public var name: String
        public var labels: [Label]
        public var value: Double
        /// Milliseconds since the epoch, when the line gives one.
        public var timestamp: Int64?
        /// From the sample's `# TYPE` (its family's: `x_bucket`, `x_sum`, `x_count` belong to `x`).
        public var type: MetricType
        /// From the family's `# HELP`.
        public var help: String?

        public init(name: String, labels: [Label] = [], value: Double, timestamp: Int64? = nil, type: MetricType = .untyped, help: String? = nil) {
            self.name = name
            self.labels = labels
            self.value = value
            self.timestamp = timestamp
            self.type = type
            self.help = help
        }
    }

    /// A line refused, and why.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "line \(line): \(reason)" }

        public init(line: Int, reason: String) {
            self.line = line
            self.reason = reason
        }
    }

    /// Why one line was refused.
    struct LineError: Error {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    public struct Limits: Sendable, Equatable {
        public var maxSamples = 10_000
        public var maxLineBytes = 65_536
        public var maxLabels = 64

        public init() {}
    }

    public struct Parsed: Sendable, Equatable {
        public var samples: [Sample] = []
        public var problems: [Problem] = []
        /// Samples past `Limits.maxSamples`, left out.
        public var dropped = 0

        public init() {}
    }

    public static func parse(_ text: Substring, limits: Limits = Limits()) -> Parsed {
        var parsed = Parsed()
        var types: [String: MetricType] = [:]
        var helps: [String: String] = [:]
        var number = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let line = line.hasSuffix("\r") ? line.dropLast() : line
            guard !line.allSatisfy({ $0 == " " || $0 == "\t" }) else { continue }
            guard line.utf8.count <= limits.maxLineBytes else {
                parsed.problems.append(Problem(line: number, reason: "longer than \(limits.maxLineBytes) bytes"))
                continue
            }
            if line.first == "#" {
                let words = line.dropFirst().drop(while: { $0 == " " }).split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
                guard words.count >= 2, words[0] == "HELP" || words[0] == "TYPE" else { continue }  // a comment
                let name = String(words[1])
                guard isMetricName(name) else {
                    parsed.problems.append(Problem(line: number, reason: "\(words[0]) for \(name.debugDescription), not a metric name"))
                    continue
                }
                if words[0] == "HELP" {
                    helps[name] = words.count > 2 ? unescapeHelp(words[2]) : ""
                } else if words.count > 2, let type = MetricType(rawValue: String(words[2])) {
                    types[name] = type
                } else {
                    parsed.problems.append(Problem(line: number, reason: "TYPE of \(name) is not counter, gauge, histogram, summary or untyped"))
                }
                continue
            }
            switch sample(line, maxLabels: limits.maxLabels) {
            case .failure(let error):
                parsed.problems.append(Problem(line: number, reason: error.reason))
            case .success(var sample):
                guard parsed.samples.count < limits.maxSamples else {
                    parsed.dropped += 1
                    continue
                }
                let family = Self.family(of: sample.name, types: types)
                sample.type = types[family] ?? .untyped
                sample.help = helps[family]
                parsed.samples.append(sample)
            }
        }
        return parsed
    }

    /// The family a sample belongs to: a histogram's or summary's `_bucket`, `_sum`, `_count`
    /// samples belong to the name its `# TYPE` gave.
    static func family(of name: String, types: [String: MetricType]) -> String {
        if types[name] != nil { return name }
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if let type = types[base], type == .histogram || type == .summary { return base }
        }
        return name
    }

    /// One sample line: `name[{labels}] value [timestamp]`.
    static func sample(_ line: Substring, maxLabels: Int) -> Result<Sample, LineError> {
        var rest = line.drop(while: { $0 == " " || $0 == "\t" })
        let name = String(rest.prefix(while: { $0 != "{" && $0 != " " && $0 != "\t" }))
        guard isMetricName(name) else { return .failure(LineError("\(name.debugDescription) is not a metric name")) }
        rest = rest.dropFirst(name.count)
        var labels: [Label] = []
        if rest.first == "{" {
            switch Self.labels(&rest) {
            case .failure(let error): return .failure(LineError("\(name): \(error.reason)"))
            case .success(let read): labels = read
            }
            guard labels.count <= maxLabels else { return .failure(LineError("\(name): more than \(maxLabels) labels")) }
            guard Set(labels.map(\.name)).count == labels.count else { return .failure(LineError("\(name): a label given twice")) }
        }
        let fields = rest.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count == 1 || fields.count == 2 else { return .failure(LineError("\(name): expected a value and an optional timestamp")) }
        guard let value = Self.value(fields[0]) else { return .failure(LineError("\(name): \(String(fields[0]).debugDescription) is not a number")) }
        var timestamp: Int64?
        if fields.count == 2 {
            guard let t = Int64(fields[1]) else {
                return .failure(LineError("\(name): timestamp \(String(fields[1]).debugDescription) is not whole milliseconds"))
            }
            timestamp = t
        }
        return .success(Sample(name: name, labels: labels, value: value, timestamp: timestamp))
    }

    /// `{a="x",b="y",}` at the start of `rest`, which moves past it.
    static func labels(_ rest: inout Substring) -> Result<[Label], LineError> {
        rest = rest.dropFirst()  // {
        var labels: [Label] = []
        while true {
            rest = rest.drop(while: { $0 == " " })
            if rest.first == "}" {
                rest = rest.dropFirst()
                return .success(labels)
            }
            let name = String(rest.prefix(while: { $0 != "=" && $0 != " " && $0 != "}" && $0 != "," }))
            guard isLabelName(name) else { return .failure(LineError("\(name.debugDescription) is not a label name")) }
            rest = rest.dropFirst(name.count).drop(while: { $0 == " " })
            guard rest.first == "=" else { return .failure(LineError("label \(name) without =")) }
            rest = rest.dropFirst().drop(while: { $0 == " " })
            guard rest.first == "\"" else { return .failure(LineError("label \(name)'s value is not quoted")) }
            rest = rest.dropFirst()
            let value: String
            switch QuotedText.read(&rest, escapes: ["\\": "\\", "\"": "\"", "n": "\n"], strict: true) {
            case .success(let read): value = read
            case .failure(.unknownEscape): return .failure(LineError("label \(name)'s value has an unknown escape"))
            case .failure(.notClosed): return .failure(LineError("label \(name)'s value is not closed"))
            }
            labels.append(Label(name, value))
            rest = rest.drop(while: { $0 == " " })
            if rest.first == "," { rest = rest.dropFirst() } else if rest.first != "}" { return .failure(LineError("expected , or } after label \(name)")) }
        }
    }

    /// A sample's value: Go's float syntax, `NaN`, `+Inf`, `-Inf`.
    static func value(_ text: Substring) -> Double? {
        switch text {
        case "NaN": return .nan
        case "+Inf", "Inf": return .infinity
        case "-Inf": return -.infinity
        default:
            guard let first = text.first, first.isNumber || first == "-" || first == "+" || first == "." else { return nil }
            return Double(text)
        }
    }

    static func unescapeHelp(_ text: Substring) -> String {
        var out = ""
        var escaped = false
        for c in text {
            if escaped {
                out.append(c == "n" ? "\n" : c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else {
                out.append(c)
            }
        }
        if escaped { out.append("\\") }
        return out
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`
    static func isMetricName(_ name: String) -> Bool {
        guard let first = name.utf8.first, isLetter(first) || first == UInt8(ascii: "_") || first == UInt8(ascii: ":") else { return false }
        return name.utf8.allSatisfy { isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ":") }
    }

    /// `[a-zA-Z_][a-zA-Z0-9_]*`
    static func isLabelName(_ name: String) -> Bool {
        guard let first = name.utf8.first, isLetter(first) || first == UInt8(ascii: "_") else { return false }
        return name.utf8.allSatisfy { isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "_") }
    }

    private static func isLetter(_ c: UInt8) -> Bool { (0x41...0x5A).contains(c) || (0x61...0x7A).contains(c) }
    private static func isDigit(_ c: UInt8) -> Bool { (0x30...0x39).contains(c) }
}
