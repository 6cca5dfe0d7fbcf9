import PlexusCore

/// The agent's own facts: `heartbeat` (the agent's start time, as gmond sends it) and
/// `location` (from the configuration). Receivers turn both into host attributes.
public struct AgentFactsCollector: Collector {
    public var startTime: UInt32
    public var location: String

    public init(startTime: UInt32, location: String) {
        self.startTime = startTime
        self.location = location
    }

    public var definitions: [MetricDefinition] {
        [
            MetricDefinition(
                "heartbeat", .uint32, units: "", slope: .unspecified, tmax: 20, format: "%u", group: "core",
                description: "Last heartbeat"),
            MetricDefinition(
                "location", .string, units: "(x,y,z)", slope: .unspecified, tmax: 1200, format: "%s", group: "core",
                description: "Location of the machine"),
        ]
    }

    public mutating func sample(_ proc: HostSystem, now: Double) throws(CollectorError) -> [String: MetricValue] {
        ["heartbeat": .uint(startTime), "location": .string(location)]
    }
}
