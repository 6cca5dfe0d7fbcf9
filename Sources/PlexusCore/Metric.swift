/// A metric of one host as the XML documents show it (`<METRIC>`): metadata plus the latest
/// value already rendered to text.
public struct Metric: Hashable, Sendable {
    /// `NAME`.
    public var name: MetricName
    /// `VAL`: the value rendered as text (see `ValueFormat`).
    public var value: String
    /// `TYPE`.
    public var type: MetricType
    /// `UNITS`.
    public var units: String
    /// `TN`: seconds since the value was reported.
    public var tn: UInt32
    /// `TMAX`: the longest expected interval between values.
    public var tmax: UInt32
    /// `DMAX`: seconds of silence before deletion; 0 = never.
    public var dmax: UInt32
    /// `SLOPE`.
    public var slope: Slope
    /// `EXTRA_DATA`, in document order (gmond prints the wire order reversed).
    public var extraData: [ExtraElement]

    public init(
        name: MetricName, value: String, type: MetricType, units: String = "", tn: UInt32 = 0,
        tmax: UInt32 = 60, dmax: UInt32 = 0, slope: Slope = .both, extraData: [ExtraElement] = []
    ) {
        self.name = name
        self.value = value
        self.type = type
        self.units = units
        self.tn = tn
        self.tmax = tmax
        self.dmax = dmax
        self.slope = slope
        self.extraData = extraData
    }

    /// The value as a number, for numeric types whose text parses.
    public var numericValue: Double? { Self.number(value, numeric: type.isNumeric) }

    /// A value's text as a number (nil for a string metric, or text that isn't one). Most
    /// values are plain decimals without padding: read those directly, then as the C library
    /// reads them, trimmed only when that fails.
    public static func number(_ text: String, numeric: Bool) -> Double? {
        guard numeric else { return nil }
        return DecimalText.double(text) ?? Double(text) ?? Double(text.trimmingASCIIWhitespace())
    }
}
