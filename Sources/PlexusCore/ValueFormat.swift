import Synchronization

#if canImport(CGlibc)
    import CGlibc
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A printf-style value format (`%.2f`, `%u`, `%s`...) parsed by us, never handed to printf.
///
/// Value packets carry the sender's format; gmond passes it straight to `snprintf`, a remote
/// format-string hole. We accept one conversion with optional flags, width, precision and length
/// modifier, plus literal text around it (`%%` for a percent sign), and render it by building a
/// canonical C format from the parsed parts ourselves. Anything else — `*` widths, `%n`, two
/// conversions, a conversion that doesn't fit the value — falls back to `defaultText(for:)`.
public struct ValueFormat: Hashable, Sendable {
    /// The conversion character's meaning.
    public enum Conversion: Character, Hashable, Sendable {
        case signedDecimal = "d", signedDecimalI = "i", unsignedDecimal = "u", octal = "o"
        case hexLower = "x", hexUpper = "X"
        case fixed = "f", fixedUpper = "F", exponent = "e", exponentUpper = "E"
        case general = "g", generalUpper = "G", hexFloat = "a", hexFloatUpper = "A"
        case string = "s"

        var isInteger: Bool { "diuoxX".contains(rawValue) }
        var isFloating: Bool { "fFeEgGaA".contains(rawValue) }
        var isSigned: Bool { self == .signedDecimal || self == .signedDecimalI }
    }

    /// Largest width and precision we render; larger ones are treated as invalid.
    public static let maxWidth = 64
    public static let maxPrecision = 40

    /// Literal text before the conversion (with `%%` already turned into `%`).
    public var prefix: String
    /// Flags out of `-+ #0`, in the order given.
    public var flags: String
    public var width: Int?
    public var precision: Int?
    public var conversion: Conversion
    /// Literal text after the conversion.
    public var suffix: String
    /// The C formats built from the parsed parts: `%`, flags, width, precision and the
    /// conversion, for a double and (with `ll`) for an integer.
    private var floatingSpec: String
    private var integerSpec: String
    /// No flags and no width: a floating conversion goes through `strfromd` (no variadic call),
    /// a decimal integer without precision is Swift's own text.
    private var plain: Bool

    /// Parses `format`; nil when it is not exactly one safe conversion.
    public init?(parsing format: String) {
        var prefix = "", suffix = "", flags = ""
        var width: Int?, precision: Int?
        var conversion: Conversion?
        var chars = Array(format)[...]
        while let c = chars.popFirst() {
            guard c == "%" else {
                if conversion == nil { prefix.append(c) } else { suffix.append(c) }
                continue
            }
            if chars.first == "%" {
                chars.removeFirst()
                if conversion == nil { prefix.append("%") } else { suffix.append("%") }
                continue
            }
            guard conversion == nil else { return nil }  // a second conversion
            while let f = chars.first, "-+ #0".contains(f) {
                flags.append(f)
                chars.removeFirst()
            }
            width = Self.number(&chars)
            if chars.first == "." {
                chars.removeFirst()
                precision = Self.number(&chars) ?? 0
            }
            while let l = chars.first, "hlLqjzt".contains(l) { chars.removeFirst() }
            guard let conv = chars.popFirst().flatMap(Conversion.init(rawValue:)) else { return nil }
            guard (width ?? 0) <= Self.maxWidth, (precision ?? 0) <= Self.maxPrecision else { return nil }
            conversion = conv
        }
        guard let conversion else { return nil }
        self.prefix = prefix
        self.flags = flags
        self.width = width
        self.precision = precision
        self.conversion = conversion
        self.suffix = suffix
        let spec = "%" + flags + (width.map(String.init) ?? "") + (precision.map { ".\($0)" } ?? "")
        floatingSpec = spec + String(conversion.rawValue)
        integerSpec = spec + "ll" + String(conversion.rawValue)
        plain = flags.isEmpty && width == nil
    }

    private static func number(_ chars: inout ArraySlice<Character>) -> Int? {
        var value: Int?
        while let c = chars.first, let digit = c.wholeNumberValue, c.isASCII {
            value = min((value ?? 0) * 10 + digit, 10_000)
            chars.removeFirst()
        }
        return value
    }

    /// Whether this format can render `value` (integers also render through floating conversions).
    public func accepts(_ value: MetricValue) -> Bool {
        switch value {
        case .string: conversion == .string
        case .float, .double: conversion.isFloating
        case .ushort, .short, .int, .uint: conversion.isInteger || conversion.isFloating
        }
    }

    /// Renders `value` with this format, or nil if the format doesn't fit the value.
    public func render(_ value: MetricValue) -> String? {
        guard accepts(value) else { return nil }
        let body: String
        switch value {
        case .string(let s):
            body = pad(precision.map { String(s.prefix($0)) } ?? s)
        case .float(let v): body = floating(Double(v))
        case .double(let v): body = floating(v)
        case .ushort, .short, .int, .uint:
            let signed = value.integerValue
            // As C does for an int argument: the 32-bit two's complement of a negative value.
            let unsigned = UInt64(UInt32(truncatingIfNeeded: signed))
            if conversion.isFloating {
                body = floating(Double(signed))
            } else if plain, precision == nil, conversion.isSigned {
                body = String(signed)
            } else if plain, precision == nil, conversion == .unsignedDecimal {
                body = String(unsigned)
            } else if conversion.isSigned {
                body = Self.cFormat(integerSpec, signed)
            } else {
                body = Self.cFormat(integerSpec, unsigned)
            }
        }
        return prefix + body + suffix
    }

    private func floating(_ v: Double) -> String {
        guard plain else { return Self.cFormat(floatingSpec, v) }
        // strfromd takes `%[.precision]conversion` only, which a plain format is.
        return Self.written { strfromd($0, $1, floatingSpec, v) }
    }

    private func pad(_ s: String) -> String {
        guard let width, s.count < width else { return s }
        let fill = String(repeating: " ", count: width - s.count)
        return flags.contains("-") ? s + fill : fill + s
    }

    /// `format` applied to one argument (the general path: flags and widths).
    static func cFormat(_ format: String, _ argument: any CVarArg) -> String {
        written { buffer, size in withVaList([argument]) { vsnprintf(buffer, size, format, $0) } }
    }

    /// What `write` (snprintf's contract: the length it needed, negative on error) puts in a
    /// buffer on the stack; written again on the heap when longer (a width of 64 and text
    /// around it). Every value datagram an agent hears is rendered: no array per call.
    private static func written(_ write: (UnsafeMutablePointer<CChar>, Int) -> Int32) -> String {
        let (text, needed) = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 128) { buffer -> (String?, Int) in
            let n = Int(write(buffer.baseAddress!, buffer.count))
            guard n >= 0, n < buffer.count else { return (nil, n) }
            return (String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress, count: n), as: UTF8.self), n)
        }
        if let text { return text }
        guard needed >= 0 else { return "" }
        var heap = [CChar](repeating: 0, count: needed + 1)
        _ = heap.withUnsafeMutableBufferPointer { write($0.baseAddress!, $0.count) }
        return String(decoding: heap.prefix(needed).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Renders `value` the way gmond shows it in XML, using the sender's `format` only when it
    /// parses and fits the value; otherwise `defaultText(for:)`.
    public static func render(_ value: MetricValue, format: String) -> String {
        parsed(format).format?.render(value) ?? defaultText(for: value)
    }

    /// A parsed format as the cache holds it: one reference to hand out, not five texts.
    final class Parsed: Sendable {
        let format: ValueFormat?
        init(_ format: ValueFormat?) { self.format = format }
    }

    /// Formats already parsed: a cluster's senders use a handful ("%.2f", "%u", "%s"), and
    /// parsing one per datagram was a tenth of an agent's receive path. Bounded: a sender
    /// inventing formats empties it now and then, nothing more.
    private static let cache = Mutex<[String: Parsed]>([:])
    static let maxCached = 256

    /// Formats held in the cache now.
    static var cachedCount: Int { cache.withLock { $0.count } }

    static func parsed(_ format: String) -> Parsed {
        if let known = cache.withLock({ $0[format] }) { return known }
        let parsed = Parsed(ValueFormat(parsing: format))
        cache.withLock { cache in
            if cache.count >= maxCached { cache.removeAll(keepingCapacity: true) }
            cache[format] = parsed
        }
        return parsed
    }

    /// The fallback text: decimal integers, the string itself, whole floats as integers, other
    /// floats as the shortest text that reads back as the same value.
    public static func defaultText(for value: MetricValue) -> String {
        switch value {
        case .ushort(let v): String(v)
        case .short(let v): String(v)
        case .int(let v): String(v)
        case .uint(let v): String(v)
        case .string(let s): s
        case .float(let v): shortestText(Double(v), fallback: v.description)
        case .double(let v): shortestText(v, fallback: v.description)
        }
    }

    /// Whole numbers as integers (no exponent, no `.0`), others as the shortest round-trip text.
    private static func shortestText(_ v: Double, fallback: String) -> String {
        if v.isFinite, v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return fallback
    }
}

extension MetricValue {
    /// Integer cases widened to Int64 (0 for the others).
    var integerValue: Int64 {
        switch self {
        case .ushort(let v): Int64(v)
        case .short(let v): Int64(v)
        case .int(let v): Int64(v)
        case .uint(let v): Int64(v)
        case .string, .float, .double: 0
        }
    }
}
