import PlexusCore

/// CPU use from `/proc/stat`: percentages of the time since the previous sample (cpu_user,
/// cpu_nice, cpu_system, cpu_idle, cpu_wio, cpu_intr, cpu_sintr, cpu_steal), idle since boot
/// (cpu_aidle), the CPU count and speed, and the boot time.
public struct CPUCollector: Collector {
    /// The aggregate `cpu` line's jiffies.
    struct Times: Equatable {
        var user, nice, system, idle, iowait, irq, softirq, steal: UInt64
        var total: UInt64 { user &+ nice &+ system &+ idle &+ iowait &+ irq &+ softirq &+ steal }
    }

    private var previous: Times?

    public init() {}

    public var definitions: [MetricDefinition] {
        let percent: [(String, String)] = [
            ("cpu_user", "Percentage of CPU utilization that occurred while executing at the user level"),
            ("cpu_nice", "Percentage of CPU utilization that occurred while executing at the user level with nice priority"),
            ("cpu_system", "Percentage of CPU utilization that occurred while executing at the system level"),
            ("cpu_idle", "Percentage of time that the CPU or CPUs were idle and the system did not have an outstanding disk I/O request"),
            ("cpu_wio", "Percentage of time that the CPU or CPUs were idle during which the system had an outstanding disk I/O request"),
            ("cpu_intr", "cpu_intr"),
            ("cpu_sintr", "cpu_sintr"),
            ("cpu_steal", "cpu_steal"),
        ]
        return percent.map { MetricDefinition($0.0, .float, units: "%", slope: .both, tmax: 90, format: "%.1f", group: "cpu", description: $0.1) }
            + [
                MetricDefinition(
                    "cpu_aidle", .float, units: "%", slope: .both, tmax: 3800, format: "%.1f", group: "cpu",
                    description: "Percent of time since boot idle CPU"),
                MetricDefinition(
                    "cpu_num", .uint16, units: "CPUs", slope: .zero, tmax: 1200, format: "%hu", group: "cpu",
                    description: "Total number of CPUs"),
                MetricDefinition(
                    "cpu_speed", .uint32, units: "MHz", slope: .zero, tmax: 1200, format: "%u", group: "cpu",
                    description: "CPU Speed in terms of MHz"),
                MetricDefinition(
                    "boottime", .uint32, units: "s", slope: .zero, tmax: 1200, format: "%u", group: "system",
                    description: "The last time that the system was started"),
            ]
    }

    public mutating func sample(_ proc: HostSystem, now: Double) throws(CollectorError) -> [String: MetricValue] {
        let stat = try proc.read("proc/stat")
        let lines = ProcText.fields(stat)
        guard let cpu = lines.first(where: { $0.first == "cpu" }), cpu.count >= 5 else {
            throw .unparsable(path: "proc/stat", reason: "no aggregate cpu line")
        }
        let n = cpu.dropFirst().map { UInt64($0) ?? 0 }
        func at(_ i: Int) -> UInt64 { i < n.count ? n[i] : 0 }
        let times = Times(user: at(0), nice: at(1), system: at(2), idle: at(3), iowait: at(4), irq: at(5), softirq: at(6), steal: at(7))

        var values: [String: MetricValue] = [:]
        let cpus = lines.filter { $0.first.map { $0.hasPrefix("cpu") && $0.count > 3 } ?? false }.count
        values["cpu_num"] = .ushort(UInt16(clamping: max(cpus, 1)))
        if let btime = lines.first(where: { $0.first == "btime" })?.dropFirst().first.flatMap({ UInt32($0) }) {
            values["boottime"] = .uint(btime)
        }
        if times.total > 0 { values["cpu_aidle"] = .float(Float(Double(times.idle) / Double(times.total) * 100)) }
        if let previous, times.total > previous.total {
            let elapsed = Double(times.total - previous.total)
            func percent(_ now: UInt64, _ before: UInt64) -> MetricValue {
                .float(Float(Double(now >= before ? now - before : 0) / elapsed * 100))
            }
            values["cpu_user"] = percent(times.user, previous.user)
            values["cpu_nice"] = percent(times.nice, previous.nice)
            values["cpu_system"] = percent(times.system, previous.system)
            values["cpu_idle"] = percent(times.idle, previous.idle)
            values["cpu_wio"] = percent(times.iowait, previous.iowait)
            values["cpu_intr"] = percent(times.irq, previous.irq)
            values["cpu_sintr"] = percent(times.softirq, previous.softirq)
            values["cpu_steal"] = percent(times.steal, previous.steal)
        }
        previous = times
        if let mhz = Self.speed(proc) { values["cpu_speed"] = .uint(mhz) }
        return values
    }

    /// Maximum frequency from cpufreq when the kernel exposes it, else `cpu MHz` of /proc/cpuinfo.
    static func speed(_ proc: HostSystem) -> UInt32? {
        if let khz = try? proc.read("sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq"),
            let value = UInt32(khz.trimmingCharacters(in: " \n"))
        {
            return value / 1000
        }
        guard let info = try? proc.read("proc/cpuinfo") else { return nil }
        for line in info.split(separator: "\n") where line.hasPrefix("cpu MHz") {
            if let colon = line.firstIndex(of: ":"), let mhz = Double(line[line.index(after: colon)...].trimmingCharacters(in: " \t")) {
                return UInt32(clamping: Int(mhz))
            }
        }
        return nil
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        let drop: (Character) -> Bool = { set.contains($0) }
        guard let first = firstIndex(where: { !drop($0) }), let last = lastIndex(where: { !drop($0) }) else { return "" }
        return String(self[first...last])
    }
}
