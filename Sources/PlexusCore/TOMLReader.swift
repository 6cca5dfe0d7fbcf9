/// Reads a TOML 1.0 document into a table of `TOMLValue`s: the configuration files' syntax.
///
/// Our own reader instead of a library's: the one we used (TOMLKit, over the C++ toml++) keeps
/// Foundation and its 37 MB of ICU data linked into every program that reads a configuration,
/// agents on every host included (docs/BENCHMARKS.md, "Where the agent's resident memory is").
/// This one is pure Swift over the text's UTF-8 bytes and follows the specification's rules on
/// tables: a table is defined once, by a header or by dotted keys, never reopened; inline tables
/// and arrays are closed. Nesting is bounded (`maximumDepth`), so no document can exhaust the
/// stack.
public struct TOMLReader {
    /// Arrays and inline tables nested deeper than this are refused.
    public static let maximumDepth = 64

    let bytes: [UInt8]
    var index = 0
    var line = 1
    var lineStart = 0
    var depth = 0

    /// The document's root table.
    public static func read(_ text: String) throws(TOMLError) -> [String: TOMLValue] {
        var reader = TOMLReader(bytes: Array(text.utf8))
        return try reader.document()
    }

    init(bytes: [UInt8]) {
        self.bytes = bytes
        // A byte-order mark, as some editors write, is not part of the document.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        lineStart = index
    }

    // MARK: The document: headers and key/value pairs, one a line.

    mutating func document() throws(TOMLError) -> [String: TOMLValue] {
        let root = TableNode(.header)
        var current = root
        while true {
            skipSpaces()
            guard let byte = peek() else { break }
            switch byte {
            case UInt8(ascii: "#"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                break
            case UInt8(ascii: "["):
                current = try header(in: root)
            default:
                try keyValue(into: current)
            }
            try endOfLine()
        }
        return root.value
    }

    /// After a header or a pair: spaces, perhaps a comment, then a newline or the end.
    mutating func endOfLine() throws(TOMLError) {
        skipSpaces()
        if peek() == UInt8(ascii: "#") { try comment() }
        guard let byte = peek() else { return }
        if byte == UInt8(ascii: "\n") {
            newline()
        } else if byte == UInt8(ascii: "\r"), peek(1) == UInt8(ascii: "\n") {
            index += 1
            newline()
        } else {
            throw failure("expected the end of the line, found \(describe(byte))")
        }
    }

    /// `[a.b]` or `[[a.b]]`: the table the following pairs go into.
    mutating func header(in root: TableNode) throws(TOMLError) -> TableNode {
        let start = position
        index += 1
        let isArray = peek() == UInt8(ascii: "[")
        if isArray { index += 1 }
        skipSpaces()
        let path = try key()
        skipSpaces()
        guard peek() == UInt8(ascii: "]"), !isArray || peek(1) == UInt8(ascii: "]") else {
            throw failure(isArray ? "expected ]] to close the array-of-tables header" : "expected ] to close the table header")
        }
        index += isArray ? 2 : 1
        var table = root
        for (i, name) in path.dropLast().enumerated() {
            switch table.entries[name] {
            case nil:
                let made = TableNode(.implicit)
                table.entries[name] = .table(made)
                table = made
            case .table(let inner): table = inner
            case .tables(let elements): table = elements[elements.count - 1]
            case .value: throw TOMLError(start, "\(Self.dotted(path.prefix(i + 1))) is already a value, not a table")
            }
        }
        let name = path[path.count - 1]
        let full = Self.dotted(path[...])
        if isArray {
            let element = TableNode(.header)
            switch table.entries[name] {
            case nil: table.entries[name] = .tables([element])
            case .tables(var elements):
                elements.append(element)
                table.entries[name] = .tables(elements)
            case .table, .value: throw TOMLError(start, "\(full) is already defined, not as an array of tables")
            }
            return element
        }
        switch table.entries[name] {
        case nil:
            let made = TableNode(.header)
            table.entries[name] = .table(made)
            return made
        case .table(let existing) where existing.origin == .implicit:
            existing.origin = .header
            return existing
        case .table(let existing):
            throw TOMLError(start, existing.origin == .dotted ? "table \(full) is already defined by dotted keys" : "table [\(full)] is defined twice")
        case .tables: throw TOMLError(start, "\(full) is an array of tables: write [[\(full)]]")
        case .value: throw TOMLError(start, "\(full) is already a value, not a table")
        }
    }

    /// `a.b = value` into `table`: dotted keys make tables of their own, which only further
    /// dotted keys of the same table may extend.
    mutating func keyValue(into table: TableNode) throws(TOMLError) {
        let start = position
        let path = try key()
        skipSpaces()
        guard peek() == UInt8(ascii: "=") else {
            throw failure(peek().map { "expected = after the key, found \(describe($0))" } ?? "expected = after the key")
        }
        index += 1
        skipSpaces()
        let value = try self.value()
        var target = table
        for (i, name) in path.dropLast().enumerated() {
            switch target.entries[name] {
            case nil:
                let made = TableNode(.dotted)
                target.entries[name] = .table(made)
                target = made
            case .table(let inner) where inner.origin == .dotted: target = inner
            default: throw TOMLError(start, "\(Self.dotted(path.prefix(i + 1))) is already defined: dotted keys cannot extend it")
            }
        }
        let name = path[path.count - 1]
        guard target.entries[name] == nil else { throw TOMLError(start, "key \(Self.dotted(path[...])) is defined twice") }
        target.entries[name] = .value(value)
    }

    /// A key: bare (`A-Za-z0-9_-`) or quoted parts separated by dots.
    mutating func key() throws(TOMLError) -> [String] {
        var parts: [String] = []
        while true {
            skipSpaces()
            switch peek() {
            case UInt8(ascii: "\""):
                index += 1
                parts.append(try basicString())
            case UInt8(ascii: "'"):
                index += 1
                parts.append(try literalString())
            case let byte? where Self.isBare(byte):
                let start = index
                while let next = peek(), Self.isBare(next) { index += 1 }
                parts.append(String(decoding: bytes[start..<index], as: UTF8.self))
            case let byte?: throw failure("expected a key, found \(describe(byte))")
            case nil: throw failure("expected a key, found the end of the file")
            }
            skipSpaces()
            guard peek() == UInt8(ascii: ".") else { return parts }
            index += 1
        }
    }

    static func isBare(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default: false
        }
    }

    static func dotted(_ path: ArraySlice<String>) -> String {
        path.map { name in name.utf8.allSatisfy(isBare) && !name.isEmpty ? name : "\"\(name)\"" }.joined(separator: ".")
    }

    // MARK: Bytes, positions, errors.

    func peek(_ offset: Int = 0) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    mutating func skipSpaces() {
        while let byte = peek(), byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { index += 1 }
    }

    /// From `#` to the end of the line; control characters other than tab are refused.
    mutating func comment() throws(TOMLError) {
        while let byte = peek(), byte != UInt8(ascii: "\n") {
            if byte == UInt8(ascii: "\r"), peek(1) == UInt8(ascii: "\n") { return }
            if Self.isControl(byte) { throw failure("\(describe(byte)) is not allowed in a comment") }
            index += 1
        }
    }

    /// Past a `\n` at `index`.
    mutating func newline() {
        index += 1
        line += 1
        lineStart = index
    }

    static func isControl(_ byte: UInt8) -> Bool { (byte < 0x20 && byte != 0x09) || byte == 0x7F }

    /// Line and column of `index`; the column counts characters, not bytes.
    var position: (line: Int, column: Int) {
        (line, 1 + bytes[lineStart..<min(index, bytes.count)].count { $0 & 0xC0 != 0x80 })
    }

    func failure(_ reason: String) -> TOMLError { TOMLError(position, reason) }

    func describe(_ byte: UInt8) -> String {
        switch byte {
        case UInt8(ascii: "\n"): "the end of the line"
        case UInt8(ascii: "\r"): "a carriage return without a line feed"
        case 0x20...0x7E: "'\(Character(Unicode.Scalar(byte)))'"
        default: "the byte 0x\(String(byte, radix: 16, uppercase: true))"
        }
    }
}

extension TOMLError {
    init(_ position: (line: Int, column: Int), _ reason: String) {
        self.init(line: position.line, column: position.column, reason: reason)
    }
}

/// A table while the document is read: how it came to be decides what may still extend it.
final class TableNode {
    enum Origin {
        /// Made on the way to a header's table (`a` of `[a.b]`): a later `[a]` may define it.
        case implicit
        /// Defined by a header, or an element of an array of tables, or the root.
        case header
        /// Made by a dotted key (`a.b = 1` makes `a`).
        case dotted
    }

    enum Entry {
        case value(TOMLValue)
        case table(TableNode)
        case tables([TableNode])
    }

    var origin: Origin
    var entries: [String: Entry] = [:]

    init(_ origin: Origin) { self.origin = origin }

    var value: [String: TOMLValue] {
        entries.mapValues { entry in
            switch entry {
            case .value(let value): value
            case .table(let table): .table(table.value)
            case .tables(let tables): .array(tables.map { .table($0.value) })
            }
        }
    }
}
