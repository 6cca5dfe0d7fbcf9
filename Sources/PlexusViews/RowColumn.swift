import PlexusCore

/// One column of a dashboard row, defined once for every client that shows it: `plexus query`'s
/// table, CSV and JSON, and `/api/v1`. `key` is the JSON member and CSV header, `title` the
/// table's heading.
public struct RowColumn<Row>: Sendable {
    public enum Cell: Sendable, Equatable {
        case text(String)
        case integer(Int64)
        /// nil: not reported (JSON leaves the member out or writes null; tables leave it blank).
        case number(Double?)
    }

    public let key: String
    public let title: String
    public let alignRight: Bool
    public let cell: @Sendable (Row) -> Cell

    public init(_ key: String, _ title: String? = nil, right: Bool = true, _ cell: @escaping @Sendable (Row) -> Cell) {
        self.key = key
        self.title = title ?? key.uppercased()
        alignRight = right
        self.cell = cell
    }
}

extension GridOverview.ClusterRow {
    /// A cluster's row: hosts up and down, CPUs, mean load and CPU use, memory, network.
    public static var columns: [RowColumn<Self>] {
        [
            .init("cluster", right: false) { .text($0.cluster) }, .init("grid", right: false) { .text($0.grid) },
            .init("up") { .integer(Int64($0.up)) }, .init("down") { .integer(Int64($0.down)) }, .init("cpus") { .number($0.cpus) },
            .init("load_avg", "LOAD(AVG)") { .number($0.loadAverage) }, .init("cpu_used_percent", "CPU%") { .number($0.cpuUsedPercent) },
            .init("mem_total_kb", "MEM(KB)") { .number($0.memTotalKB) }, .init("mem_free_kb", "FREE(KB)") { .number($0.memFreeKB) },
            .init("bytes_in", "IN(B/s)") { .number($0.bytesIn) }, .init("bytes_out", "OUT(B/s)") { .number($0.bytesOut) },
        ]
    }
}

extension GridOverview.HostRow {
    /// A host's row: up or down, seconds since heard, load, CPU, memory, network.
    public static var columns: [RowColumn<Self>] {
        [
            .init("cluster", right: false) { .text($0.cluster) }, .init("host", right: false) { .text($0.host) },
            .init("ip", right: false) { .text($0.ip) }, .init("state", right: false) { .text($0.up ? "up" : "down") },
            .init("age_seconds", "AGE(s)") { .integer(Int64($0.age)) }, .init("load_one", "LOAD1") { .number($0.loadOne) },
            .init("cpus") { .number($0.cpus) }, .init("cpu_used_percent", "CPU%") { .number($0.cpuUsedPercent) },
            .init("mem_free_kb", "FREE(KB)") { .number($0.memFreeKB) }, .init("bytes_in", "IN(B/s)") { .number($0.bytesIn) },
            .init("bytes_out", "OUT(B/s)") { .number($0.bytesOut) },
        ]
    }
}
