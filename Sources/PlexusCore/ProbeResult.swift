/// The outcome of one response-time probe (HTTP, HTTPS or TCP connect).
public struct ProbeResult: Sendable, Equatable {
    /// Whether the target answered as expected in time.
    public var up: Bool
    /// HTTP status, when an HTTP response arrived.
    public var status: Int?
    /// From the start of the connection to the end of the response (HTTP) or to the connection
    /// being established (TCP), milliseconds; for a failure, the time until it was given up.
    public var totalMilliseconds: Double
    /// From the start to the first byte of the response (HTTP only).
    public var firstByteMilliseconds: Double?
    /// Why the probe is down.
    public var error: String?

    public init(up: Bool, status: Int? = nil, totalMilliseconds: Double, firstByteMilliseconds: Double? = nil, error: String? = nil) {
        self.up = up
        self.status = status
        self.totalMilliseconds = totalMilliseconds
        self.firstByteMilliseconds = firstByteMilliseconds
        self.error = error
    }
}
