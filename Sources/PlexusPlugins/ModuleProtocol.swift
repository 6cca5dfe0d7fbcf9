import PlexusCollectors
import PlexusCore

/// The agent's side of the pipe protocol with its Python host process (`docs/plugins.md`,
/// "gmond Python modules"): one line a message, fields separated by tabs, `\\`, `\t` and `\n`
/// escaped inside a field.
///
/// The agent writes `P NAME VALUE` (a parameter), `INIT`, `COLLECT`, `STOP`. The host answers
/// `INIT` and `COLLECT` with lines ending in `END`:
/// `D NAME VALUE_TYPE UNITS SLOPE FORMAT TIME_MAX DESCRIPTION GROUPS TITLE` (a descriptor
/// `metric_init` returned), `V NAME VALUE` (a call_back's value), `X NAME ERROR` (a call_back
/// that raised), `E MESSAGE` (the module failed as a whole: import, `metric_init`).
public enum ModuleProtocol {
    /// One descriptor of gmond's Python API, as the host reports it.
    public struct Descriptor: Sendable, Equatable {
        public var name: String
        public var valueType: String
        public var units: String
        public var slope: String
        public var format: String
        public var timeMax: String
        public var description: String
        public var groups: String
        public var title: String
    }

    /// One line from the host.
    public enum Message: Sendable, Equatable {
        case descriptor(Descriptor)
        case value(name: String, value: String)
        case callbackFailed(name: String, error: String)
        case moduleFailed(String)
        case end
    }

    /// The line for `fields`, escaped.
    public static func line(_ fields: [String]) -> String {
        fields.map(escape).joined(separator: "\t") + "\n"
    }

    /// What the agent sends to start a module: its parameters, then `INIT`.
    public static func start(params: [String: String]) -> String {
        params.sorted { $0.key < $1.key }.map { line(["P", $0.key, $0.value]) }.joined() + line(["INIT"])
    }

    static func escape(_ field: String) -> String {
        var out = ""
        for c in field.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    static func unescape(_ field: Substring) -> String {
        var out = ""
        var escaped = false
        for c in field.unicodeScalars {
            if escaped {
                switch c {
                case "t": out += "\t"
                case "n": out += "\n"
                case "r": out += "\r"
                default: out.unicodeScalars.append(c)
                }
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else {
                out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// Reads one line from the host; nil for a line that is none of the messages.
    public static func message(_ line: Substring) -> Message? {
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(unescape)
        switch (fields.first, fields.count) {
        case ("END", 1): return .end
        case ("V", 3): return .value(name: fields[1], value: fields[2])
        case ("X", 3): return .callbackFailed(name: fields[1], error: fields[2])
        case ("E", 2): return .moduleFailed(fields[1])
        case ("D", 10):
            return .descriptor(
                Descriptor(
                    name: fields[1], valueType: fields[2], units: fields[3], slope: fields[4], format: fields[5], timeMax: fields[6],
                    description: fields[7], groups: fields[8], title: fields[9]))
        default: return nil
        }
    }

    /// The metric a descriptor announces, as gmond's mod_python reads it: `value_type`
    /// `string`, `uint`, `int`, `float`, `double` (and Ganglia's own type names), `slope` as
    /// written (`both` when missing or unknown), `time_max` as TMAX, `groups` as GROUP. nil
    /// (with why) when it can't be one.
    public static func definition(_ d: Descriptor, dmax: UInt32, group: String?) -> Result<MetricDefinition, ModuleError> {
        guard let name = MetricName(validating: d.name) else { return .failure(.init("descriptor name \(d.name.debugDescription) can't be a metric name")) }
        let types: [String: MetricType] = [
            "string": .string, "uint": .uint32, "int": .int32, "float": .float, "double": .double, "ushort": .uint16, "short": .int16,
            "uint8": .uint8, "int8": .int8, "uint16": .uint16, "int16": .int16, "uint32": .uint32, "int32": .int32, "timestamp": .timestamp,
        ]
        guard let type = types[d.valueType.lowercased()] else {
            return .failure(.init("\(d.name): value_type \(d.valueType.debugDescription) is not one of string, uint, int, float, double"))
        }
        let slope = Slope(name: d.slope) ?? .both
        let tmax = UInt32(d.timeMax.trimmingASCIIWhitespace()) ?? Double(d.timeMax.trimmingASCIIWhitespace()).map { UInt32(clamping: Int($0)) } ?? 60
        var definition = MetricDefinition(
            name.rawValue, type, units: d.units, slope: slope, tmax: tmax, format: d.format.isEmpty ? defaultFormat(type) : d.format,
            group: group ?? (d.groups.isEmpty ? "python" : d.groups), description: d.description)
        definition.dmax = dmax
        return .success(definition)
    }

    /// A call_back's value (Python's `str` of it) as the descriptor's type; nil when it isn't one.
    public static func value(_ text: String, as type: MetricType) -> MetricValue? {
        let t = text.trimmingASCIIWhitespace()
        // Python prints an int-valued float as `12.0` and a bool as `True`: accepted for integers.
        let number = Double(t) ?? (t == "True" ? 1 : t == "False" ? 0 : nil)
        switch type {
        case .string: return .string(text)
        case .float: return number.flatMap { $0.isFinite ? .float(Float($0)) : nil }
        case .double: return number.flatMap { $0.isFinite ? .double($0) : nil }
        case .uint32, .timestamp, .uint8: return number.flatMap { UInt32(exactly: $0.rounded(.towardZero)) }.map { .uint($0) }
        case .int32, .int8: return number.flatMap { Int32(exactly: $0.rounded(.towardZero)) }.map { .int($0) }
        case .uint16: return number.flatMap { UInt16(exactly: $0.rounded(.towardZero)) }.map { .ushort($0) }
        case .int16: return number.flatMap { Int16(exactly: $0.rounded(.towardZero)) }.map { .short($0) }
        }
    }

    static func defaultFormat(_ type: MetricType) -> String {
        switch type {
        case .string: "%s"
        case .float: "%f"
        case .double: PluginInterpreter.format
        case .int8, .int16, .int32: "%d"
        case .uint8, .uint16, .uint32, .timestamp: "%u"
        }
    }

    public struct ModuleError: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }
}
