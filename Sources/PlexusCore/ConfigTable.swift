/// Reads typed values out of one TOML table, remembering which keys were read so that anything
/// else — usually a typo — is reported instead of silently ignored.
struct ConfigTable {
    let table: [String: TOMLValue]
    /// Dotted path of this table (`""` for the root).
    let path: String
    let file: String
    private var read: Set<String> = []

    init(_ table: [String: TOMLValue], path: String = "", file: String) {
        self.table = table
        self.path = path
        self.file = file
    }

    /// Parses `text`; syntax errors carry line and column.
    static func parse(_ text: String, file: String) throws(ConfigError) -> ConfigTable {
        do {
            return ConfigTable(try TOMLReader.read(text), file: file)
        } catch {
            throw ConfigError(file: file, line: error.line, column: error.column, reason: error.reason)
        }
    }

    /// Whether the table sets `key` at all.
    func has(_ key: String) -> Bool { table[key] != nil }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func error(_ key: String, _ reason: String) -> ConfigError {
        ConfigError(file: file, key: keyPath(key), reason: reason)
    }

    private mutating func value(_ key: String) -> TOMLValue? {
        read.insert(key)
        return table[key]
    }

    private func mismatch(_ key: String, expected: String, found value: TOMLValue) -> ConfigError {
        error(key, "expected \(expected), found \(value.kind)")
    }

    mutating func string(_ key: String) throws(ConfigError) -> String? {
        guard let value = value(key) else { return nil }
        guard let text = value.string else { throw mismatch(key, expected: "a string", found: value) }
        return text
    }

    /// A scalar as text, as gmond passes module parameters: a string as it is, a number or a
    /// boolean as written (`600`, `0.5`, `true`).
    mutating func text(_ key: String) throws(ConfigError) -> String? {
        guard let value = value(key) else { return nil }
        if let text = value.string { return text }
        if let number = value.integer { return String(number) }
        if let number = value.float { return number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : "\(number)" }
        if let flag = value.boolean { return flag ? "true" : "false" }
        throw mismatch(key, expected: "a string, number or boolean", found: value)
    }

    mutating func integer(_ key: String, in range: ClosedRange<Int>) throws(ConfigError) -> Int? {
        guard let value = value(key) else { return nil }
        guard let number = value.integer else { throw mismatch(key, expected: "an integer", found: value) }
        guard range.contains(number) else { throw error(key, "\(number) is out of range \(range.lowerBound)...\(range.upperBound)") }
        return number
    }

    /// Whole seconds, at least `minimum` (the range in an error is the one really allowed).
    mutating func seconds(_ key: String, minimum: Int = 0) throws(ConfigError) -> UInt32? {
        try integer(key, in: minimum...Int(UInt32.max)).map(UInt32.init)
    }

    /// A number; integers are accepted where a fraction is allowed.
    mutating func number(_ key: String, in range: ClosedRange<Double>) throws(ConfigError) -> Double? {
        guard let value = value(key) else { return nil }
        guard let number = value.float ?? value.integer.map(Double.init) else {
            throw mismatch(key, expected: "a number", found: value)
        }
        guard range.contains(number) else { throw error(key, "\(number) is out of range \(range.lowerBound)...\(range.upperBound)") }
        return number
    }

    /// A boolean; gmond's words yes/no/on/off/true/false are accepted as strings too.
    mutating func bool(_ key: String) throws(ConfigError) -> Bool? {
        guard let value = value(key) else { return nil }
        if let flag = value.boolean { return flag }
        switch value.string?.lowercased() {
        case "yes", "on", "true": return true
        case "no", "off", "false": return false
        default: throw mismatch(key, expected: "a boolean (true/false, or yes/no)", found: value)
        }
    }

    /// A list of strings, written as an array: a lone string is refused, since
    /// `"10.0.0.0/8 192.168.0.0/16"` would be read as one entry (gmetad separates by spaces).
    mutating func strings(_ key: String) throws(ConfigError) -> [String]? {
        guard let value = value(key) else { return nil }
        if let single = value.string {
            let quoted = String(reflecting: single)
            throw error(key, "expected an array of strings, found the string \(quoted): write [\(quoted)]")
        }
        guard let array = value.array else { throw mismatch(key, expected: "an array of strings", found: value) }
        var result: [String] = []
        for (i, element) in array.enumerated() {
            guard let text = element.string else { throw mismatch("\(key)[\(i)]", expected: "a string", found: element) }
            result.append(text)
        }
        return result
    }

    mutating func table(_ key: String) throws(ConfigError) -> ConfigTable? {
        guard let value = value(key) else { return nil }
        guard let table = value.table else { throw mismatch(key, expected: "a table ([\(keyPath(key))])", found: value) }
        return ConfigTable(table, path: keyPath(key), file: file)
    }

    /// An array of tables (`[[name]]`); nil when the key is absent, [] when it is an empty array.
    mutating func tables(_ key: String) throws(ConfigError) -> [ConfigTable]? {
        guard let value = value(key) else { return nil }
        guard let array = value.array else { throw mismatch(key, expected: "an array of tables ([[\(keyPath(key))]])", found: value) }
        var result: [ConfigTable] = []
        for (i, element) in array.enumerated() {
            guard let table = element.table else { throw mismatch("\(key)[\(i)]", expected: "a table", found: element) }
            result.append(ConfigTable(table, path: "\(keyPath(key))[\(i)]", file: file))
        }
        return result
    }

    /// Fails on any key that was never read.
    func finish() throws(ConfigError) {
        if let unknown = table.keys.sorted().first(where: { !read.contains($0) }) {
            let known = read.sorted().joined(separator: ", ")
            throw error(unknown, "unknown key" + (known.isEmpty ? "" : " (this table takes: \(known))"))
        }
    }
}
