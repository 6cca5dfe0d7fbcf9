/// Plain decimal numbers (`12.50`, `-3`, `0.001`) read without the C library: a poll of a
/// thousand hosts has thirty thousand of them, read again by every alert evaluation. Exact:
/// only numbers whose digits fit a double exactly (at most 2^53) with at most 22 decimals take
/// this path, where one correctly rounded division gives the same double as `Double(String)`
/// (Clinger's fast path); anything else (exponents, more digits, `nan`, padding) is nil, for
/// `Double(String)` to read.
public enum DecimalText {
    static let powersOfTen: [Double] = (0...22).map { exponent in (0..<exponent).reduce(1.0) { value, _ in value * 10 } }

    public static func double(_ text: String) -> Double? {
        var text = text
        return text.withUTF8 { bytes -> Double? in
            var i = 0
            var negative = false
            if i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
                negative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            var mantissa: UInt64 = 0
            var digits = 0
            var decimals = 0
            var point = false
            while i < bytes.count {
                let byte = bytes[i]
                if byte == UInt8(ascii: "."), !point {
                    point = true
                } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                    guard digits < 19 else { return nil }
                    mantissa = mantissa * 10 + UInt64(byte - UInt8(ascii: "0"))
                    if mantissa > 0 || point { digits += mantissa > 0 ? 1 : 0 }
                    if point { decimals += 1 }
                } else {
                    return nil
                }
                i += 1
            }
            // Digits were needed, on one side of the point at least.
            guard i > (negative || bytes.first == UInt8(ascii: "+") ? 1 : 0) + (point ? 1 : 0), mantissa <= 1 << 53, decimals <= 22 else {
                return nil
            }
            let value = Double(mantissa) / powersOfTen[decimals]
            return negative ? -value : value
        }
    }
}
