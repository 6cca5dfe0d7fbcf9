/// TOML's unquoted values from their token: booleans, integers (decimal, `0x`, `0o`, `0b`, with
/// `_` between digits), floats (`inf`, `nan`), offset and local dates and times (RFC 3339).
enum TOMLScalar {
    static func read(_ token: ArraySlice<UInt8>) -> Result<TOMLValue, TOMLScalarError> {
        let text = String(decoding: token, as: UTF8.self)
        switch text {
        case "true": return .success(.boolean(true))
        case "false": return .success(.boolean(false))
        case "inf", "+inf": return .success(.float(.infinity))
        case "-inf": return .success(.float(-.infinity))
        case "nan", "+nan", "-nan": return .success(.float(.nan))
        default: break
        }
        if let first = token.first, TOMLReader.digit(first, radix: 10) != nil,
            token.dropFirst(2).first == UInt8(ascii: ":") || token.dropFirst(4).first == UInt8(ascii: "-")
        {
            return isDateTime(token) ? .success(.dateTime(text)) : .failure(.init("\(text) is not a valid date or time"))
        }
        return number(token, text: text)
    }

    static func number(_ token: ArraySlice<UInt8>, text: String) -> Result<TOMLValue, TOMLScalarError> {
        let invalid = TOMLScalarError("\(text) is not a valid value (a string needs quotes)")
        var body = token
        let sign = body.first.flatMap { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") ? $0 : nil }
        if sign != nil { body = body.dropFirst() }
        if body.count > 2, body.first == UInt8(ascii: "0"), let radix = radix(body[body.startIndex + 1]) {
            let digits = body.dropFirst(2)
            guard sign == nil, isDigits(digits, radix: radix) else { return .failure(invalid) }
            guard let value = Int(String(decoding: digits.filter { $0 != UInt8(ascii: "_") }, as: UTF8.self), radix: radix) else {
                return .failure(.init("\(text) is out of the 64-bit integer range"))
            }
            return .success(.integer(value))
        }
        let integerEnd = body.firstIndex { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") } ?? body.endIndex
        let integerPart = body[..<integerEnd]
        guard isDigits(integerPart, radix: 10) else { return .failure(invalid) }
        guard integerPart.count == 1 || integerPart.first != UInt8(ascii: "0") else {
            return .failure(.init("\(text): a decimal number has no leading zeros"))
        }
        let plain = String(decoding: token.filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
        if integerEnd == body.endIndex {
            guard let value = Int(plain) else { return .failure(.init("\(text) is out of the 64-bit integer range")) }
            return .success(.integer(value))
        }
        var rest = body[integerEnd...]
        if rest.first == UInt8(ascii: ".") {
            let end = rest.firstIndex { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") } ?? rest.endIndex
            guard isDigits(rest[(rest.startIndex + 1)..<end], radix: 10) else { return .failure(invalid) }
            rest = rest[end...]
        }
        if let marker = rest.first {
            guard marker == UInt8(ascii: "e") || marker == UInt8(ascii: "E") else { return .failure(invalid) }
            var exponent = rest.dropFirst()
            if exponent.first == UInt8(ascii: "+") || exponent.first == UInt8(ascii: "-") { exponent = exponent.dropFirst() }
            guard isDigits(exponent, radix: 10) else { return .failure(invalid) }
        }
        guard let value = Double(plain) else { return .failure(invalid) }
        return .success(.float(value))
    }

    static func radix(_ marker: UInt8) -> Int? {
        switch marker {
        case UInt8(ascii: "x"): 16
        case UInt8(ascii: "o"): 8
        case UInt8(ascii: "b"): 2
        default: nil
        }
    }

    /// One or more digits of `radix`, an underscore only between two digits.
    static func isDigits(_ digits: ArraySlice<UInt8>, radix: Int) -> Bool {
        guard let first = digits.first, let last = digits.last, first != UInt8(ascii: "_"), last != UInt8(ascii: "_") else { return false }
        var previous: UInt8 = 0
        for byte in digits {
            if byte == UInt8(ascii: "_") {
                if previous == byte { return false }
            } else if TOMLReader.digit(byte, radix: radix) == nil {
                return false
            }
            previous = byte
        }
        return true
    }

    /// `1979-05-27`, `07:32:00.999`, `1979-05-27T07:32:00`, `1979-05-27 07:32:00-07:00` ...
    static func isDateTime(_ token: ArraySlice<UInt8>) -> Bool {
        var cursor = Cursor(bytes: token)
        if token.dropFirst(2).first == UInt8(ascii: ":") { return cursor.time() && cursor.atEnd }
        guard cursor.date() else { return false }
        if cursor.atEnd { return true }
        guard cursor.take(where: { $0 == UInt8(ascii: "T") || $0 == UInt8(ascii: "t") || $0 == UInt8(ascii: " ") }), cursor.time() else { return false }
        if cursor.atEnd { return true }
        if cursor.take(where: { $0 == UInt8(ascii: "Z") || $0 == UInt8(ascii: "z") }) { return cursor.atEnd }
        guard cursor.take(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") }), let hours = cursor.number(2), hours < 24,
            cursor.take(UInt8(ascii: ":")), let minutes = cursor.number(2), minutes < 60
        else { return false }
        return cursor.atEnd
    }

    struct Cursor {
        let bytes: ArraySlice<UInt8>
        var index: Int

        init(bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
            index = bytes.startIndex
        }

        var atEnd: Bool { index == bytes.endIndex }

        mutating func take(where accept: (UInt8) -> Bool) -> Bool {
            guard index < bytes.endIndex, accept(bytes[index]) else { return false }
            index += 1
            return true
        }

        mutating func take(_ byte: UInt8) -> Bool { take { $0 == byte } }

        /// Exactly `count` decimal digits.
        mutating func number(_ count: Int) -> Int? {
            var value = 0
            for _ in 0..<count {
                guard index < bytes.endIndex, let digit = TOMLReader.digit(bytes[index], radix: 10) else { return nil }
                value = value * 10 + digit
                index += 1
            }
            return value
        }

        mutating func date() -> Bool {
            guard let year = number(4), take(UInt8(ascii: "-")), let month = number(2), (1...12).contains(month), take(UInt8(ascii: "-")),
                let day = number(2), day >= 1
            else { return false }
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
            return day <= days
        }

        mutating func time() -> Bool {
            guard let hour = number(2), hour < 24, take(UInt8(ascii: ":")), let minute = number(2), minute < 60, take(UInt8(ascii: ":")),
                let second = number(2), second <= 60
            else { return false }
            if take(UInt8(ascii: ".")) {
                guard number(1) != nil else { return false }
                while number(1) != nil {}
            }
            return true
        }
    }
}

struct TOMLScalarError: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
