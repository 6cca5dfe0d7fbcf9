/// A bounds-checked cursor over one XDR datagram. Every read either returns a value or throws
/// an `XDRError` naming the field; nothing reads past the end.
struct XDRReader: ~Copyable {
    private let bytes: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    var remaining: Int { bytes.count - offset }

    mutating func uint32(_ field: String) throws(XDRError) -> UInt32 {
        guard remaining >= 4 else { throw .truncated(field: field, offset: offset, needed: 4 - remaining) }
        let b = bytes
        let o = offset
        offset += 4
        return UInt32(b[o]) << 24 | UInt32(b[o + 1]) << 16 | UInt32(b[o + 2]) << 8 | UInt32(b[o + 3])
    }

    mutating func uint64(_ field: String) throws(XDRError) -> UInt64 {
        guard remaining >= 8 else { throw .truncated(field: field, offset: offset, needed: 8 - remaining) }
        let high = try uint32(field)
        let low = try uint32(field)
        return UInt64(high) << 32 | UInt64(low)
    }

    mutating func bool(_ field: String) throws(XDRError) -> Bool {
        let word = try uint32(field)
        switch word {
        case 0: return false
        case 1: return true
        default: throw .invalidBool(field: field, value: word)
        }
    }

    /// A variable-length string: length, bytes, zero to three pad bytes (their content is
    /// ignored, as XDR receivers do).
    mutating func string(_ field: String) throws(XDRError) -> String {
        let start = offset
        let length = try uint32(field)
        let padded = (Int(length) + 3) & ~3
        guard Int(length) <= remaining else {
            throw .lengthBeyondDatagram(field: field, offset: start, length: length, available: remaining)
        }
        guard padded <= remaining else { throw .truncated(field: field, offset: start, needed: padded - remaining) }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + Int(length)])
        // ASCII (nearly every name, unit and value) is valid UTF-8 as it is; only other text is
        // validated (the generic validation was a twentieth of an agent's receive path).
        let text: String
        if slice.allSatisfy({ $0 < 0x80 }) {
            text = String(decoding: slice, as: UTF8.self)
        } else if let valid = String(validating: slice, as: UTF8.self) {
            text = valid
        } else {
            throw .invalidUTF8(field: field, offset: start)
        }
        offset += padded
        return text
    }

    /// A count prefix for an array whose elements take at least `minimumElementSize` bytes each;
    /// refused before anything is allocated when the datagram can't hold that many.
    mutating func count(_ field: String, minimumElementSize: Int) throws(XDRError) -> Int {
        let start = offset
        let count = try uint32(field)
        guard UInt64(count) * UInt64(minimumElementSize) <= UInt64(remaining) else {
            throw .lengthBeyondDatagram(field: field, offset: start, length: count, available: remaining)
        }
        return Int(count)
    }
}
