import PlexusCore

/// The simplest plugin output (`format = "gmetric"`), one metric a line, in gmetric's words:
///
/// ```
/// NAME VALUE [TYPE [UNITS...]]        queue_depth 12 uint32 jobs
/// # a comment                         motd "all quiet" string
/// ```
///
/// TYPE is one of Ganglia's (`string`, `int8` … `uint32`, `float`, `double`, `timestamp`);
/// without it a number is a `double` and anything else a `string`. A value with spaces is
/// written in double quotes (`\"` and `\\` inside). A bad line is reported with its number and
/// skipped; the rest is kept.
public enum GmetricLines {
    public struct Line: Sendable, Equatable {
        public var name: MetricName
        public var value: String
        public var type: MetricType
        public var units: String

        public init(name: MetricName, value: String, type: MetricType, units: String = "") {
            self.name = name
            self.value = value
            self.type = type
            self.units = units
        }
    }

    public struct Parsed: Sendable, Equatable {
        public var lines: [Line] = []
        public var problems: [PrometheusText.Problem] = []
    }

    /// Lines at most (more are reported once), and bytes a line.
    public static let maxLines = 10_000
    public static let maxLineBytes = 4096

    public static func parse(_ text: Substring) -> Parsed {
        var parsed = Parsed()
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let line = (raw.hasSuffix("\r") ? raw.dropLast() : raw).drop(while: { $0 == " " || $0 == "\t" })
            guard !line.isEmpty, line.first != "#" else { continue }
            func fail(_ reason: String) { parsed.problems.append(PrometheusText.Problem(line: number, reason: reason)) }
            guard line.utf8.count <= maxLineBytes else {
                fail("longer than \(maxLineBytes) bytes")
                continue
            }
            guard parsed.lines.count < maxLines else {
                fail("more than \(maxLines) metrics")
                break
            }
            guard let words = Self.words(line), words.count >= 2 else {
                fail("expected NAME VALUE [TYPE [UNITS]]")
                continue
            }
            guard let name = MetricName(validating: words[0]) else {
                fail("\(words[0].debugDescription) can't be a metric name")
                continue
            }
            let value = words[1]
            var type: MetricType = Double(value) != nil ? .double : .string
            if words.count > 2 {
                guard let given = MetricType(rawValue: words[2]) else {
                    fail("\(words[2].debugDescription) is not a Ganglia type (string, int8 ... uint32, float, double, timestamp)")
                    continue
                }
                type = given
            }
            if type.isNumeric, Double(value) == nil {
                fail("\(name): \(value.debugDescription) is not a number for type \(type.rawValue)")
                continue
            }
            parsed.lines.append(Line(name: name, value: value, type: type, units: words.dropFirst(3).joined(separator: " ")))
        }
        return parsed
    }

    /// Words split on blanks, a double-quoted word kept whole (`\"`, `\\` inside); nil when a
    /// quote isn't closed.
    static func words(_ line: Substring) -> [String]? {
        var words: [String] = []
        var rest = line[...]
        while true {
            rest = rest.drop(while: { $0 == " " || $0 == "\t" })
            guard let first = rest.first else { return words }
            if first == "\"" {
                rest = rest.dropFirst()
                guard case .success(let word) = QuotedText.read(&rest, escapes: ["\"": "\"", "\\": "\\"], strict: false) else { return nil }
                words.append(word)
            } else {
                let word = rest.prefix(while: { $0 != " " && $0 != "\t" })
                words.append(String(word))
                rest = rest.dropFirst(word.count)
            }
        }
    }
}
