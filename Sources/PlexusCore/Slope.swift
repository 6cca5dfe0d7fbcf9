/// How a metric's value moves over time; decides the RRD data-source type gmetad creates.
///
/// The raw value is the XDR wire value (`include/ganglia.h`: ZERO=0 … DERIVATIVE=5).
public enum Slope: UInt32, CaseIterable, Hashable, Sendable {
    case zero = 0
    case positive = 1
    case negative = 2
    case both = 3
    case unspecified = 4
    case derivative = 5

    /// The word used in the XML `SLOPE` attribute.
    public var name: String {
        switch self {
        case .zero: "zero"
        case .positive: "positive"
        case .negative: "negative"
        case .both: "both"
        case .unspecified: "unspecified"
        case .derivative: "derivative"
        }
    }

    /// Parses the XML word (case-sensitive, as Ganglia writes it).
    public init?(name: String) {
        guard let slope = Slope.allCases.first(where: { $0.name == name }) else { return nil }
        self = slope
    }
}
