#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Shares the texts a polled document repeats on every host (DESC, TITLE, long units and metric
/// names) and the extra-data lists made of them, across hosts and across polls of one source:
/// 1,000 hosts announce the same ~30 DESCs each poll, and each would otherwise be a String of its
/// own, and each metric's extra data an array of its own (`docs/architecture.md`, "Memory").
///
/// Texts are looked up by their raw bytes, so a text seen before costs a hash and a compare, and
/// no allocation. Bounded in entries and in bytes: past a bound a new text is simply not shared.
/// A full table starts over at the next document, so texts a source stopped sending don't keep
/// the room forever, and a hostile source sending unique texts only costs one table's worth.
/// Pure: no I/O, no clock.
public struct TextTable: Sendable {
    /// Shorter texts live inline in a String value: there is nothing to share.
    public static let minimumLength = 16

    /// The most texts plus lists held.
    public let maxEntries: Int
    /// The most bytes of text held (a list counts its texts' bytes and 16 per element).
    public let maxBytes: Int
    private var texts: [String] = []
    private var textHashes: [UInt64] = []
    private var textSlots: [Int32] = []
    private var lists: [[ExtraElement]] = []
    private var listHashes: [UInt64] = []
    private var listSlots: [Int32] = []
    public private(set) var bytes = 0

    /// A table that shares nothing (a reader without one).
    public static let disabled = TextTable(maxEntries: 0, maxBytes: 0)

    public init(maxEntries: Int = 50_000, maxBytes: Int = 4 << 20) {
        self.maxEntries = maxEntries
        self.maxBytes = maxBytes
    }

    public var isEnabled: Bool { maxEntries > 0 }
    /// Texts and lists held.
    public var count: Int { texts.count + lists.count }
    private var isFull: Bool { count >= maxEntries || bytes >= maxBytes }

    /// Called as a document begins: a full table starts over.
    public mutating func startDocument() {
        guard isEnabled, isFull else { return }
        self = TextTable(maxEntries: maxEntries, maxBytes: maxBytes)
    }

    /// The text of `raw` (valid UTF-8), the same String as before when it was seen before.
    public mutating func text(_ raw: UnsafeBufferPointer<UInt8>) -> String {
        guard isEnabled, raw.count >= Self.minimumLength else { return String(decoding: raw, as: UTF8.self) }
        let hash = Self.hash(raw, into: Self.seed)
        if !textSlots.isEmpty {
            var slot = Int(truncatingIfNeeded: hash) & (textSlots.count - 1)
            while textSlots[slot] >= 0 {
                let i = Int(textSlots[slot])
                if textHashes[i] == hash, Self.equal(texts[i], raw) { return texts[i] }
                slot = (slot + 1) & (textSlots.count - 1)
            }
        }
        let text = String(decoding: raw, as: UTF8.self)
        guard !isFull, bytes + raw.count <= maxBytes else { return text }
        bytes += raw.count
        texts.append(text)
        textHashes.append(hash)
        Self.insert(texts.count - 1, hash: hash, into: &textSlots, hashes: textHashes)
        return text
    }

    /// `elements`, or an equal list seen before (sharing one array and its texts).
    public mutating func list(_ elements: [ExtraElement]) -> [ExtraElement] {
        guard isEnabled, !elements.isEmpty else { return elements }
        var hash = Self.seed
        for element in elements {
            hash = Self.hash(element.name, into: hash)
            hash = Self.hash(element.value, into: hash)
        }
        if !listSlots.isEmpty {
            var slot = Int(truncatingIfNeeded: hash) & (listSlots.count - 1)
            while listSlots[slot] >= 0 {
                let i = Int(listSlots[slot])
                if listHashes[i] == hash, lists[i] == elements { return lists[i] }
                slot = (slot + 1) & (listSlots.count - 1)
            }
        }
        let size = elements.reduce(0) { $0 + 16 + $1.name.utf8.count + $1.value.utf8.count }
        guard !isFull, bytes + size <= maxBytes else { return elements }
        bytes += size
        lists.append(elements)
        listHashes.append(hash)
        Self.insert(lists.count - 1, hash: hash, into: &listSlots, hashes: listHashes)
        return elements
    }

    // MARK: - Open addressing, linear probing, at most half full

    private static func insert(_ index: Int, hash: UInt64, into slots: inout [Int32], hashes: [UInt64]) {
        if (index + 1) * 2 > slots.count {
            // Grow and place every entry again.
            slots = Array(repeating: -1, count: max(64, slots.count * 2))
            for i in 0..<index { place(i, hash: hashes[i], in: &slots) }
        }
        place(index, hash: hash, in: &slots)
    }

    private static func place(_ index: Int, hash: UInt64, in slots: inout [Int32]) {
        var slot = Int(truncatingIfNeeded: hash) & (slots.count - 1)
        while slots[slot] >= 0 { slot = (slot + 1) & (slots.count - 1) }
        slots[slot] = Int32(index)
    }

    // MARK: - FNV-1a over the UTF-8 bytes

    private static let seed: UInt64 = 0xcbf2_9ce4_8422_2325

    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>, into start: UInt64) -> UInt64 {
        var hash = start
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        // Ends each text, so ("ab", "c") and ("a", "bc") differ in a list.
        return (hash ^ 0xff) &* 0x0000_0100_0000_01b3
    }

    private static func hash(_ text: String, into start: UInt64) -> UInt64 {
        var text = text
        return text.withUTF8 { hash($0, into: start) }
    }

    private static func equal(_ text: String, _ raw: UnsafeBufferPointer<UInt8>) -> Bool {
        var text = text
        return text.withUTF8 { $0.count == raw.count && memcmp($0.baseAddress!, raw.baseAddress!, raw.count) == 0 }
    }
}
