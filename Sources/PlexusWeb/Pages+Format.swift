import Foundation

/// How the pages write numbers, sizes, durations and times.
extension Pages {
    static func number(_ d: Double?) -> String {
        guard let d, d.isFinite else { return "–" }
        return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(format: "%.2f", d)
    }

    static func percent(_ d: Double?) -> String { d.map { String(format: "%.1f %%", $0) } ?? "–" }

    static func kilobytes(_ kb: Double?) -> String {
        guard let kb, kb.isFinite else { return "–" }
        let units = ["KB", "MB", "GB", "TB", "PB"]
        var value = kb, unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return String(format: unit == 0 ? "%.0f %@" : "%.1f %@", value, units[unit])
    }

    static func duration(_ seconds: Int64) -> String {
        switch seconds {
        case ..<120: "\(max(0, seconds)) s"
        case ..<7200: "\(seconds / 60) min"
        case ..<172_800: "\(seconds / 3600) h"
        default: "\(seconds / 86400) days"
        }
    }

    static func time(_ t: Int64) -> String {
        var seconds = time_t(t)
        var parts = tm()
        localtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02d %02d:%02d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min)
    }
}
