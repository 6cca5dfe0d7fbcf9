internal import CRRD  // not re-exported: clients of PlexusArchive never see C types or need the module map
import Glibc
import Synchronization

/// The shim: every call into librrd is in this file, so there is one place to read what we ask of
/// the C library (and `RRDFunctions` is the one place to fake it).
///
/// Rules it keeps (docs/format/rrd.md, "librrd facts this code relies on"):
/// - only the thread-safe `_r` functions for create, update, fetch, info and lastupdate, with
///   numeric timestamps;
/// - librrd's error is per thread: it is cleared before each call and read right after it, in one
///   synchronous stretch (nothing here is `async`, so no thread hop can come between);
/// - what librrd allocates is freed here (`rrd_freemem`, `rrd_info_free`) after it has been
///   copied into Swift values;
/// - `rrd_graph_v` and `rrd_xport` use process-wide state (getopt's globals, the graph code's
///   font and image state): two at once corrupted the heap here. They hold `graphLock`, one lock
///   for the whole process whoever calls (several readers, the CLI, tests in parallel).
public struct LibRRD: RRDFunctions {
    public init() {}

    /// The one lock around `rrd_graph_v` and `rrd_xport`. Process-wide because librrd's state is.
    static let graphLock = Mutex<Void>(())

    /// `rrd_create_r2(path, step, start, no_overwrite = 1, NULL, NULL, argc, argv)`.
    public func create(path: String, step: Int, start: Int64, definitions: [String]) throws(RRDError) {
        let status = Self.call("rrd_create_r2", path) {
            CStringArray(definitions).withPointers { argc, argv in
                rrd_create_r2(path, UInt(step), time_t(start), 1, nil, nil, argc, argv)
            }
        }
        try status.check(failed: status.result != 0)
    }

    /// `rrd_update_r(path, NULL, argc, argv)`.
    public func update(path: String, values: [String]) throws(RRDError) {
        let status = Self.call("rrd_update_r", path) {
            CStringArray(values).withPointers { argc, argv in rrd_update_r(path, nil, argc, argv) }
        }
        try status.check(failed: status.result != 0)
    }

    /// `rrd_fetch_r(path, cf, &start, &end, &step, &ds_cnt, &ds_namv, &data)`.
    public func fetch(path: String, consolidation: String, start: Int64, end: Int64, resolution: Int) throws(RRDError) -> RRDSeries {
        var start = time_t(start), end = time_t(end), step = UInt(max(resolution, 1)), count: UInt = 0
        var names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = nil
        var data: UnsafeMutablePointer<rrd_value_t>? = nil
        let status = Self.call("rrd_fetch_r", path) {
            rrd_fetch_r(path, consolidation, &start, &end, &step, &count, &names, &data)
        }
        try status.check(failed: status.result != 0)
        defer {
            Self.free(names: names, count: Int(count))
            rrd_freemem(data)
        }
        return Self.series(start: start, end: end, step: step, columns: Self.strings(names, Int(count)), data: data)
    }

    /// `rrd_info_r(path)`, then `rrd_info_free`.
    public func info(path: String) throws(RRDError) -> RRDInfo {
        let status = Self.call("rrd_info_r", path) { rrd_info_r(path) }
        try status.check(failed: status.result == nil)
        defer { rrd_info_free(status.result) }
        return Self.info(status.result)
    }

    /// `rrd_lastupdate_r(path, &last, &ds_count, &ds_names, &last_ds)`.
    public func lastUpdate(path: String) throws(RRDError) -> RRDLastUpdate {
        var last: time_t = 0, count: UInt = 0
        var names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = nil
        var values: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = nil
        let status = Self.call("rrd_lastupdate_r", path) { rrd_lastupdate_r(path, &last, &count, &names, &values) }
        try status.check(failed: status.result != 0)
        defer {
            Self.free(names: names, count: Int(count))
            Self.free(names: values, count: Int(count))
        }
        return RRDLastUpdate(
            time: Int64(last),
            values: Dictionary(zip(Self.strings(names, Int(count)), Self.strings(values, Int(count))), uniquingKeysWith: { a, _ in a })
        )
    }

    /// `rrd_graph_v(argc, argv)` with argv[0] a dummy and argv[1] the output (`-`: in memory;
    /// the picture comes back as the blob `image`).
    public func graph(arguments: [String]) throws(RRDError) -> RRDInfo {
        let strings = CStringArray(["graph"] + arguments)
        return try Self.graphLock.withLock { _ throws(RRDError) -> RRDInfo in
            let status = Self.call("rrd_graph_v", nil) {
                strings.withMutablePointers { argc, argv in rrd_graph_v(argc, argv) }
            }
            try status.check(failed: status.result == nil)
            defer { rrd_info_free(status.result) }
            return Self.info(status.result)
        }
    }

    /// `rrd_tune(argc, argv)` with argv `tune PATH ARGUMENTS...`, under the graph lock (it
    /// parses its arguments with process-wide state, as `rrd_graph_v` does).
    public func tune(path: String, arguments: [String]) throws(RRDError) {
        let strings = CStringArray(["tune", path] + arguments)
        try Self.graphLock.withLock { _ throws(RRDError) in
            let status = Self.call("rrd_tune", path) { strings.withMutablePointers { argc, argv in rrd_tune(argc, argv) } }
            try status.check(failed: status.result != 0)
        }
    }

    /// `rrd_xport(argc, argv, &xsize, &start, &end, &step, &col_cnt, &legend_v, &data)`.
    public func xport(arguments: [String]) throws(RRDError) -> RRDSeries {
        var xsize: Int32 = 0, start: time_t = 0, end: time_t = 0, step: UInt = 0, count: UInt = 0
        var legends: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = nil
        var data: UnsafeMutablePointer<rrd_value_t>? = nil
        let strings = CStringArray(["xport"] + arguments)
        return try Self.graphLock.withLock { _ throws(RRDError) -> RRDSeries in
            let status = Self.call("rrd_xport", nil) {
                strings.withMutablePointers { argc, argv in
                    rrd_xport(argc, argv, &xsize, &start, &end, &step, &count, &legends, &data)
                }
            }
            try status.check(failed: status.result != 0)
            defer {
                Self.free(names: legends, count: Int(count))
                rrd_freemem(data)
            }
            return Self.series(start: start, end: end, step: step, columns: Self.strings(legends, Int(count)), data: data)
        }
    }

    // MARK: - Errors

    /// A call's result with librrd's error text, read on the same thread right after the call.
    struct Outcome<Result> {
        var result: Result
        var function: String
        var path: String?
        var message: String?
        /// `errno` right after the call (0 when the call set none).
        var code: Int32 = 0

        func check(failed: Bool) throws(RRDError) {
            guard failed else { return }
            throw RRDError(.library(function: function), path: path, message: Self.reason(message, code))
        }

        /// librrd's words; where it has none (rrd_create_r2 on a full disk), the system's.
        static func reason(_ message: String?, _ code: Int32) -> String {
            let system = code == 0 ? nil : "\(String(cString: strerror(code))) (errno \(code))"
            switch (message, system) {
            case (let message?, let system?) where !message.contains(String(cString: strerror(code))): return "\(message): \(system)"
            case (let message?, _): return message
            case (nil, let system?): return system
            case (nil, nil): return "failed, and neither librrd nor the system said why"
            }
        }
    }

    /// Clears the thread's error and errno, makes the call, reads both: no suspension point
    /// between.
    static func call<Result>(_ function: String, _ path: String?, _ body: () -> Result) -> Outcome<Result> {
        rrd_clear_error()
        errno = 0
        let result = body()
        let code = errno
        var message: String? = nil
        if rrd_test_error() != 0, let text = rrd_get_error() {
            message = String(cString: text)
            rrd_clear_error()
        }
        return Outcome(result: result, function: function, path: path, message: message, code: code)
    }

    // MARK: - Copying out of C

    static func strings(_ array: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ count: Int) -> [String] {
        guard let array else { return [] }
        return (0..<count).map { array[$0].map { String(cString: $0) } ?? "" }
    }

    static func free(names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, count: Int) {
        guard let names else { return }
        for i in 0..<count { rrd_freemem(names[i]) }
        rrd_freemem(names)
    }

    static func series(start: time_t, end: time_t, step: UInt, columns: [String], data: UnsafeMutablePointer<rrd_value_t>?) -> RRDSeries {
        let width = columns.count
        let rowCount = step > 0 && end > start ? Int((end - start) / time_t(step)) : 0
        var rows: [[Double]] = []
        rows.reserveCapacity(rowCount)
        if let data, width > 0 {
            for r in 0..<rowCount {
                rows.append((0..<width).map { data[r * width + $0] })
            }
        }
        return RRDSeries(start: Int64(start), end: Int64(end), step: Int(step), columns: columns, rows: rows)
    }

    static func info(_ list: UnsafeMutablePointer<rrd_info_t>?) -> RRDInfo {
        var entries: [(key: String, value: RRDInfoValue)] = []
        var node = list
        while let current = node {
            let key = String(cString: current.pointee.key)
            let v = current.pointee.value
            let value: RRDInfoValue
            switch current.pointee.type {
            case RD_I_VAL: value = .value(v.u_val)
            case RD_I_CNT: value = .count(v.u_cnt)
            case RD_I_STR: value = .string(v.u_str.map { String(cString: $0) } ?? "")
            case RD_I_INT: value = .integer(Int(v.u_int))
            case RD_I_BLO: value = .blob(v.u_blo.ptr.map { Array(UnsafeBufferPointer(start: $0, count: Int(v.u_blo.size))) } ?? [])
            default: value = .string("")
            }
            entries.append((key, value))
            node = current.pointee.next
        }
        return RRDInfo(entries: entries)
    }
}

/// Strings laid out once in one NUL-separated buffer, with an argv of pointers into it: one
/// allocation for an update of hundreds of values instead of one `strdup` each.
struct CStringArray {
    private var bytes: [CChar] = []
    private var offsets: [Int] = []

    init(_ strings: [String]) {
        offsets.reserveCapacity(strings.count)
        bytes.reserveCapacity(strings.reduce(0) { $0 + $1.utf8.count + 1 })
        for string in strings {
            offsets.append(bytes.count)
            for byte in string.utf8 { bytes.append(CChar(bitPattern: byte)) }
            bytes.append(0)
        }
    }

    /// `argc` and a `const char **argv` valid during `body`.
    func withPointers<R>(_ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>) -> R) -> R {
        bytes.withUnsafeBufferPointer { buffer in
            var argv: [UnsafePointer<CChar>?] = offsets.map { buffer.baseAddress! + $0 }
            argv.append(nil)
            return argv.withUnsafeMutableBufferPointer { body(Int32(offsets.count), $0.baseAddress!) }
        }
    }

    /// `argc` and a `char **argv` (getopt-style functions take it non-const; librrd's getopt may
    /// permute the pointer array, never the bytes).
    func withMutablePointers<R>(_ body: (Int32, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        var copy = bytes
        return copy.withUnsafeMutableBufferPointer { buffer in
            var argv: [UnsafeMutablePointer<CChar>?] = offsets.map { buffer.baseAddress! + $0 }
            argv.append(nil)
            return argv.withUnsafeMutableBufferPointer { body(Int32(offsets.count), $0.baseAddress!) }
        }
    }
}
