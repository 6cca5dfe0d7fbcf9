import PlexusCore

/// All collectors of an agent. Samples only the collectors whose metrics are asked for, each at
/// most once per call; a collector that fails costs only its own metrics.
public struct CollectorSet: Sendable {
    private var collectors: [any Collector]
    /// Metric name → index of its collector.
    private let owner: [String: Int]
    /// Every metric this set can provide, by name.
    public let definitions: [String: MetricDefinition]

    /// The standard set: system facts, CPU, load, memory, network, disk, the agent's facts, and
    /// `extra` (the probes).
    public static func standard(startTime: UInt32, location: String, extra: [any Collector] = []) -> CollectorSet {
        CollectorSet(
            [
                AgentFactsCollector(startTime: startTime, location: location), CPUCollector(), LoadCollector(),
                MemoryCollector(), NetworkCollector(), DiskCollector(), SystemCollector(),
            ] + extra)
    }

    public init(_ collectors: [any Collector]) {
        self.collectors = collectors
        var owner: [String: Int] = [:]
        var definitions: [String: MetricDefinition] = [:]
        for (i, collector) in collectors.enumerated() {
            for definition in collector.definitions where owner[definition.name] == nil {
                owner[definition.name] = i
                definitions[definition.name] = definition
            }
        }
        self.owner = owner
        self.definitions = definitions
    }

    /// The outcome of one sampling pass.
    public struct Sample: Sendable {
        /// Values obtained, by metric name.
        public var values: [String: MetricValue] = [:]
        /// Collectors that failed, with the metrics that went missing because of it.
        public var failures: [(metrics: [String], error: CollectorError)] = []
    }

    /// Samples the collectors that own `names` (unknown names are ignored: `definitions` tells
    /// what exists).
    public mutating func sample(_ names: some Sequence<String>, proc: HostSystem, now: Double) -> Sample {
        var wanted: [Int: [String]] = [:]
        for name in names {
            if let index = owner[name] { wanted[index, default: []].append(name) }
        }
        var result = Sample()
        for (index, metrics) in wanted.sorted(by: { $0.key < $1.key }) {
            do {
                let values = try collectors[index].sample(proc, now: now)
                for name in metrics { result.values[name] = values[name] }
            } catch {
                result.failures.append((metrics, error))
            }
        }
        return result
    }
}
