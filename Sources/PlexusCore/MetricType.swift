/// The value type of a metric, as Ganglia names it in metadata packets and in the XML `TYPE` attribute.
public enum MetricType: String, CaseIterable, Hashable, Sendable {
    case string, int8, uint8, int16, uint16, int32, uint32, float, double, timestamp

    /// Whether gmetad sums this type into cluster and grid summaries (numeric, not `timestamp`).
    public var isSummarized: Bool {
        switch self {
        case .string, .timestamp: false
        default: true
        }
    }

    /// Whether the type holds a number (everything but `string`).
    public var isNumeric: Bool { self != .string }

    /// Whether values of this type are whole numbers.
    public var isInteger: Bool {
        switch self {
        case .int8, .uint8, .int16, .uint16, .int32, .uint32, .timestamp: true
        case .string, .float, .double: false
        }
    }
}
