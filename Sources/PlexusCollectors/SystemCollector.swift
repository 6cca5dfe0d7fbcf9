import PlexusCore

/// System facts from `uname`: machine_type, os_name, os_release.
public struct SystemCollector: Collector {
    public init() {}

    public var definitions: [MetricDefinition] {
        [
            MetricDefinition(
                "machine_type", .string, units: "", slope: .zero, tmax: 1200, format: "%s", group: "system",
                description: "System architecture"),
            MetricDefinition(
                "os_name", .string, units: "", slope: .zero, tmax: 1200, format: "%s", group: "system",
                description: "Operating system name"),
            MetricDefinition(
                "os_release", .string, units: "", slope: .zero, tmax: 1200, format: "%s", group: "system",
                description: "Operating system release date"),
        ]
    }

    public mutating func sample(_ proc: HostSystem, now: Double) throws(CollectorError) -> [String: MetricValue] {
        let name = proc.systemName()
        guard !name.sysname.isEmpty else { throw .unavailable("uname gave no system name") }
        return ["machine_type": .string(name.machine), "os_name": .string(name.sysname), "os_release": .string(name.release)]
    }
}
