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
        var out = (["time"] + columns.map(csvField)).joined(separator: ",") + "\r\n"
        for (i, row) in data.rows.enumerated() {
            out += ([stamp(data.time(ofRow: i), time)] + row.map { $0.isFinite ? number($0) : "" }).joined(separator: ",") + "\r\n"
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
    /// 0.10000000000000002). `vsnprintf`, not `String(format:)`, which costs a CFString a value.
    public static func number(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        var buffer = [UInt8](repeating: 0, count: 48)
        let count = buffer.withUnsafeMutableBufferPointer { out in
            withVaList([d]) { vsnprintf(UnsafeMutableRawPointer(out.baseAddress!).assumingMemoryBound(to: CChar.self), out.count, "%.12g", $0) }
        }
        return String(decoding: buffer.prefix(Int(max(0, min(count, Int32(buffer.count - 1))))), as: UTF8.self)
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
