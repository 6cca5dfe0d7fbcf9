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
    /// EXTRA_DATA contents read before, by their bytes, and what they were read as.
    private var blocks: [[UInt8]] = []
    private var blockValues: [Block] = []
    private var blockHashes: [UInt64] = []
    private var blockSlots: [Int32] = []
    public private(set) var bytes = 0
    private let seed: UInt64
    /// Slots looked at before a lookup gives up (at most half full, a real text needs one or two).
    static let maxProbes = 32

    /// A table that shares nothing (a reader without one).
    public static let disabled = TextTable(maxEntries: 0, maxBytes: 0, seed: 0)

    /// `seed` varies the hash (random by default, so a source can't aim at it).
    public init(maxEntries: Int = 50_000, maxBytes: Int = 4 << 20, seed: UInt64 = .random(in: .min ... .max)) {
        self.maxEntries = maxEntries
        self.maxBytes = maxBytes
        self.seed = seed
    }

    public var isEnabled: Bool { maxEntries > 0 }
    /// Texts, lists and blocks held.
    public var count: Int { texts.count + lists.count + blocks.count }
    private var isFull: Bool { count >= maxEntries || bytes >= maxBytes }

    /// Called as a document begins: a full table starts over.
    public mutating func startDocument() {
        guard isEnabled, isFull else { return }
        self = TextTable(maxEntries: maxEntries, maxBytes: maxBytes, seed: seed)
    }

    /// The text of `raw` (valid UTF-8), the same String as before when it was seen before.
    public mutating func text(_ raw: UnsafeBufferPointer<UInt8>) -> String {
        text(raw, hash: hash(raw))
    }

    /// The same, with `hash(raw)` already known.
    public mutating func text(_ raw: UnsafeBufferPointer<UInt8>, hash: UInt64) -> String {
        guard isEnabled, raw.count >= Self.minimumLength else { return String(decoding: raw, as: UTF8.self) }
        let probe = Self.probe(textSlots, hash: hash, hashes: textHashes) { Self.equal(texts[$0], raw) }
        if case .found(let i) = probe { return texts[i] }
        let text = String(decoding: raw, as: UTF8.self)
        guard probe == .room, !isFull, bytes + raw.count <= maxBytes else { return text }
        bytes += raw.count
        texts.append(text)
        textHashes.append(hash)
        Self.insert(texts.count - 1, hash: hash, into: &textSlots, hashes: textHashes)
        return text
    }

    /// This table's hash of a text's bytes.
    public func hash(_ raw: UnsafeBufferPointer<UInt8>) -> UInt64 { Self.hash(raw, into: seed) }

    /// A list's hash before its first element; `adding(_:to:)` each name's and value's hash.
    public var emptyListHash: UInt64 { seed }

    public static func adding(_ textHash: UInt64, to listHash: UInt64) -> UInt64 { mix(listHash, textHash) }

    /// `elements`, or an equal list seen before (sharing one array and its texts).
    public mutating func list(_ elements: [ExtraElement]) -> [ExtraElement] {
        guard isEnabled, !elements.isEmpty else { return elements }
        var hash = emptyListHash
        for element in elements {
            hash = Self.adding(Self.hash(element.name, into: seed), to: hash)
            hash = Self.adding(Self.hash(element.value, into: seed), to: hash)
        }
        return list(elements, hash: hash)
    }

    /// The same, with the list's hash already known (the reader adds up its texts' as it goes).
    public mutating func list(_ elements: [ExtraElement], hash: UInt64) -> [ExtraElement] {
        guard isEnabled, !elements.isEmpty else { return elements }
        let hash = Self.finish(hash)
        let probe = Self.probe(listSlots, hash: hash, hashes: listHashes) { lists[$0] == elements }
        if case .found(let i) = probe { return lists[i] }
        let size = elements.reduce(0) { $0 + 16 + $1.name.utf8.count + $1.value.utf8.count }
        guard probe == .room, !isFull, bytes + size <= maxBytes else { return elements }
        bytes += size
        lists.append(elements)
        listHashes.append(hash)
        Self.insert(lists.count - 1, hash: hash, into: &listSlots, hashes: listHashes)
        return elements
    }

    /// What the content of an EXTRA_DATA element was read as: its elements (shared, as `list`
    /// returns them) and the list hash the reader adds up from their texts.
    public struct Block: Sendable {
        public var elements: [ExtraElement]
        public var listHash: UInt64
    }

    /// What the bytes `raw` (the content of an EXTRA_DATA element, between its tags) were read as
    /// when the same bytes were read before without a fault: reading them again would give the
    /// same elements, so the reader skips them. One hash and one compare, like a text.
    public func block(_ raw: UnsafeBufferPointer<UInt8>) -> Block? { block(raw, hash: hash(raw)) }

    /// The same, with `hash(raw)` already known.
    public func block(_ raw: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Block? {
        guard isEnabled, !blockSlots.isEmpty else { return nil }
        let probe = Self.probe(blockSlots, hash: hash, hashes: blockHashes) { Self.equal(blocks[$0], raw) }
        guard case .found(let i) = probe else { return nil }
        return blockValues[i]
    }

    /// Remembers what `raw` was read as (`block` finds it from then on), within the bounds.
    /// `hash` is `hash(raw)`, known already from the lookup that missed.
    public mutating func remember(block raw: UnsafeBufferPointer<UInt8>, hash: UInt64, as value: Block) {
        guard isEnabled, !isFull, bytes + raw.count <= maxBytes else { return }
        guard Self.probe(blockSlots, hash: hash, hashes: blockHashes, matches: { Self.equal(blocks[$0], raw) }) == .room else { return }
        bytes += raw.count
        blocks.append(Array(raw))
        blockValues.append(value)
        blockHashes.append(hash)
        Self.insert(blocks.count - 1, hash: hash, into: &blockSlots, hashes: blockHashes)
    }

    // MARK: - Open addressing, linear probing, at most half full

    private enum Probe: Equatable {
        /// The entry at this index matches.
        case found(Int)
        /// Not there, and a free slot was reached: it may be added.
        case room
        /// `maxProbes` slots looked at, all taken by others (texts crafted to collide).
        case exhausted
    }

    @inline(__always)
    private static func probe(_ slots: [Int32], hash: UInt64, hashes: [UInt64], matches: (Int) -> Bool) -> Probe {
        guard !slots.isEmpty else { return .room }
        var slot = Int(truncatingIfNeeded: hash) & (slots.count - 1)
        for _ in 0..<maxProbes {
            guard slots[slot] >= 0 else { return .room }
            let i = Int(slots[slot])
            if hashes[i] == hash, matches(i) { return .found(i) }
            slot = (slot + 1) & (slots.count - 1)
        }
        return .exhausted
    }

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

    // MARK: - Hashing: eight bytes at a time, seeded per table

    /// Mixes the bytes in words (a document's texts are hashed tens of thousands of times a
    /// poll; byte-at-a-time FNV was a tenth of the read). Seeded per table and probed at most
    /// `maxProbes` slots, so texts crafted to collide cost a bounded search and end unshared.
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>, into start: UInt64) -> UInt64 {
        let n = bytes.count
        var hash = (start ^ UInt64(n)) &* 0x9E37_79B9_7F4A_7C15
        guard let base = bytes.baseAddress else { return hash }
        let raw = UnsafeRawPointer(base)
        var i = 0
        while i + 8 <= n {
            hash = mix(hash, raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n {
            tail |= UInt64(base[i]) << shift
            shift += 8
            i += 1
        }
        return finish(mix(hash, tail))
    }

    /// Spreads every input bit over the low bits the slots are taken from (texts often differ
    /// only in their last bytes: "... disk 1", "... disk 2").
    @inline(__always)
    private static func finish(_ hash: UInt64) -> UInt64 {
        var h = (hash ^ (hash >> 33)) &* 0xFF51_AFD7_ED55_8CCD
        h = (h ^ (h >> 33)) &* 0xC4CE_B9FE_1A85_EC53
        return h ^ (h >> 33)
    }

    @inline(__always)
    private static func mix(_ hash: UInt64, _ word: UInt64) -> UInt64 {
        let h = (hash ^ word) &* 0xBF58_476D_1CE4_E5B9
        return h ^ (h >> 31)
    }

    private static func hash(_ text: String, into start: UInt64) -> UInt64 {
        var text = text
        return text.withUTF8 { hash($0, into: start) }
    }

    private static func equal(_ bytes: [UInt8], _ raw: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count == raw.count, let rawBase = raw.baseAddress, !bytes.isEmpty else { return bytes.count == raw.count }
        return bytes.withUnsafeBufferPointer { memcmp($0.baseAddress!, rawBase, raw.count) == 0 }
    }

    private static func equal(_ text: String, _ raw: UnsafeBufferPointer<UInt8>) -> Bool {
        var text = text
        return text.withUTF8 { $0.count == raw.count && memcmp($0.baseAddress!, raw.baseAddress!, raw.count) == 0 }
    }
}
