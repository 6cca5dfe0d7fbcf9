import PlexusCore

/// Network rates from `/proc/net/dev`, summed over every interface but loopback: bytes and packets
/// per second since the previous sample. An interface whose counters go back (reset, driver
/// reload) adds nothing to that sample instead of a huge bogus rate.
public struct NetworkCollector: Collector {
    struct Counters: Equatable {
        var bytesIn, packetsIn, bytesOut, packetsOut: UInt64
    }

    private var previous: (time: Double, interfaces: [Substring: Counters])?

    public init() {}

    public var definitions: [MetricDefinition] {
        [
            MetricDefinition(
                "bytes_in", .float, units: "bytes/sec", slope: .both, tmax: 300, format: "%.2f", group: "network",
                description: "Number of bytes in per second"),
            MetricDefinition(
                "bytes_out", .float, units: "bytes/sec", slope: .both, tmax: 300, format: "%.2f", group: "network",
                description: "Number of bytes out per second"),
            MetricDefinition(
                "pkts_in", .float, units: "packets/sec", slope: .both, tmax: 300, format: "%.2f", group: "network",
                description: "Packets in per second"),
            MetricDefinition(
                "pkts_out", .float, units: "packets/sec", slope: .both, tmax: 300, format: "%.2f", group: "network",
                description: "Packets out per second"),
        ]
    }

    static func parse(_ text: String) -> [Substring: Counters] {
        var result: [Substring: Counters] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].drop(while: { $0 == " " })
            let n = line[line.index(after: colon)...].split(separator: " ").map { UInt64($0) ?? 0 }
            guard n.count >= 10, name != "lo" else { continue }
            result[name] = Counters(bytesIn: n[0], packetsIn: n[1], bytesOut: n[8], packetsOut: n[9])
        }
        return result
    }

    public mutating func sample(_ proc: HostSystem, now: Double) throws(CollectorError) -> [String: MetricValue] {
        let interfaces = Self.parse(try proc.read("proc/net/dev"))
        defer { previous = (now, interfaces) }
        guard let previous, now > previous.time else { return [:] }
        var delta = Counters(bytesIn: 0, packetsIn: 0, bytesOut: 0, packetsOut: 0)
        for (name, current) in interfaces {
            guard let before = previous.interfaces[name] else { continue }
            func grew(_ a: UInt64, _ b: UInt64) -> UInt64 { a >= b ? a - b : 0 }
            delta.bytesIn += grew(current.bytesIn, before.bytesIn)
            delta.packetsIn += grew(current.packetsIn, before.packetsIn)
            delta.bytesOut += grew(current.bytesOut, before.bytesOut)
            delta.packetsOut += grew(current.packetsOut, before.packetsOut)
        }
        let seconds = now - previous.time
        return [
            "bytes_in": .float(Float(Double(delta.bytesIn) / seconds)),
            "bytes_out": .float(Float(Double(delta.bytesOut) / seconds)),
            "pkts_in": .float(Float(Double(delta.packetsIn) / seconds)),
            "pkts_out": .float(Float(Double(delta.packetsOut) / seconds)),
        ]
    }
}
