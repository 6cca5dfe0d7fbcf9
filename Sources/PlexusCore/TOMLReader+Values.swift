// Values: strings in their four forms, numbers, booleans, dates and times, arrays, inline tables.
extension TOMLReader {
    mutating func value() throws(TOMLError) -> TOMLValue {
        guard let byte = peek() else { throw failure("expected a value, found the end of the file") }
        switch byte {
        case UInt8(ascii: "\""):
            if peek(1) == byte, peek(2) == byte {
                index += 3
                return .string(try multilineString(literal: false))
            }
            index += 1
            return .string(try basicString())
        case UInt8(ascii: "'"):
            if peek(1) == byte, peek(2) == byte {
                index += 3
                return .string(try multilineString(literal: true))
            }
            index += 1
            return .string(try literalString())
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "{"): return try inlineTable()
        default: return try scalar()
        }
    }

    /// A one-line `"..."` string with escapes, the opening quote read.
    mutating func basicString() throws(TOMLError) -> String {
        let start = position
        var text: [UInt8] = []
        while true {
            guard let byte = peek(), byte != UInt8(ascii: "\n"), byte != UInt8(ascii: "\r") else {
                throw TOMLError(start, "unterminated string: no closing \" on its line")
            }
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: text, as: UTF8.self)
            case UInt8(ascii: "\\"): try escape(into: &text)
            default:
                if Self.isControl(byte) { throw failure("\(describe(byte)) must be escaped in a string") }
                text.append(byte)
                index += 1
            }
        }
    }

    /// A one-line `'...'` string, as written, the opening quote read.
    mutating func literalString() throws(TOMLError) -> String {
        let start = position
        let from = index
        while true {
            guard let byte = peek(), byte != UInt8(ascii: "\n"), byte != UInt8(ascii: "\r") else {
                throw TOMLError(start, "unterminated string: no closing ' on its line")
            }
            if byte == UInt8(ascii: "'") {
                index += 1
                return String(decoding: bytes[from..<index - 1], as: UTF8.self)
            }
            if Self.isControl(byte) { throw failure("\(describe(byte)) is not allowed in a literal string") }
            index += 1
        }
    }

    /// `"""..."""` (escapes, a backslash at the end of a line joins it to the next) or `'''...'''`
    /// (as written), the opening quotes read. A newline right after them is not part of the text;
    /// up to two quotes may end the text just before the closing three.
    mutating func multilineString(literal: Bool) throws(TOMLError) -> String {
        let start = position
        let quote = literal ? UInt8(ascii: "'") : UInt8(ascii: "\"")
        var text: [UInt8] = []
        _ = skipNewline()
        while true {
            guard let byte = peek() else { throw TOMLError(start, "unterminated string: no closing \(literal ? "'''" : "\"\"\"")") }
            switch byte {
            case quote:
                var run = 0
                while peek(run) == quote { run += 1 }
                if run >= 3 {
                    guard run <= 5 else { throw failure("too many quotes at the end of a multi-line string") }
                    text += repeatElement(quote, count: run - 3)
                    index += run
                    return String(decoding: text, as: UTF8.self)
                }
                text += repeatElement(quote, count: run)
                index += run
            case UInt8(ascii: "\\") where !literal:
                var ahead = 1
                while peek(ahead) == UInt8(ascii: " ") || peek(ahead) == UInt8(ascii: "\t") { ahead += 1 }
                if peek(ahead) == UInt8(ascii: "\n") || (peek(ahead) == UInt8(ascii: "\r") && peek(ahead + 1) == UInt8(ascii: "\n")) {
                    // A line-ending backslash: the newline and the blanks after it go.
                    index += ahead
                    while true {
                        if peek() == UInt8(ascii: " ") || peek() == UInt8(ascii: "\t") {
                            index += 1
                        } else if !skipNewline() {
                            break
                        }
                    }
                } else {
                    try escape(into: &text)
                }
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                guard skipNewline() else { throw failure("\(describe(byte)) must be escaped in a string") }
                text.append(UInt8(ascii: "\n"))
            default:
                if Self.isControl(byte) { throw failure("\(describe(byte)) must be escaped in a string") }
                text.append(byte)
                index += 1
            }
        }
    }

    /// Past `\n` or `\r\n` if one is at `index`.
    mutating func skipNewline() -> Bool {
        if peek() == UInt8(ascii: "\r"), peek(1) == UInt8(ascii: "\n") { index += 1 }
        guard peek() == UInt8(ascii: "\n") else { return false }
        newline()
        return true
    }

    /// `\b \t \n \f \r \" \\ \uXXXX \UXXXXXXXX` at `index`.
    mutating func escape(into text: inout [UInt8]) throws(TOMLError) {
        let start = position
        index += 1
        guard let byte = peek() else { throw TOMLError(start, "unterminated string") }
        index += 1
        let simple: UInt8? =
            switch byte {
            case UInt8(ascii: "b"): 0x08
            case UInt8(ascii: "t"): 0x09
            case UInt8(ascii: "n"): 0x0A
            case UInt8(ascii: "f"): 0x0C
            case UInt8(ascii: "r"): 0x0D
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): byte
            default: nil
            }
        if let simple { return text.append(simple) }
        guard byte == UInt8(ascii: "u") || byte == UInt8(ascii: "U") else {
            throw TOMLError(start, "invalid escape \\\(byte >= 0x20 && byte < 0x7F ? String(Unicode.Scalar(byte)) : describe(byte))")
        }
        let count = byte == UInt8(ascii: "u") ? 4 : 8
        guard index + count <= bytes.count, let code = UInt32(String(decoding: bytes[index..<index + count], as: UTF8.self), radix: 16),
            bytes[index..<index + count].allSatisfy({ Self.digit($0, radix: 16) != nil })
        else { throw TOMLError(start, "\\\(Character(Unicode.Scalar(byte))) takes \(count) hexadecimal digits") }
        guard let scalar = Unicode.Scalar(code) else { throw TOMLError(start, "\\\(Character(Unicode.Scalar(byte))) names no Unicode scalar value") }
        index += count
        text += Array(String(Character(scalar)).utf8)
    }

    /// `[ value, ... ]`, over lines, with comments, a trailing comma allowed.
    mutating func array() throws(TOMLError) -> TOMLValue {
        let start = position
        try enter(start)
        defer { depth -= 1 }
        index += 1
        var elements: [TOMLValue] = []
        while true {
            try skipBlanks()
            guard let byte = peek() else { throw TOMLError(start, "unterminated array: no closing ]") }
            if byte == UInt8(ascii: "]") {
                index += 1
                return .array(elements)
            }
            elements.append(try value())
            try skipBlanks()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return .array(elements)
            case nil: throw TOMLError(start, "unterminated array: no closing ]")
            case let other?: throw failure("expected , or ] in the array, found \(describe(other))")
            }
        }
    }

    /// `{ key = value, ... }` on one line, no trailing comma: closed once read.
    mutating func inlineTable() throws(TOMLError) -> TOMLValue {
        let start = position
        try enter(start)
        defer { depth -= 1 }
        index += 1
        let table = TableNode(.header)
        skipSpaces()
        if peek() == UInt8(ascii: "}") {
            index += 1
            return .table([:])
        }
        while true {
            skipSpaces()
            try keyValue(into: table)
            skipSpaces()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return .table(table.value)
            case nil: throw TOMLError(start, "unterminated inline table: no closing }")
            case let other?:
                throw failure("expected , or } in the inline table, found \(describe(other)) (an inline table is on one line)")
            }
        }
    }

    mutating func enter(_ start: (line: Int, column: Int)) throws(TOMLError) {
        depth += 1
        guard depth <= Self.maximumDepth else { throw TOMLError(start, "arrays and inline tables nested deeper than \(Self.maximumDepth)") }
    }

    /// Spaces, newlines and comments, as arrays allow between their elements.
    mutating func skipBlanks() throws(TOMLError) {
        while true {
            skipSpaces()
            if peek() == UInt8(ascii: "#") { try comment() }
            guard skipNewline() else { return }
        }
    }

    /// A boolean, a number, or a date or time: one token of `[A-Za-z0-9_+-.:]`, or a date, a
    /// space and a time.
    mutating func scalar() throws(TOMLError) -> TOMLValue {
        let start = position
        let from = index
        while let byte = peek(), Self.isToken(byte) { index += 1 }
        if index - from == 10, TOMLScalar.isDateTime(bytes[from..<index]), peek() == UInt8(ascii: " "),
            let next = peek(1), Self.digit(next, radix: 10) != nil, peek(3) == UInt8(ascii: ":")
        {
            index += 1
            while let byte = peek(), Self.isToken(byte) { index += 1 }
        }
        let token = bytes[from..<index]
        guard !token.isEmpty else { throw failure("expected a value, found \(peek().map(describe) ?? "the end of the file")") }
        switch TOMLScalar.read(token) {
        case .success(let value): return value
        case .failure(let error): throw TOMLError(start, error.reason)
        }
    }

    static func isToken(_ byte: UInt8) -> Bool {
        isBare(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":")
    }

    static func digit(_ byte: UInt8, radix: Int) -> Int? {
        let value: Int
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): value = Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): value = Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): value = Int(byte - UInt8(ascii: "A")) + 10
        default: return nil
        }
        return value < radix ? value : nil
    }
}
