import CGlibc
import Foundation
import PlexusCore

/// An export as text: CSV for spreadsheets (a header, RFC 4180 line ends, gaps empty) and JSON
/// for scripts (`{subject, metric|report, start, end, step, columns, rows: [{time, ...}]}`, gaps
/// null). `plexus export` prints it, the web's series API serves it.
public enum ExportText {
    public enum TimeFormat: String, Sendable, CaseIterable {
        /// Seconds since the epoch.
        case epoch
        /// UTC, `2026-11-25T14:30:00Z`.
        case iso
    }

    public static func csv(_ data: RRDSeries, columns: [String], time: TimeFormat = .epoch) -> String {
        String(decoding: csvBytes(data, columns: columns, time: time), as: UTF8.self)
    }

    /// `csv` as UTF-8, for writing out without a string in between.
    public static func csvBytes(_ data: RRDSeries, columns: [String], time: TimeFormat = .epoch) -> [UInt8] {
        // One buffer for the whole text: an array and a string per row and value cost more
        // than formatting the values (a day at 15 s is 5,760 rows).
        var out = Array(((["time"] + columns.map(csvField)).joined(separator: ",") + "\r\n").utf8)
        out.reserveCapacity(out.count + data.rows.count * (12 + 16 * max(1, columns.count)))
        for (i, row) in data.rows.enumerated() {
            let t = data.time(ofRow: i)
            if time == .epoch { appendInteger(t, to: &out) } else { out += stamp(t, time).utf8 }
            for value in row {
                out.append(UInt8(ascii: ","))
                if value.isFinite { appendNumber(value, to: &out) }
            }
            out.append(13)
            out.append(10)
        }
        return out
    }

    public static func json(_ data: RRDSeries, columns: [String], request: GraphRequest, time: TimeFormat = .epoch) -> String {
        let whose =
            switch request.subject {
            case .host(let c, let h): "{\"cluster\":\(quoted(c.rawValue)),\"host\":\(quoted(h.rawValue))}"
            case .cluster(let c): "{\"cluster\":\(quoted(c.rawValue))}"
            case .grid(let g?): "{\"grid\":\(quoted(g.rawValue))}"
            case .grid(nil): "{\"grid\":null}"
            }
        let what =
            switch request.content {
            case .metric(let m): "\"metric\":\(quoted(m.rawValue))"
            case .report(let r): "\"report\":\(quoted(r.rawValue))"
            }
        var out = "{\"subject\":\(whose),\(what),\"start\":\(data.start),\"end\":\(data.end),\"step\":\(data.step),"
        out += "\"columns\":[" + (["time"] + columns).map(quoted).joined(separator: ",") + "],\n\"rows\":["
        out += data.rows.enumerated().map { i, row in
            let t = stamp(data.time(ofRow: i), time)
            return "{\"time\":\(time == .iso ? quoted(t) : t),"
                + zip(columns, row).map { "\(quoted($0)):\($1.isFinite ? number($1) : "null")" }
                .joined(separator: ",") + "}"
        }.joined(separator: ",\n ")
        return out + "]}\n"
    }

    /// Whole numbers without a fraction, others with twelve significant digits: more than any
    /// metric carries (values travel as floats, and rrdtool's averaging adds noise such as
    /// 0.10000000000000002). glibc's `strfromd`: `String(format:)` costs a CFString a value,
    /// `vsnprintf` through `withVaList` a boxed argument and a dynamic cast (half an export's
    /// formatting time).
    public static func number(_ d: Double) -> String {
        var out: [UInt8] = []
        appendNumber(d, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func appendNumber(_ d: Double, to out: inout [UInt8]) {
        if d == d.rounded(), abs(d) < 1e15 { return appendInteger(Int64(d), to: &out) }
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 48) { buffer in
            let count = strfromd(buffer.baseAddress!, buffer.count, "%.12g", d)
            let written = Int(max(0, min(count, Int32(buffer.count - 1))))
            buffer.withMemoryRebound(to: UInt8.self) { out += $0.prefix(written) }
        }
    }

    /// Decimal digits of `n`, as `String(n)` writes them.
    static func appendInteger(_ n: Int64, to out: inout [UInt8]) {
        if n < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = n.magnitude
        let start = out.count
        repeat {
            out.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        out[start...].reverse()
    }

    /// `2026-11-25T14:30:00Z`, or seconds.
    public static func stamp(_ t: Int64, _ format: TimeFormat) -> String {
        guard format == .iso else { return String(t) }
        var seconds = time_t(t)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
            parts.tm_hour, parts.tm_min, parts.tm_sec)
    }

    public static func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + s.replacing("\"", with: "\"\"") + "\"" : s
    }

    /// A JSON string; `<` escaped so no value can close a `<script>` it is embedded in.
    public static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<": out += "\\u003c"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
