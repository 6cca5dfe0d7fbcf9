/// What a Munin plugin prints, as munin-node reads it (issue 19), without I/O: its `config`
/// output (graph attributes, then `FIELD.ATTRIBUTE value` per field) and its values
/// (`FIELD.value VALUE`, `U` for unknown), both possibly split by `multigraph NAME` lines.
///
/// ```
/// graph_title Load average            graph_vlabel load      graph_category system
/// load.label load                     load.type GAUGE        load.min 0
/// load.value 0.28
/// ```
///
/// A line that isn't one of these is reported with its number and skipped; the rest is kept.
public enum MuninText {
    /// How Munin stores a field: GAUGE as it is; DERIVE and COUNTER as a rate per second;
    /// ABSOLUTE as a count since the last read, divided by the seconds between.
    public enum FieldType: String, Sendable, Equatable {
        case gauge = "GAUGE", derive = "DERIVE", counter = "COUNTER", absolute = "ABSOLUTE"
    }

    public struct Field: Sendable, Equatable {
        public var name: String
        public var label: String?
        public var type: FieldType = .gauge
        public var info: String?
        public var min: Double?
        public var max: Double?
        /// `FIELD.graph no`: collected but not drawn by Munin.
        public var drawn = true

        public init(name: String) {
            self.name = name
        }
    }

    public struct Graph: Sendable, Equatable {
        /// The `multigraph` name; nil for the plugin's own (only) graph.
        public var multigraph: String?
        public var title: String?
        public var vlabel: String?
        public var category: String?
        public var info: String?
        /// Fields in the order the plugin first named them.
        public var fields: [Field] = []

        public init(multigraph: String? = nil) {
            self.multigraph = multigraph
        }
    }

    public struct Config: Sendable, Equatable {
        public var graphs: [Graph] = []
        public var problems: [Problem] = []
    }

    public struct Value: Sendable, Equatable {
        public var multigraph: String?
        public var field: String
        /// nil for `U`.
        public var value: Double?
    }

    public struct Values: Sendable, Equatable {
        public var values: [Value] = []
        public var problems: [Problem] = []
    }

    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    /// Fields at most, over all graphs, and bytes a line: what a plugin can make us hold.
    public static let maxFields = 500
    public static let maxLineBytes = 4096

    /// Reads `plugin config`.
    public static func config(_ text: Substring) -> Config {
        var config = Config()
        var graph = Graph()
        var fieldCount = 0
        func finish() {
            if graph.multigraph != nil || graph.title != nil || !graph.fields.isEmpty { config.graphs.append(graph) }
        }
        for (number, line) in lines(text) {
            guard line.utf8.count <= maxLineBytes else {
                config.problems.append(Problem(line: number, reason: "longer than \(maxLineBytes) bytes"))
                continue
            }
            let (key, value) = split(line)
            if key == "multigraph" {
                finish()
                graph = Graph(multigraph: value)
                continue
            }
            switch key {
            case "graph_title": graph.title = value
            case "graph_vlabel": graph.vlabel = value
            case "graph_category": graph.category = value
            case "graph_info": graph.info = value
            case _ where key.hasPrefix("graph_") || key == "host_name" || key == "update_rate":
                continue  // graph_args, graph_scale, graph_order, graph_period...: drawing only
            default:
                guard let dot = key.firstIndex(of: "."), isFieldName(key[..<dot]) else {
                    config.problems.append(Problem(line: number, reason: "\(String(key).debugDescription) is neither graph_* nor FIELD.ATTRIBUTE"))
                    continue
                }
                let name = String(key[..<dot])
                let attribute = key[key.index(after: dot)...]
                var index = graph.fields.firstIndex { $0.name == name }
                if index == nil {
                    guard fieldCount < maxFields else {
                        config.problems.append(Problem(line: number, reason: "more than \(maxFields) fields"))
                        continue
                    }
                    fieldCount += 1
                    graph.fields.append(Field(name: name))
                    index = graph.fields.count - 1
                }
                switch attribute {
                case "label": graph.fields[index!].label = value
                case "info": graph.fields[index!].info = value
                case "type":
                    guard let type = FieldType(rawValue: value.uppercased()) else {
                        config.problems.append(
                            Problem(line: number, reason: "\(name).type \(value.debugDescription) is not GAUGE, DERIVE, COUNTER or ABSOLUTE"))
                        continue
                    }
                    graph.fields[index!].type = type
                case "min": graph.fields[index!].min = Double(value)
                case "max": graph.fields[index!].max = Double(value)
                case "graph": graph.fields[index!].drawn = value.lowercased() != "no"
                default: continue  // draw, colour, warning, critical, cdef, negative...: drawing and Munin's own alerts
                }
            }
        }
        finish()
        return config
    }

    /// Reads what `plugin` (a fetch) prints.
    public static func values(_ text: Substring) -> Values {
        var values = Values()
        var multigraph: String?
        for (number, line) in lines(text) {
            guard line.utf8.count <= maxLineBytes else {
                values.problems.append(Problem(line: number, reason: "longer than \(maxLineBytes) bytes"))
                continue
            }
            let (key, value) = split(line)
            if key == "multigraph" {
                multigraph = value
                continue
            }
            guard key.hasSuffix(".value"), isFieldName(key.dropLast(6)) else {
                if key.contains(".") && !key.hasSuffix(".value") { continue }  // FIELD.extinfo and the like
                values.problems.append(Problem(line: number, reason: "\(String(key).debugDescription) is not FIELD.value"))
                continue
            }
            guard values.values.count < maxFields else {
                values.problems.append(Problem(line: number, reason: "more than \(maxFields) values"))
                continue
            }
            // `U` is unknown; munin-node also passes `TIMESTAMP:VALUE`, whose value is used.
            let text = value.split(separator: ":").last.map(String.init) ?? value
            let field = String(key.dropLast(6))
            if text == "U" {
                values.values.append(Value(multigraph: multigraph, field: field, value: nil))
            } else if let parsed = Double(text) {
                values.values.append(Value(multigraph: multigraph, field: field, value: parsed))
            } else {
                values.problems.append(Problem(line: number, reason: "\(field).value \(value.debugDescription) is not a number"))
            }
        }
        return values
    }

    /// Non-empty, non-comment lines with their numbers.
    static func lines(_ text: Substring) -> [(Int, Substring)] {
        var out: [(Int, Substring)] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = (raw.hasSuffix("\r") ? raw.dropLast() : raw).drop(while: { $0 == " " || $0 == "\t" })
            guard !line.isEmpty, line.first != "#" else { continue }
            out.append((index + 1, line))
        }
        return out
    }

    /// `key value...` (the value is the rest of the line, trimmed).
    static func split(_ line: Substring) -> (Substring, String) {
        guard let space = line.firstIndex(where: { $0 == " " || $0 == "\t" }) else { return (line, "") }
        let value = line[space...].drop(while: { $0 == " " || $0 == "\t" })
        return (line[..<space], String(value.reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed()))
    }

    /// Munin's field names: `[A-Za-z_][A-Za-z0-9_]*`.
    static func isFieldName(_ name: Substring) -> Bool {
        guard let first = name.utf8.first, first == UInt8(ascii: "_") || CharacterSetASCII.isLetter(first) else { return false }
        return name.utf8.allSatisfy { $0 == UInt8(ascii: "_") || CharacterSetASCII.isAlphanumeric($0) }
    }
}
