import PlexusCore

/// Memory and swap from `/proc/meminfo`, in KB as gmond reports them.
public struct MemoryCollector: Collector {
    public init() {}

    /// Metric name, meminfo key, TMAX, slope, description.
    private static let table: [(String, Substring, UInt32, Slope, String)] = [
        ("mem_total", "MemTotal", 1200, .zero, "Total amount of memory displayed in KBs"),
        ("mem_free", "MemFree", 180, .both, "Amount of available memory"),
        ("mem_shared", "Shmem", 180, .both, "Amount of shared memory"),
        ("mem_buffers", "Buffers", 180, .both, "Amount of buffered memory"),
        ("mem_cached", "Cached", 180, .both, "Amount of cached memory"),
        ("mem_available", "MemAvailable", 180, .both, "Amount of available memory (estimated by the kernel)"),
        ("swap_total", "SwapTotal", 1200, .zero, "Total amount of swap space displayed in KBs"),
        ("swap_free", "SwapFree", 180, .both, "Amount of available swap memory"),
    ]

    public var definitions: [MetricDefinition] {
        Self.table.map { MetricDefinition($0.0, .float, units: "KB", slope: $0.3, tmax: $0.2, format: "%.0f", group: "memory", description: $0.4) }
    }

    public mutating func sample(_ proc: HostSystem, now: Double) throws(CollectorError) -> [String: MetricValue] {
        let numbers = ProcText.keyedNumbers(try proc.read("proc/meminfo"))
        guard numbers["MemTotal"] != nil else { throw .unparsable(path: "proc/meminfo", reason: "no MemTotal") }
        var values: [String: MetricValue] = [:]
        for (name, key, _, _, _) in Self.table {
            if let kb = numbers[key] { values[name] = .float(Float(kb)) }
        }
        return values
    }
}
