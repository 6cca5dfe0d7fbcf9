/// Appends text as an XML attribute value that any parser reads back unchanged.
///
/// `& < > "` become entities; tab, LF and CR become character references (so attribute-value
/// normalization keeps them); every non-ASCII character becomes `&#N;` so the output is pure
/// ASCII and the ISO-8859-1 declaration stays true. Characters XML 1.0 cannot carry at all
/// (NUL and the other C0 controls, U+FFFE, U+FFFF) become U+FFFD.
enum XMLEscaping {
    static func append(_ text: String, to buffer: inout [UInt8]) {
        var plain = true
        for byte in text.utf8 where !isPlain(byte) {
            plain = false
            break
        }
        if plain {
            buffer.append(contentsOf: text.utf8)
            return
        }
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v < 0x80, isPlain(UInt8(v)) {
                buffer.append(UInt8(v))
                continue
            }
            switch v {
            case 0x26: buffer.append(contentsOf: "&amp;".utf8)
            case 0x3C: buffer.append(contentsOf: "&lt;".utf8)
            case 0x3E: buffer.append(contentsOf: "&gt;".utf8)
            case 0x22: buffer.append(contentsOf: "&quot;".utf8)
            case 0x09, 0x0A, 0x0D: appendReference(v, to: &buffer)
            case 0..<0x20, 0xFFFE, 0xFFFF: appendReference(0xFFFD, to: &buffer)
            default: appendReference(v, to: &buffer)
            }
        }
    }

    @inline(__always)
    private static func isPlain(_ byte: UInt8) -> Bool {
        byte >= 0x20 && byte < 0x7F && byte != 0x26 && byte != 0x3C && byte != 0x3E && byte != 0x22
    }

    private static func appendReference(_ value: UInt32, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: "&#".utf8)
        buffer.appendDecimal(Int64(value))
        buffer.append(UInt8(ascii: ";"))
    }
}

extension [UInt8] {
    /// Appends the decimal digits of `value` without building a String.
    mutating func appendDecimal(_ value: Int64) {
        if value < 0 { append(UInt8(ascii: "-")) }
        var rest = value.magnitude
        var divisor: UInt64 = 1
        while rest / divisor >= 10 { divisor *= 10 }
        repeat {
            append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        } while divisor > 0
    }
}
