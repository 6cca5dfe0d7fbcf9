import PlexusCore

/// Load averages and process counts from `/proc/loadavg` (`0.40 0.38 0.26 1/78 14509`).
public struct LoadCollector: Collector {
    public init() {}

    public var definitions: [MetricDefinition] {
        [
            MetricDefinition(
                "load_one", .float, units: " ", slope: .both, tmax: 70, format: "%.2f", group: "load",
                description: "One minute load average"),
            MetricDefinition(
                "load_five", .float, units: " ", slope: .both, tmax: 325, format: "%.2f", group: "load",
                description: "Five minute load average"),
            MetricDefinition(
                "load_fifteen", .float, units: " ", slope: .both, tmax: 950, format: "%.2f", group: "load",
                description: "Fifteen minute load average"),
            MetricDefinition(
                "proc_run", .uint32, units: " ", slope: .both, tmax: 950, format: "%u", group: "process",
                description: "Total number of running processes"),
            MetricDefinition(
                "proc_total", .uint32, units: " ", slope: .both, tmax: 950, format: "%u", group: "process",
                description: "Total number of processes"),
        ]
    }

    public mutating func sample(_ proc: HostSystem, now: Double) throws(CollectorError) -> [String: MetricValue] {
        let fields = try proc.read("proc/loadavg").split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count >= 4, let one = Float(fields[0]), let five = Float(fields[1]), let fifteen = Float(fields[2]) else {
            throw .unparsable(path: "proc/loadavg", reason: "expected three load averages and running/total")
        }
        let processes = fields[3].split(separator: "/")
        guard processes.count == 2, let running = UInt32(processes[0]), let total = UInt32(processes[1]) else {
            throw .unparsable(path: "proc/loadavg", reason: "expected running/total processes, found \(fields[3])")
        }
        return [
            "load_one": .float(one), "load_five": .float(five), "load_fifteen": .float(fifteen),
            // The reading process itself is counted as running; gmond leaves it in too.
            "proc_run": .uint(running), "proc_total": .uint(total),
        ]
    }
}
