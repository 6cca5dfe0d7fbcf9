import PlexusCore

/// A generated grid shaped like a real one: hosts with gmond's default metrics (names, types,
/// units, extra data) and plausible values, so parser and writer benchmarks see realistic bytes.
public struct SyntheticGrid: Sendable {
    public var hosts: Int
    public var metricsPerHost: Int
    /// LOCALTIME of the generated grid and cluster.
    public var now: Int64 = 1_795_543_700

    public init(hosts: Int, metricsPerHost: Int) {
        self.hosts = hosts
        self.metricsPerHost = metricsPerHost
    }

    /// Metric templates from gmond's default metric set, cycled to reach `metricsPerHost`.
    public static let templates: [(name: String, type: MetricType, units: String, format: String, group: String, title: String, desc: String)] = [
        ("load_one", .float, " ", "%.2f", "load", "One Minute Load Average", "One minute load average"),
        ("load_five", .float, " ", "%.2f", "load", "Five Minute Load Average", "Five minute load average"),
        ("load_fifteen", .float, " ", "%.2f", "load", "Fifteen Minute Load Average", "Fifteen minute load average"),
        ("cpu_user", .float, "%", "%.1f", "cpu", "CPU User", "Percentage of CPU utilization that occurred while executing at the user level"),
        ("cpu_system", .float, "%", "%.1f", "cpu", "CPU System", "Percentage of CPU utilization that occurred while executing at the system level"),
        (
            "cpu_idle", .float, "%", "%.1f", "cpu", "CPU Idle",
            "Percentage of time that the CPU or CPUs were idle and the system did not have an outstanding disk I/O request"
        ),
        (
            "cpu_nice", .float, "%", "%.1f", "cpu", "CPU Nice",
            "Percentage of CPU utilization that occurred while executing at the user level with nice priority"
        ),
        (
            "cpu_wio", .float, "%", "%.1f", "cpu", "CPU wio",
            "Percentage of time that the CPU or CPUs were idle during which the system had an outstanding disk I/O request"
        ),
        ("cpu_num", .uint16, "CPUs", "%hu", "cpu", "CPU Count", "Total number of CPUs"),
        ("cpu_speed", .uint32, "MHz", "%u", "cpu", "CPU Speed", "CPU Speed in terms of MHz"),
        ("mem_total", .float, "KB", "%.0f", "memory", "Memory Total", "Total amount of memory displayed in KBs"),
        ("mem_free", .float, "KB", "%.0f", "memory", "Free Memory", "Amount of available memory"),
        ("mem_cached", .float, "KB", "%.0f", "memory", "Cached Memory", "Amount of cached memory"),
        ("mem_buffers", .float, "KB", "%.0f", "memory", "Memory Buffers", "Amount of buffered memory"),
        ("mem_shared", .float, "KB", "%.0f", "memory", "Shared Memory", "Amount of shared memory"),
        ("swap_total", .float, "KB", "%.0f", "memory", "Swap Space Total", "Total amount of swap space displayed in KBs"),
        ("swap_free", .float, "KB", "%.0f", "memory", "Free Swap Space", "Amount of available swap memory"),
        ("bytes_in", .float, "bytes/sec", "%.2f", "network", "Bytes Received", "Number of bytes in per second"),
        ("bytes_out", .float, "bytes/sec", "%.2f", "network", "Bytes Sent", "Number of bytes out per second"),
        ("pkts_in", .float, "packets/sec", "%.2f", "network", "Packets Received", "Packets in per second"),
        ("pkts_out", .float, "packets/sec", "%.2f", "network", "Packets Sent", "Packets out per second"),
        ("proc_run", .uint32, " ", "%u", "process", "Total Running Processes", "Total number of running processes"),
        ("proc_total", .uint32, " ", "%u", "process", "Total Processes", "Total number of processes"),
        ("disk_total", .double, "GB", "%.3f", "disk", "Total Disk Space", "Total available disk space"),
        ("disk_free", .double, "GB", "%.3f", "disk", "Disk Space Available", "Total free disk space"),
        ("part_max_used", .float, "%", "%.1f", "disk", "Maximum Disk Space Used", "Maximum percent used for all partitions"),
        ("boottime", .uint32, "s", "%u", "system", "Last Boot Time", "The last time that the system was started"),
        ("machine_type", .string, "", "%s", "system", "Machine Type", "System architecture"),
        ("os_name", .string, "", "%s", "system", "Operating System", "Operating system name"),
        ("os_release", .string, "", "%s", "system", "Operating System Release", "Operating system release date"),
    ]

    /// A gmond-style document: the cluster `Synthetic` alone, as an agent's port serves it.
    public func clusterDocument() throws -> GangliaDocument {
        guard case .grid(let grid)? = try document().items.first, case .cluster(let cluster)? = grid.children.first else {
            preconditionFailure("document() holds one grid with one cluster")
        }
        return GangliaDocument(source: .gmond, items: [.cluster(cluster)])
    }

    /// A gmetad-style document: one grid, one cluster `Synthetic`, `hosts` × `metricsPerHost`.
    public func document() throws -> GangliaDocument {
        var rng = SeededGenerator(seed: 0x51AB)
        var hostList: [Host] = []
        hostList.reserveCapacity(hosts)
        for h in 0..<hosts {
            var metrics: [Metric] = []
            for m in 0..<metricsPerHost {
                let t = Self.templates[m % Self.templates.count]
                let name = m < Self.templates.count ? t.name : "\(t.name)_\(m / Self.templates.count)"
                metrics.append(
                    Metric(
                        name: try MetricName(name), value: value(t.type, t.format, &rng), type: t.type, units: t.units,
                        tn: UInt32(rng.next() % 20), tmax: 90, dmax: 0, slope: .both,
                        extraData: [
                            ExtraElement(name: "GROUP", value: t.group), ExtraElement(name: "DESC", value: t.desc),
                            ExtraElement(name: "TITLE", value: t.title),
                        ]))
            }
            hostList.append(
                Host(
                    name: try HostName("node\(h).rack\(h / 40).example.com"), ip: "10.\(h / 65536).\((h / 256) % 256).\(h % 256)",
                    reported: now - 5, tn: 5, tmax: 20, dmax: 86400, location: "rack\(h / 40),\(h % 40),0",
                    gmondStarted: now - 86_000, metrics: metrics))
        }
        let cluster = Cluster(name: try ClusterName("Synthetic"), localtime: now, owner: "Bench", hosts: hostList)
        let grid = Grid(
            name: try GridName("BenchGrid"), authority: "http://bench.example.invalid/ganglia/", localtime: now,
            children: [.cluster(cluster)])
        return GangliaDocument(source: .gmetad, items: [.grid(grid)])
    }

    private func value(_ type: MetricType, _ format: String, _ rng: inout SeededGenerator) -> String {
        let r = rng.next()
        switch type {
        case .string: return "Linux 6.1.0-\(r % 30)-amd64"
        case .float, .double: return ValueFormat.render(.double(Double(r % 10_000_000) / 100), format: format)
        default: return ValueFormat.render(.uint(UInt32(truncatingIfNeeded: r % 5000)), format: format)
        }
    }
}
