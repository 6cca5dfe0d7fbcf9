import PlexusCore

/// Disk space over the local file systems of `/proc/mounts` (devices under `/`, each counted
/// once; `/` when there is none): total and free in GB (10⁹ bytes, as gmond), and the fullest
/// partition's percentage.
public struct DiskCollector: Collector {
    /// File system types that are images or pseudo file systems even when backed by a device.
    static let ignoredTypes: Set<Substring> = ["squashfs", "iso9660", "udf", "tmpfs", "devtmpfs", "overlay", "nfs", "nfs4", "cifs", "smbfs", "fuse.sshfs"]

    public init() {}

    public var definitions: [MetricDefinition] {
        [
            MetricDefinition(
                "disk_total", .double, units: "GB", slope: .both, tmax: 1200, format: "%.3f", group: "disk",
                description: "Total available disk space"),
            MetricDefinition(
                "disk_free", .double, units: "GB", slope: .both, tmax: 180, format: "%.3f", group: "disk",
                description: "Total free disk space"),
            MetricDefinition(
                "part_max_used", .float, units: "%", slope: .both, tmax: 180, format: "%.1f", group: "disk",
                description: "Maximum percent used for all partitions"),
        ]
    }

    /// Mount points of local block devices, first mount of each device.
    static func localMounts(_ text: String) -> [String] {
        var devices: Set<Substring> = []
        var mounts: [String] = []
        for fields in ProcText.fields(text) where fields.count >= 3 {
            let device = fields[0], type = fields[2]
            guard device.hasPrefix("/"), !ignoredTypes.contains(type), devices.insert(device).inserted else { continue }
            // /proc/mounts escapes spaces in paths as \040.
            mounts.append(String(fields[1].replacing("\\040", with: " ")))
        }
        return mounts
    }

    public mutating func sample(_ proc: HostSystem, now: Double) throws(CollectorError) -> [String: MetricValue] {
        var mounts = Self.localMounts(try proc.read("proc/mounts"))
        // In a container the root is often an overlay: measure it rather than nothing.
        if mounts.isEmpty { mounts = ["/"] }
        var total = 0.0, free = 0.0, maxUsed = 0.0
        var measured = 0
        for mount in mounts {
            guard let s = proc.fileSystemStats(mount), s.blocks > 0 else { continue }
            measured += 1
            total += Double(s.blocks) * Double(s.blockSize)
            free += Double(s.available) * Double(s.blockSize)
            let used = Double(s.blocks - min(s.free, s.blocks))
            if used + Double(s.available) > 0 { maxUsed = max(maxUsed, used / (used + Double(s.available)) * 100) }
        }
        guard measured > 0 else { throw .unavailable("no local file system could be measured") }
        return ["disk_total": .double(total / 1e9), "disk_free": .double(free / 1e9), "part_max_used": .float(Float(maxUsed))]
    }
}
