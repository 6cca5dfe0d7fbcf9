#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension XMLLexer {
    /// The raw bytes of an attribute's value.
    func raw(_ attribute: XMLAttribute) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + attribute.valueStart, count: attribute.valueEnd - attribute.valueStart)
    }

    /// The decoded text of an attribute: entities and character references resolved; raw bytes
    /// read as UTF-8 when they are valid UTF-8, else as ISO-8859-1 (what the prolog declares —
    /// gmond writes UTF-8 names under that declaration, so valid UTF-8 is taken at its word).
    func string(_ attribute: XMLAttribute) -> String {
        let raw = UnsafeBufferPointer(start: base + attribute.valueStart, count: attribute.valueEnd - attribute.valueStart)
        if !attribute.hasAmpersand && !attribute.hasHighBytes {
            return String(decoding: raw, as: UTF8.self)
        }
        var bytes: [UInt8]
        if attribute.hasHighBytes, String(validating: raw, as: UTF8.self) == nil {
            bytes = []
            bytes.reserveCapacity(raw.count * 2)
            for b in raw { appendUTF8(UInt32(b), to: &bytes) }  // ISO-8859-1 byte = code point
        } else {
            bytes = Array(raw)
        }
        if attribute.hasAmpersand { bytes = unescape(bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Resolves `&lt; &gt; &amp; &quot; &apos; &#N; &#xH;`. An `&` that starts none of these is
    /// kept as text; a reference to a code point XML can't hold becomes U+FFFD.
    private func unescape(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            guard b == UInt8(ascii: "&"), let semi = bytes[i...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else {
                out.append(b)
                i += 1
                continue
            }
            let entity = bytes[(i + 1)..<semi]
            if let replacement = Self.namedEntity(entity) {
                out.append(replacement)
            } else if entity.first == UInt8(ascii: "#"), let scalar = Self.characterReference(entity.dropFirst()) {
                appendUTF8(scalar, to: &out)
            } else {
                out.append(b)
                i += 1
                continue
            }
            i = semi + 1
        }
        return out
    }

    private static func namedEntity(_ name: ArraySlice<UInt8>) -> UInt8? {
        switch String(decoding: name, as: UTF8.self) {
        case "lt": UInt8(ascii: "<")
        case "gt": UInt8(ascii: ">")
        case "amp": UInt8(ascii: "&")
        case "quot": UInt8(ascii: "\"")
        case "apos": UInt8(ascii: "'")
        default: nil
        }
    }

    private static func characterReference(_ digits: ArraySlice<UInt8>) -> UInt32? {
        var digits = digits
        var radix: UInt32 = 10
        if digits.first == UInt8(ascii: "x") || digits.first == UInt8(ascii: "X") {
            radix = 16
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.count <= 8 else { return nil }
        var value: UInt32 = 0
        for d in digits {
            guard let v = hexValue(d), v < radix else { return nil }
            value = value * radix + v
        }
        let allowed =
            value == 0x9 || value == 0xA || value == 0xD || (0x20...0xD7FF).contains(value)
            || (0xE000...0xFFFD).contains(value) || (0x10000...0x10FFFF).contains(value)
        return allowed ? value : 0xFFFD
    }

    private static func hexValue(_ b: UInt8) -> UInt32? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(b - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    private func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        guard let s = Unicode.Scalar(scalar), let encoded = UTF8.encode(s) else {
            return out.append(contentsOf: [0xEF, 0xBF, 0xBD])  // U+FFFD
        }
        out.append(contentsOf: encoded)
    }

    /// The attribute as a signed integer (optional sign, digits, surrounding spaces allowed),
    /// read straight from the bytes. Nil for anything else or on overflow.
    func int64(_ attribute: XMLAttribute) -> Int64? {
        var i = attribute.valueStart
        var end = attribute.valueEnd
        while i < end, base[i] == 0x20 { i += 1 }
        while end > i, base[end - 1] == 0x20 { end -= 1 }
        var negative = false
        if i < end, base[i] == UInt8(ascii: "-") || base[i] == UInt8(ascii: "+") {
            negative = base[i] == UInt8(ascii: "-")
            i += 1
        }
        guard i < end, end - i <= 18 else { return nil }
        var value: Int64 = 0
        while i < end {
            let d = base[i] &- UInt8(ascii: "0")
            guard d < 10 else { return nil }
            value = value * 10 + Int64(d)
            i += 1
        }
        return negative ? -value : value
    }
}
