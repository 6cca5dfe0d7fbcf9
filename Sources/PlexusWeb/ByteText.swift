import NIOCore
import PlexusArchive
import PlexusCore
import PlexusViews

/// Text written as bytes, for the answers that list a whole cluster (a thousand hosts' figures
/// on a page, their rows in JSON): appending small `String`s to a `String` cost more than
/// everything else such a page does, and `JSONEncoder` twice that.
struct ByteText {
    fileprivate(set) var bytes: [UInt8] = []

    init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    mutating func put(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    mutating func put(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// `text` as HTML text, escaped as Mustache's `{{x}}` escapes.
    mutating func putHTML(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            var from = 0
            for (i, byte) in utf8.enumerated() {
                let entity: StaticString
                switch byte {
                case UInt8(ascii: "&"): entity = "&amp;"
                case UInt8(ascii: "<"): entity = "&lt;"
                case UInt8(ascii: ">"): entity = "&gt;"
                case UInt8(ascii: "\""): entity = "&quot;"
                case UInt8(ascii: "'"): entity = "&#39;"
                default: continue
                }
                bytes.append(contentsOf: utf8[from..<i])
                put(entity)
                from = i + 1
            }
            bytes.append(contentsOf: utf8[from...])
        }
    }

    /// `text` as a JSON string, quoted: as it is when nothing needs escaping (almost every
    /// name), else by `ExportText.quoted`'s rules (`<` escaped too, so no answer can close a
    /// `<script>`).
    mutating func putJSON(_ text: String) {
        let plain = text.utf8.allSatisfy { $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") && $0 != UInt8(ascii: "<") }
        guard plain else { return put(ExportText.quoted(text)) }
        bytes.append(UInt8(ascii: "\""))
        put(text)
        bytes.append(UInt8(ascii: "\""))
    }

    /// A JSON object written member by member, in the order given (callers keep it sorted, as
    /// `JSONBody.encode` sorts keys); a nil is left out, as the encoder leaves out an absent optional.
    mutating func putObject(_ members: (inout JSONMembers) -> Void) {
        var writer = JSONMembers(text: self)
        bytes = []
        writer.text.bytes.append(UInt8(ascii: "{"))
        members(&writer)
        writer.text.bytes.append(UInt8(ascii: "}"))
        self = writer.text
    }

    var string: String { String(decoding: bytes, as: UTF8.self) }
}

/// The members of a JSON object being written (`ByteText.putObject`).
struct JSONMembers {
    fileprivate var text: ByteText
    private var first = true

    fileprivate init(text: ByteText) {
        self.text = text
    }

    private mutating func key(_ key: StaticString) {
        if !first { text.bytes.append(UInt8(ascii: ",")) }
        first = false
        text.bytes.append(UInt8(ascii: "\""))
        text.put(key)
        text.put("\":")
    }

    mutating func add(_ key: StaticString, _ value: String) {
        self.key(key)
        text.putJSON(value)
    }

    mutating func add(_ key: StaticString, _ value: Double?) {
        guard let number = value.flatMap(JSONBody.number) else { return }
        self.key(key)
        text.put(number)
    }

    mutating func add<I: BinaryInteger>(_ key: StaticString, _ value: I) {
        self.key(key)
        text.put(String(value))
    }

    /// A member whose value is JSON already.
    mutating func add(_ key: StaticString, json: String) {
        self.key(key)
        text.put(json)
    }

    mutating func add(_ key: StaticString, json: (inout ByteText) -> Void) {
        self.key(key)
        json(&text)
    }
}
