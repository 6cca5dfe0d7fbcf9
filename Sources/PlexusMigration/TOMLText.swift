/// The importers' output: TOML lines, with comments where gmond.conf or gmetad.conf said
/// something that has no key here.
struct TOMLText {
    var lines: [String] = []

    var text: String { lines.joined(separator: "\n") + "\n" }

    mutating func blank() {
        if let last = lines.last, !last.isEmpty { lines.append("") }
    }

    mutating func header(_ header: String) {
        blank()
        lines.append(header)
    }

    /// `# text`, one line per line of `text`.
    mutating func comment(_ text: String) {
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) { lines.append(line.isEmpty ? "#" : "# \(line)") }
    }

    mutating func set(_ key: String, _ value: String, note: String? = nil) {
        lines.append("\(Self.key(key)) = \(value)" + (note.map { "   # \($0)" } ?? ""))
    }

    /// A bare key when it can be one, else quoted.
    static func key(_ key: String) -> String {
        let bare =
            !key.isEmpty
            && key.utf8.allSatisfy { b in
                (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
                    || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
            }
        return bare ? key : string(key)
    }

    /// A TOML basic string.
    static func string(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func strings(_ items: [String]) -> String { "[" + items.map(string).joined(separator: ", ") + "]" }

    /// A number as TOML writes it: an integer without a point, else the shortest exact text.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? "\(Int64(value)).0" : "\(value)"
    }
}
