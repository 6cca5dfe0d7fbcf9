/// What the archive needs from librrd, as Swift values. `LibRRD` is the real one (every C call
/// lives there); tests substitute a recording fake to check queueing, ordering and coalescing
/// without touching the disk.
///
/// All of these block on file I/O: call them from the archive's own threads, never from the
/// cooperative pool.
public protocol RRDFunctions: Sendable {
    /// `rrd_create_r2` with `no_overwrite`: fails if the file exists.
    func create(path: String, step: Int, start: Int64, definitions: [String]) throws(RRDError)
    /// `rrd_update_r`: many `time:value[:value]` strings in one call, in time order.
    func update(path: String, values: [String]) throws(RRDError)
    /// `rrd_fetch_r`.
    func fetch(path: String, consolidation: String, start: Int64, end: Int64, resolution: Int) throws(RRDError) -> RRDSeries
    /// `rrd_info_r`, in librrd's order.
    func info(path: String) throws(RRDError) -> RRDInfo
    /// `rrd_lastupdate_r`: the time of the last update and the last value text of each DS.
    func lastUpdate(path: String) throws(RRDError) -> RRDLastUpdate
    /// `rrd_graph_v` with `-` as output (not thread-safe: the caller serializes).
    func graph(arguments: [String]) throws(RRDError) -> RRDInfo
    /// `rrd_xport` (not thread-safe: the caller serializes).
    func xport(arguments: [String]) throws(RRDError) -> RRDSeries
    /// `rrd_tune` (`rrdtool tune PATH ARGUMENTS`): new RRAs are added, the data kept.
    func tune(path: String, arguments: [String]) throws(RRDError)
}

/// Rows of values, one column per data source (fetch) or XPORT (xport). Row `i` holds the
/// average over `(start + i·step, start + (i+1)·step]`, so its timestamp is `start + (i+1)·step`.
public struct RRDSeries: Sendable, Equatable {
    public var start: Int64
    public var end: Int64
    public var step: Int
    /// DS names (fetch) or XPORT legends (xport).
    public var columns: [String]
    /// `rows[i][c]`; NaN where the archive holds no value.
    public var rows: [[Double]]

    public init(start: Int64, end: Int64, step: Int, columns: [String], rows: [[Double]]) {
        self.start = start
        self.end = end
        self.step = step
        self.columns = columns
        self.rows = rows
    }

    /// The timestamp row `index` stands for.
    public func time(ofRow index: Int) -> Int64 { start + Int64(index + 1) * Int64(step) }

    /// `(time, value)` pairs of one column.
    public func points(column: Int) -> [(time: Int64, value: Double)] {
        rows.indices.map { (time(ofRow: $0), rows[$0][column]) }
    }

    /// The values of the column named `name`, or nil.
    public func column(named name: String) -> [Double]? {
        columns.firstIndex(of: name).map { c in rows.map { $0[c] } }
    }
}

/// One entry of librrd's info list.
public enum RRDInfoValue: Sendable, Equatable {
    case value(Double)
    case count(UInt)
    case string(String)
    case integer(Int)
    case blob([UInt8])
}

/// librrd's info list (`rrdtool info`, or what `rrd_graph_v` reports) in its order.
public struct RRDInfo: Sendable, Equatable {
    public var entries: [(key: String, value: RRDInfoValue)]

    public init(entries: [(key: String, value: RRDInfoValue)]) {
        self.entries = entries
    }

    public subscript(key: String) -> RRDInfoValue? {
        entries.first(where: { $0.key == key })?.value
    }

    public func double(_ key: String) -> Double? {
        switch self[key] {
        case .value(let v): v
        case .count(let c): Double(c)
        case .integer(let i): Double(i)
        default: nil
        }
    }

    public func integer(_ key: String) -> Int? {
        switch self[key] {
        case .count(let c): Int(c)
        case .integer(let i): i
        case .value(let v) where v == v.rounded(): Int64(wholePartOf: v).map { Int($0) }
        default: nil
        }
    }

    public func string(_ key: String) -> String? {
        if case .string(let s) = self[key] { s } else { nil }
    }

    public static func == (lhs: RRDInfo, rhs: RRDInfo) -> Bool {
        lhs.entries.count == rhs.entries.count && zip(lhs.entries, rhs.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

/// `rrd_lastupdate_r`'s answer.
public struct RRDLastUpdate: Sendable, Equatable {
    public var time: Int64
    /// DS name → the last value as librrd stored its text (`"U"` when unknown).
    public var values: [String: String]

    public init(time: Int64, values: [String: String]) {
        self.time = time
        self.values = values
    }
}
