/// libconfuse's tokens: words (bare or quoted), `{ } ( ) , = +=`; comments and blanks skipped.
struct ConfuseLexer {
    enum Kind: Equatable, CustomStringConvertible {
        case word(String, quoted: Bool)
        case open, close, openParenthesis, closeParenthesis, comma, equals, plusEquals

        var description: String {
            switch self {
            case .word(let text, _): return text.debugDescription
            case .open: return "\"{\""
            case .close: return "\"}\""
            case .openParenthesis: return "\"(\""
            case .closeParenthesis: return "\")\""
            case .comma: return "\",\""
            case .equals: return "\"=\""
            case .plusEquals: return "\"+=\""
            }
        }
    }

    struct Token {
        var kind: Kind
        var line: Int
    }

    let bytes: [UInt8]
    let file: String
    private var index = 0
    private(set) var line = 1

    init(text: String, file: String) {
        bytes = Array(text.utf8)
        self.file = file
    }

    func error(_ token: Token, _ reason: String) -> MigrationError {
        MigrationError(file: file, line: token.line, reason: reason)
    }

    /// Bytes a bare word can't hold (libconfuse's unquoted strings stop at these).
    private static let delimiters = Set(" \t\r\n{}(),=\"'#".utf8)

    mutating func next() throws(MigrationError) -> Token? {
        try skipBlanksAndComments()
        guard index < bytes.count else { return nil }
        let start = line
        let byte = bytes[index]
        let single: Kind? =
            switch byte {
            case UInt8(ascii: "{"): .open
            case UInt8(ascii: "}"): .close
            case UInt8(ascii: "("): .openParenthesis
            case UInt8(ascii: ")"): .closeParenthesis
            case UInt8(ascii: ","): .comma
            case UInt8(ascii: "="): .equals
            default: nil
            }
        if let single {
            index += 1
            return Token(kind: single, line: start)
        }
        if byte == UInt8(ascii: "+"), peek(1) == UInt8(ascii: "=") {
            index += 2
            return Token(kind: .plusEquals, line: start)
        }
        if byte == UInt8(ascii: "\"") { return Token(kind: .word(try doubleQuoted(), quoted: true), line: start) }
        if byte == UInt8(ascii: "'") { return Token(kind: .word(try singleQuoted(), quoted: true), line: start) }
        let begin = index
        while index < bytes.count, !Self.delimiters.contains(bytes[index]), !startsComment() { index += 1 }
        return Token(kind: .word(String(decoding: bytes[begin..<index], as: UTF8.self), quoted: false), line: start)
    }

    private func peek(_ offset: Int) -> UInt8? { index + offset < bytes.count ? bytes[index + offset] : nil }

    private func startsComment() -> Bool {
        bytes[index] == UInt8(ascii: "/") && (peek(1) == UInt8(ascii: "/") || peek(1) == UInt8(ascii: "*"))
    }

    private mutating func skipBlanksAndComments() throws(MigrationError) {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\n"):
                line += 1
                index += 1
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                index += 1
            case UInt8(ascii: "#"):
                while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
            case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "/"):
                while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
            case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "*"):
                let opened = line
                index += 2
                while index < bytes.count, !(bytes[index] == UInt8(ascii: "*") && peek(1) == UInt8(ascii: "/")) {
                    if bytes[index] == UInt8(ascii: "\n") { line += 1 }
                    index += 1
                }
                guard index < bytes.count else { throw MigrationError(file: file, line: opened, reason: "the comment \"/*\" is never closed") }
                index += 2
            default:
                return
            }
        }
    }

    /// `"…"` with libconfuse's escapes (`\n \t \r \" \\ \'`, others kept as written).
    private mutating func doubleQuoted() throws(MigrationError) -> String {
        let opened = line
        index += 1
        var out: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\") where index < bytes.count:
                let escaped = bytes[index]
                index += 1
                switch escaped {
                case UInt8(ascii: "n"): out.append(UInt8(ascii: "\n"))
                case UInt8(ascii: "t"): out.append(UInt8(ascii: "\t"))
                case UInt8(ascii: "r"): out.append(UInt8(ascii: "\r"))
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "'"): out.append(escaped)
                default: out += [UInt8(ascii: "\\"), escaped]
                }
            default:
                if byte == UInt8(ascii: "\n") { line += 1 }
                out.append(byte)
            }
        }
        throw MigrationError(file: file, line: opened, reason: "the string opened here is never closed")
    }

    /// `'…'`, as written but for `\'`.
    private mutating func singleQuoted() throws(MigrationError) -> String {
        let opened = line
        index += 1
        var out: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "'") { return String(decoding: out, as: UTF8.self) }
            if byte == UInt8(ascii: "\\"), index < bytes.count, bytes[index] == UInt8(ascii: "'") {
                out.append(bytes[index])
                index += 1
                continue
            }
            if byte == UInt8(ascii: "\n") { line += 1 }
            out.append(byte)
        }
        throw MigrationError(file: file, line: opened, reason: "the string opened here is never closed")
    }
}
