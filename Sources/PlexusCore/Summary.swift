/// `<HOSTS>`: how many hosts of a cluster or grid are up and down.
public struct HostCounts: Hashable, Sendable {
    public var up: Int
    public var down: Int
    /// `SOURCE`: "gmond" or "gmetad" (gmetad always writes "gmetad").
    public var source: String

    public init(up: Int, down: Int, source: String = "gmetad") {
        self.up = up
        self.down = down
        self.source = source
    }
}

/// `<METRICS>`: one metric summed over the up hosts of a cluster or grid.
public struct MetricSummary: Hashable, Sendable {
    public var name: MetricName
    /// `SUM`.
    public var sum: Double
    /// Digits after the decimal point when `SUM` is printed (gmetad keeps the first value's).
    public var precision: Int
    /// `NUM`: how many hosts contributed.
    public var num: Int
    /// `TYPE` (gmetad writes "double").
    public var type: MetricType
    public var units: String
    public var slope: Slope
    /// `SOURCE` (gmetad writes "gmond").
    public var source: String
    public var extraData: [ExtraElement]

    public init(
        name: MetricName, sum: Double, precision: Int = 0, num: Int, type: MetricType = .double, units: String = "",
        slope: Slope = .both, source: String = "gmond", extraData: [ExtraElement] = []
    ) {
        self.name = name
        self.sum = sum
        self.precision = precision
        self.num = num
        self.type = type
        self.units = units
        self.slope = slope
        self.source = source
        self.extraData = extraData
    }

    /// The number of digits after the `.` in a value's text, as gmetad measures "precision".
    public static func precision(of text: some StringProtocol) -> Int {
        guard let dot = text.utf8.firstIndex(of: UInt8(ascii: ".")) else { return 0 }
        return text.utf8[text.utf8.index(after: dot)...].prefix(while: { (0x30...0x39).contains($0) }).count
    }
}

/// What `?filter=summary` and federated grids show instead of hosts: counts and sums.
public struct Summary: Hashable, Sendable {
    public var hosts: HostCounts
    public var metrics: [MetricSummary]

    public init(hosts: HostCounts, metrics: [MetricSummary] = []) {
        self.hosts = hosts
        self.metrics = metrics
    }
}
