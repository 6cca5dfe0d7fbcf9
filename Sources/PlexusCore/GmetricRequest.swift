/// A custom metric as `gmetric` (and `plexus send`) announces it: the options of gmetric, and
/// the two datagrams it produces — metadata, then the value as a string message (id 133, `%s`),
/// whatever the declared type, exactly as gmetric 3.7 does.
public struct GmetricRequest: Sendable, Equatable {
    public var name: String
    public var value: String
    public var type: MetricType
    public var units = ""
    public var slope = Slope.both
    public var tmax: UInt32 = 60
    public var dmax: UInt32 = 0
    /// One GROUP element each (gmetric's `-g a,b`).
    public var groups: [String] = []
    public var title: String?
    public var description: String?
    /// gmetric `-C`: carried, not interpreted by receivers.
    public var cluster: String?
    /// gmetric `-S IP:hostname`: speak for another host.
    public var spoof: String?
    /// gmetric `-H`: a heartbeat for the spoofed host.
    public var spoofHeartbeat = false

    public init(name: String, value: String, type: MetricType) {
        self.name = name
        self.value = value
        self.type = type
    }

    /// Why the request can't be sent, or nil.
    public func problem() -> String? {
        if spoofHeartbeat {
            guard spoof != nil else { return "a spoofed heartbeat (-H) needs a spoofed host (-S IP:hostname)" }
            return nil
        }
        if let error = MetricName.error(for: name) { return "\(error)" }
        if let spoof, MetricIdentity(host: spoof, name: name, spoof: true).spoofedAddress == nil {
            return "spoofed host \(spoof.debugDescription) is not IP:hostname"
        }
        let text = value.trimmingASCIIWhitespace()
        let fits: Bool =
            switch type {
            case .string: true
            case .int8: Int8(text) != nil
            case .uint8: UInt8(text) != nil
            case .int16: Int16(text) != nil
            case .uint16: UInt16(text) != nil
            case .int32: Int32(text) != nil
            case .uint32, .timestamp: UInt32(text) != nil
            case .float, .double: Double(text).map { $0.isFinite } ?? false
            }
        return fits ? nil : "value \(value.debugDescription) is not a valid \(type.rawValue)"
    }

    /// The datagrams to send, metadata first. `hostname` is the sender's own name (used when
    /// not spoofing).
    public func messages(hostname: String) -> [GangliaMessage] {
        let metricName = spoofHeartbeat ? "heartbeat" : name
        let host = spoof ?? hostname
        let identity = MetricIdentity(host: host, name: metricName, spoof: spoof != nil)
        var extra: [ExtraElement] = []
        if let spoof { extra.append(ExtraElement(name: ExtraElement.Key.spoofHost, value: spoof)) }
        if spoofHeartbeat { extra.append(ExtraElement(name: ExtraElement.Key.spoofHeartbeat, value: "yes")) }
        extra += groups.map { ExtraElement(name: ExtraElement.Key.group, value: $0) }
        if let description { extra.append(ExtraElement(name: ExtraElement.Key.description, value: description)) }
        if let title { extra.append(ExtraElement(name: ExtraElement.Key.title, value: title)) }
        if let cluster { extra.append(ExtraElement(name: ExtraElement.Key.cluster, value: cluster)) }
        let metadata = MetricMetadata(
            name: metricName, type: spoofHeartbeat ? .uint32 : type, units: units, slope: spoofHeartbeat ? .unspecified : slope,
            tmax: tmax, dmax: dmax, extraData: extra)
        return [.metadata(identity, metadata), .value(identity, format: "%s", value: .string(spoofHeartbeat ? "0" : value))]
    }
}
