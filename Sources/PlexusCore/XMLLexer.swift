#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Element names the Ganglia DTD knows, recognized once while lexing.
enum XMLElementName: UInt8 {
    case gangliaXML, grid, cluster, host, metric, extraData, extraElement, hosts, metrics, other

    var text: String {
        switch self {
        case .gangliaXML: "GANGLIA_XML"
        case .grid: "GRID"
        case .cluster: "CLUSTER"
        case .host: "HOST"
        case .metric: "METRIC"
        case .extraData: "EXTRA_DATA"
        case .extraElement: "EXTRA_ELEMENT"
        case .hosts: "HOSTS"
        case .metrics: "METRICS"
        case .other: "?"
        }
    }
}

/// Attribute names the Ganglia DTD knows.
enum XMLAttributeName: UInt8 {
    case name, val, type, units, tn, tmax, dmax, slope, source, ip, reported, location, gmondStarted, tags
    case localtime, owner, latlong, url, authority, up, down, sum, num, version, other
}

/// One attribute of the current start tag: byte ranges into the document.
struct XMLAttribute {
    var key: XMLAttributeName
    var valueStart: Int
    var valueEnd: Int
    /// The raw value holds `&` (needs unescaping) or bytes ≥ 0x80 (needs charset care).
    var hasAmpersand: Bool
    var hasHighBytes: Bool
}

/// A token of the document: a start tag (attributes through `attribute(_:)`), an end tag, or the end.
enum XMLToken {
    case start(XMLElementName, nameStart: Int, nameEnd: Int, selfClosing: Bool)
    case end(XMLElementName, nameStart: Int, nameEnd: Int)
    case eof
}

/// Room a lexer works in, given by its caller for the duration of one read (no allocation
/// per token, and none per document beyond this).
struct XMLLexerScratch {
    /// The last start tag's attributes, by `XMLAttributeName.rawValue`.
    let slots: UnsafeMutablePointer<XMLAttribute>
    /// Per element kind, the keys its last start tag had, in order (`predictedKeys` each).
    let predicted: UnsafeMutablePointer<XMLAttributeName>

    static let slotCount = 32
    static let predictedKeys = 16
    static let predictedCount = 16 * predictedKeys

    /// Runs `body` with scratch room on the stack.
    static func with<R>(_ body: (XMLLexerScratch) -> R) -> R {
        withUnsafeTemporaryAllocation(of: XMLAttribute.self, capacity: slotCount) { slots in
            withUnsafeTemporaryAllocation(of: XMLAttributeName.self, capacity: predictedCount) { predicted in
                predicted.initialize(repeating: .other)
                return body(XMLLexerScratch(slots: slots.baseAddress!, predicted: predicted.baseAddress!))
            }
        }
    }
}

/// A single-pass tokenizer for the XML subset Ganglia writes: declarations, DOCTYPE with an
/// internal subset, comments, start/end/empty tags with quoted attributes. Text between tags is
/// skipped. Each byte is looked at about once; no allocation per token.
///
/// Attribute keys are recognized by prediction first: a writer gives every METRIC (HOST, ...)
/// the same attributes in the same order, so the key this element had in this place last time
/// is compared in place, and the key is only scanned and looked up when that guess fails.
///
/// Lenient where Ganglia itself is sloppy: `<` and `>` inside a quoted value are taken as text.
struct XMLLexer {
    let base: UnsafePointer<UInt8>
    let count: Int
    /// Next byte to read.
    var position: Int
    /// Where the last token began (to push an end tag back to the enclosing element).
    private(set) var tokenStart = 0
    private let scratch: XMLLexerScratch
    /// Which of `scratch.slots` the last start tag set (bit `XMLAttributeName.rawValue`).
    private var present: UInt32 = 0
    /// The words of the attribute keys, by `XMLAttributeName.rawValue`.
    private let keyWords = XMLWords.keysByName
    /// The element whose start tag is being read (so a malformed tag can be blamed on it).
    private(set) var startTagName: (name: XMLElementName, start: Int, end: Int)?
    /// Start of a line and its number, from the last `line(of:)`.
    private var lineCache = (offset: 0, line: 1)

    init(base: UnsafePointer<UInt8>, count: Int, scratch: XMLLexerScratch, position: Int = 0) {
        self.base = base
        self.count = count
        self.scratch = scratch
        self.position = position
    }

    /// The attribute `key` of the last start tag (the first, if it was given twice).
    @inline(__always)
    func attribute(_ key: XMLAttributeName) -> XMLAttribute? {
        present & (1 << UInt32(key.rawValue)) != 0 ? scratch.slots[Int(key.rawValue)] : nil
    }

    /// Makes the last token be read again.
    mutating func pushBack() { position = tokenStart }

    mutating func next() throws(XMLError) -> XMLToken {
        startTagName = nil
        while true {
            guard let lt = find(UInt8(ascii: "<"), from: position) else {
                position = count
                return .eof
            }
            tokenStart = lt
            position = lt + 1
            guard position < count else { throw .unexpectedEnd(inside: "a tag") }
            switch base[position] {
            case UInt8(ascii: "?"):
                try skip(past: "?>")
            case UInt8(ascii: "!"):
                try skipDeclaration()
            case UInt8(ascii: "/"):
                position += 1
                let (start, end) = scanName()
                skipSpace()
                guard position < count else { throw .unexpectedEnd(inside: "an end tag") }
                guard base[position] == UInt8(ascii: ">") else { throw .malformedMarkup("end tag </\(text(start, end))") }
                position += 1
                return .end(classifyElement(start, end), nameStart: start, nameEnd: end)
            default:
                return try startTag()
            }
        }
    }

    private mutating func startTag() throws(XMLError) -> XMLToken {
        let (start, end) = scanName()
        guard end > start else { throw .malformedMarkup("'<' not followed by a name") }
        let element = classifyElement(start, end)
        startTagName = (element, start, end)
        present = 0
        let predicted = scratch.predicted + Int(element.rawValue) * XMLLexerScratch.predictedKeys
        var index = 0
        while true {
            skipSpace()
            guard position < count else { throw .unexpectedEnd(inside: "<\(text(start, end))>") }
            let c = base[position]
            if c == UInt8(ascii: ">") {
                position += 1
                return .start(element, nameStart: start, nameEnd: end, selfClosing: false)
            }
            if c == UInt8(ascii: "/") {
                guard position + 1 < count else { throw .unexpectedEnd(inside: "<\(text(start, end))>") }
                guard base[position + 1] == UInt8(ascii: ">") else { throw .malformedMarkup("'/' inside <\(text(start, end))>") }
                position += 2
                return .start(element, nameStart: start, nameEnd: end, selfClosing: true)
            }
            let keyStart = position
            let key: XMLAttributeName
            let guess = index < XMLLexerScratch.predictedKeys ? predicted[index] : .other
            if guess != .other, isKey(keyWords[Int(guess.rawValue)], at: position) {
                key = guess
                position += keyWords[Int(guess.rawValue)].count
            } else {
                let (nameStart, nameEnd) = scanName()
                guard nameEnd > nameStart else {
                    throw .malformedMarkup("unexpected \(describe(c)) in <\(text(start, end))>")
                }
                key = classifyAttribute(nameStart, nameEnd)
                if index < XMLLexerScratch.predictedKeys { predicted[index] = key }
            }
            let keyEnd = position
            index += 1
            skipSpace()
            guard position < count else { throw .unexpectedEnd(inside: "<\(text(start, end))>") }
            guard base[position] == UInt8(ascii: "=") else {
                throw .malformedMarkup("attribute \(text(keyStart, keyEnd)) of <\(text(start, end))> has no '='")
            }
            position += 1
            skipSpace()
            guard position < count else { throw .unexpectedEnd(inside: "<\(text(start, end))>") }
            let quote = base[position]
            guard quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
                throw .malformedMarkup("attribute \(text(keyStart, keyEnd)) of <\(text(start, end))> is not quoted")
            }
            // One pass to the closing quote, noting what the value will need when decoded.
            let valueStart = position + 1
            var i = valueStart
            var ampersand = false, high = false
            while i < count {
                let b = base[i]
                if b == quote { break }
                if b == UInt8(ascii: "&") { ampersand = true } else if b >= 0x80 { high = true }
                i += 1
            }
            guard i < count else { throw .unexpectedEnd(inside: "<\(text(start, end))>") }
            position = i + 1
            // The first of a repeated key counts; keys the DTD doesn't know are not kept.
            let bit: UInt32 = 1 << UInt32(key.rawValue)
            if key != .other, present & bit == 0 {
                present |= bit
                scratch.slots[Int(key.rawValue)] = XMLAttribute(
                    key: key, valueStart: valueStart, valueEnd: i, hasAmpersand: ampersand, hasHighBytes: high)
            }
        }
    }

    /// Whether the key `word` is at `offset`, whole (followed by `=` or space, not more name).
    @inline(__always)
    private func isKey(_ word: PackedText, at offset: Int) -> Bool {
        let end = offset + word.count
        guard end < count, packed(offset, end) == word else { return false }
        switch base[end] {
        case UInt8(ascii: "="), 0x20, 0x0A, 0x09, 0x0D: return true
        default: return false
        }
    }

    // MARK: - Scanning

    func find(_ byte: UInt8, from start: Int) -> Int? {
        guard start < count, let hit = memchr(base + start, Int32(byte), count - start) else { return nil }
        return UnsafeRawPointer(hit) - UnsafeRawPointer(base)
    }

    /// The offset of `needle` at or after `start`, ending at most `limit` bytes after it.
    func find(_ needle: StaticString, from start: Int, within limit: Int = .max) -> Int? {
        let n = needle.utf8CodeUnitCount
        let first = needle.utf8Start[0]
        let end = limit >= count - start ? count : start + limit
        var i = start
        while let hit = find(first, from: i) {
            guard hit + n <= end else { return nil }
            if memcmp(base + hit, needle.utf8Start, n) == 0 { return hit }
            i = hit + 1
        }
        return nil
    }

    private mutating func skip(past terminator: StaticString) throws(XMLError) {
        guard let hit = find(terminator, from: position) else { throw .unexpectedEnd(inside: "markup ending in \(terminator)") }
        position = hit + terminator.utf8CodeUnitCount
    }

    /// `<!-- -->`, `<![CDATA[ ]]>` or `<!DOCTYPE ... [ ... ]>`.
    private mutating func skipDeclaration() throws(XMLError) {
        if hasPrefix("!--", at: position) { return try skip(past: "-->") }
        if hasPrefix("![CDATA[", at: position) { return try skip(past: "]]>") }
        var depth = 0
        var quote: UInt8 = 0
        while position < count {
            let c = base[position]
            position += 1
            if quote != 0 {
                if c == quote { quote = 0 }
            } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                quote = c
            } else if c == UInt8(ascii: "[") {
                depth += 1
            } else if c == UInt8(ascii: "]") {
                depth -= 1
            } else if c == UInt8(ascii: ">"), depth <= 0 {
                return
            }
        }
        throw .unexpectedEnd(inside: "<!DOCTYPE>")
    }

    func hasPrefix(_ prefix: StaticString, at offset: Int) -> Bool {
        let n = prefix.utf8CodeUnitCount
        return offset + n <= count && memcmp(base + offset, prefix.utf8Start, n) == 0
    }

    @inline(__always)
    private mutating func skipSpace() {
        while position < count {
            let c = base[position]
            guard c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D else { return }
            position += 1
        }
    }

    /// A run of name characters (anything but space, `=`, `/`, `>`, `<`, quotes).
    @inline(__always)
    private mutating func scanName() -> (Int, Int) {
        let start = position
        while position < count {
            switch base[position] {
            case 0x20, 0x0A, 0x09, 0x0D, UInt8(ascii: "="), UInt8(ascii: "/"), UInt8(ascii: ">"),
                UInt8(ascii: "<"), UInt8(ascii: "\""), UInt8(ascii: "'"):
                return (start, position)
            default:
                position += 1
            }
        }
        return (start, position)
    }

    func text(_ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: base + start, count: max(0, min(end, count) - start)), as: UTF8.self)
    }

    private func describe(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
    }

    /// 1-based line number of `offset`. Counts on from the last answer, so reporting many
    /// skips in document order stays linear.
    mutating func line(of offset: Int) -> Int {
        if offset < lineCache.offset { lineCache = (0, 1) }
        var (i, line) = lineCache
        while let nl = find(0x0A, from: i), nl < offset {
            line += 1
            i = nl + 1
        }
        lineCache = (i, line)
        return line
    }
}

extension XMLLexer {
    /// Whether the markup at `offset` (a `<`) is an end tag, and its element; nil for
    /// declarations, comments and processing instructions.
    func peekTag(at offset: Int) -> (isEnd: Bool, name: XMLElementName)? {
        var i = offset + 1
        guard i < count else { return nil }
        let isEnd = base[i] == UInt8(ascii: "/")
        if isEnd { i += 1 }
        guard i < count, base[i] != UInt8(ascii: "!"), base[i] != UInt8(ascii: "?") else { return nil }
        let start = i
        while i < count {
            let c = base[i]
            if c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D || c == UInt8(ascii: ">") || c == UInt8(ascii: "/") { break }
            i += 1
        }
        return (isEnd, classifyElement(start, i))
    }
}
