/// One sampled value as carried by a value packet (ids 129–135).
///
/// The case decides the packet id. Equality compares floating-point values by bit pattern, so a
/// NaN equals itself and a decoded packet equals the value it was encoded from.
public enum MetricValue: Sendable, CustomStringConvertible {
    case ushort(UInt16)
    case short(Int16)
    case int(Int32)
    case uint(UInt32)
    case string(String)
    case float(Float)
    case double(Double)

    /// The XDR message id that carries this kind of value.
    public var messageID: MessageID {
        switch self {
        case .ushort: .ushortValue
        case .short: .shortValue
        case .int: .intValue
        case .uint: .uintValue
        case .string: .stringValue
        case .float: .floatValue
        case .double: .doubleValue
        }
    }

    /// The value as a number, if it is one. String values are parsed, since gmetric sends every
    /// value as text whatever the declared type.
    public var numericValue: Double? {
        switch self {
        case .ushort(let v): Double(v)
        case .short(let v): Double(v)
        case .int(let v): Double(v)
        case .uint(let v): Double(v)
        case .float(let v): Double(v)
        case .double(let v): v
        case .string(let s): Double(s.trimmingASCIIWhitespace())
        }
    }

    public var description: String { ValueFormat.render(self, format: "") }
}

extension MetricValue: Hashable {
    public static func == (lhs: MetricValue, rhs: MetricValue) -> Bool {
        switch (lhs, rhs) {
        case (.ushort(let a), .ushort(let b)): a == b
        case (.short(let a), .short(let b)): a == b
        case (.int(let a), .int(let b)): a == b
        case (.uint(let a), .uint(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.float(let a), .float(let b)): a.bitPattern == b.bitPattern
        case (.double(let a), .double(let b)): a.bitPattern == b.bitPattern
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(messageID)
        switch self {
        case .ushort(let v): hasher.combine(v)
        case .short(let v): hasher.combine(v)
        case .int(let v): hasher.combine(v)
        case .uint(let v): hasher.combine(v)
        case .string(let v): hasher.combine(v)
        case .float(let v): hasher.combine(v.bitPattern)
        case .double(let v): hasher.combine(v.bitPattern)
        }
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs, CR and LF.
    public func trimmingASCIIWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) })
        else { return "" }
        return self[first...last]
    }
}
