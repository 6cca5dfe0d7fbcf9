/// Up to 16 bytes held as two little-endian words and a length: the words of the Ganglia DTD
/// (element and attribute names, TYPE and SLOPE values) are compared with the document's bytes
/// in three integer compares instead of a call to `memcmp` each.
struct PackedText: Equatable {
    var low: UInt64
    var high: UInt64
    var count: Int

    init(low: UInt64, high: UInt64, count: Int) {
        self.low = low
        self.high = high
        self.count = count
    }

    /// Nil when `bytes` is longer than 16.
    init?(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count <= 16 else { return nil }
        var low: UInt64 = 0
        var high: UInt64 = 0
        for (i, byte) in bytes.enumerated() {
            if i < 8 { low |= UInt64(byte) << (8 * UInt64(i)) } else { high |= UInt64(byte) << (8 * UInt64(i - 8)) }
        }
        self.init(low: low, high: high, count: bytes.count)
    }

    init(_ word: String) {
        var word = word
        self = word.withUTF8 { PackedText($0) }!
    }
}

/// The words the reader recognizes, most frequent first (a METRIC's attributes lead).
enum XMLWords {
    static let elements: [(PackedText, XMLElementName)] = [
        XMLElementName.metric, .extraElement, .extraData, .host, .cluster, .grid, .hosts, .metrics, .gangliaXML,
    ].map { (PackedText($0.text), $0) }

    static let attributes: [(PackedText, XMLAttributeName)] = [
        XMLAttributeName.name, .val, .type, .units, .tn, .tmax, .dmax, .slope, .source, .ip, .reported, .location,
        .gmondStarted, .tags, .localtime, .owner, .latlong, .url, .authority, .up, .down, .sum, .num, .version,
    ].map { (PackedText($0.text), $0) }

    /// Each key's word by `XMLAttributeName.rawValue` (`.other`'s matches nothing).
    static let keysByName: [PackedText] = (0...XMLAttributeName.other.rawValue).map { raw in
        attributes.first { $0.1.rawValue == raw }?.0 ?? PackedText(low: 0, high: 0, count: 17)
    }

    static let types: [(PackedText, MetricType)] = MetricType.allCases.map { (PackedText($0.rawValue), $0) }

    static let slopes: [(PackedText, Slope)] = Slope.allCases.map { (PackedText($0.name), $0) }
}

extension XMLLexer {
    /// The bytes `start..<end` packed; nil when longer than 16.
    @inline(__always)
    func packed(_ start: Int, _ end: Int) -> PackedText? {
        let n = end - start
        guard n <= 16 else { return nil }
        guard start + 16 <= count else { return PackedText(UnsafeBufferPointer(start: base + start, count: n)) }
        let raw = UnsafeRawPointer(base + start)
        var low = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
        var high = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        if n < 8 {
            low &= (1 << (8 * UInt64(n))) &- 1
            high = 0
        } else {
            high &= n == 16 ? .max : (1 << (8 * UInt64(n - 8))) &- 1
        }
        return PackedText(low: low, high: high, count: n)
    }

    @inline(__always)
    func lookUp<T>(_ start: Int, _ end: Int, in words: [(PackedText, T)]) -> T? {
        guard let text = packed(start, end) else { return nil }
        for (word, value) in words where word == text { return value }
        return nil
    }

    func classifyElement(_ start: Int, _ end: Int) -> XMLElementName {
        lookUp(start, end, in: XMLWords.elements) ?? .other
    }

    func classifyAttribute(_ start: Int, _ end: Int) -> XMLAttributeName {
        lookUp(start, end, in: XMLWords.attributes) ?? .other
    }

    /// An attribute's value as one of `words` (TYPE, SLOPE), compared without making a String.
    func match<T>(_ attribute: XMLAttribute, in words: [(PackedText, T)]) -> T? {
        lookUp(attribute.valueStart, attribute.valueEnd, in: words)
    }
}
