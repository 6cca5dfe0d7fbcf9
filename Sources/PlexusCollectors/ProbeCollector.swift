import PlexusCore
import Synchronization

/// The latest result of every probe, written by the probe tasks and read by the collector: a
/// probe that hangs until its timeout never holds up collection.
public final class ProbeBoard: Sendable {
    private let results = Mutex<[String: ProbeResult]>([:])

    public init() {}

    public func record(_ result: ProbeResult, for probe: String) {
        results.withLock { $0[probe] = result }
    }

    public func latest(_ probe: String) -> ProbeResult? {
        results.withLock { $0[probe] }
    }
}

/// Reports each configured probe's latest result as ordinary metrics in the `probes` group.
public struct ProbeCollector: Collector {
    public let probes: [AgentConfiguration.Probe]
    public let board: ProbeBoard

    public init(probes: [AgentConfiguration.Probe], board: ProbeBoard) {
        self.probes = probes
        self.board = board
    }

    public var definitions: [MetricDefinition] {
        probes.flatMap { probe -> [MetricDefinition] in
            let tmax = probe.interval * 2 + UInt32(probe.timeout.rounded(.up))
            let target: String =
                switch probe.target {
                case .http(let url): url
                case .tcp(let host, let port): "\(host):\(port)"
                }
            var list = [
                MetricDefinition(
                    "probe_\(probe.name)_ms", .float, units: "ms", slope: .both, tmax: tmax, format: "%.1f", group: "probes",
                    description: "Response time of \(target)"),
                MetricDefinition(
                    "probe_\(probe.name)_up", .uint16, units: "", slope: .both, tmax: tmax, format: "%hu", group: "probes",
                    description: "1 when \(target) answered as expected, else 0"),
                MetricDefinition(
                    "probe_\(probe.name)_status", .uint16, units: "", slope: .both, tmax: tmax, format: "%hu", group: "probes",
                    description: "HTTP status of \(target) (0: no response)"),
            ]
            if case .http = probe.target {
                list.append(
                    MetricDefinition(
                        "probe_\(probe.name)_ttfb_ms", .float, units: "ms", slope: .both, tmax: tmax, format: "%.1f",
                        group: "probes", description: "Time to the first byte of \(target)"))
            }
            return list
        }
    }

    public mutating func sample(_ proc: HostSystem, now: Double) throws(CollectorError) -> [String: MetricValue] {
        var values: [String: MetricValue] = [:]
        for probe in probes {
            guard let result = board.latest(probe.name) else { continue }
            values["probe_\(probe.name)_ms"] = .float(Float(result.totalMilliseconds))
            values["probe_\(probe.name)_up"] = .ushort(result.up ? 1 : 0)
            values["probe_\(probe.name)_status"] = .ushort(UInt16(clamping: result.status ?? 0))
            if case .http = probe.target {
                values["probe_\(probe.name)_ttfb_ms"] = .float(Float(result.firstByteMilliseconds ?? result.totalMilliseconds))
            }
        }
        return values
    }
}
