import Foundation
import PlexusCore

/// A point in time as operators type it on a command line or in a URL, parsed without a clock:
/// `now` and the time zone come in as parameters.
///
/// - `now`, `now-2h`, `-90m`, `-1d`, `+30s` (relative: s, m/min, h, d, w);
/// - seconds since the epoch (`1764064800`; at least 9 digits, so a bare number is never a year);
/// - `14:05` or `14:05:30`: that time today (the day of `now` in `timeZone`);
/// - `2026-11-25` (midnight), `2026-11-25T14:30`, `2026-11-25 14:30:15`, with an optional `Z` or
///   `±HH:MM` offset; without one, the time is read in `timeZone` (the operator's local time).
public enum TimeSpec {
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public var text: String

        public var description: String {
            "\(text.debugDescription) is not a time (try now, -2h, 1764064800, 2026-11-25 or 2026-11-25T14:30)"
        }
    }

    public static func parse(_ text: String, now: Int64, timeZone: TimeZone = .current) throws(Invalid) -> Int64 {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.lowercased() == "now" { return now }
        if trimmed.lowercased().hasPrefix("now"), let offset = relative(trimmed.dropFirst(3)) { return now + offset }
        if let offset = relative(Substring(trimmed)) { return now + offset }
        if trimmed.count >= 9, trimmed.allSatisfy(\.isASCII), let seconds = Int64(trimmed) { return seconds }
        if let time = calendarTime(trimmed, timeZone: timeZone) { return time }
        if trimmed.count == 5 || trimmed.count == 8, trimmed.dropFirst(2).first == ":" {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            let today = calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: TimeInterval(now)))
            let date = String(format: "%04d-%02d-%02dT", today.year ?? 1970, today.month ?? 1, today.day ?? 1)
            if let time = calendarTime(date + trimmed, timeZone: timeZone) { return time }
        }
        throw Invalid(text: text)
    }

    /// `-90m`, `+2h`: a signed count and a unit.
    private static func relative(_ text: Substring) -> Int64? {
        guard let sign = text.first, sign == "-" || sign == "+" else { return nil }
        let body = text.dropFirst()
        let digits = body.prefix(while: { $0.isASCII && $0.isNumber })
        guard !digits.isEmpty, digits.count <= 12, let count = Int64(digits) else { return nil }
        let unit: Int64? =
            switch body.dropFirst(digits.count).lowercased() {
            case "", "s", "sec", "secs", "second", "seconds": 1
            case "m", "min", "mins", "minute", "minutes": 60
            case "h", "hr", "hrs", "hour", "hours": 3600
            case "d", "day", "days": 86400
            case "w", "week", "weeks": 604_800
            default: nil
            }
        guard let unit else { return nil }
        return (sign == "-" ? -1 : 1) * count * unit
    }

    /// `YYYY-MM-DD[(T| )HH:MM[:SS]][Z|±HH:MM]`.
    private static func calendarTime(_ text: String, timeZone: TimeZone) -> Int64? {
        var rest = Substring(text)
        func number(_ digits: Int) -> Int? {
            let part = rest.prefix(digits)
            guard part.count == digits, part.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            rest = rest.dropFirst(digits)
            return Int(part)
        }
        func expect(_ c: Character) -> Bool {
            guard rest.first == c else { return false }
            rest = rest.dropFirst()
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2) else { return nil }
        var components = DateComponents(year: year, month: month, day: day, hour: 0, minute: 0, second: 0)
        if rest.first == "T" || rest.first == " " {
            rest = rest.dropFirst()
            guard let hour = number(2), expect(":"), let minute = number(2) else { return nil }
            components.hour = hour
            components.minute = minute
            if rest.first == ":" {
                rest = rest.dropFirst()
                guard let second = number(2) else { return nil }
                components.second = second
            }
        }
        var zone = timeZone
        if rest == "Z" {
            zone = TimeZone(secondsFromGMT: 0)!
            rest = ""
        } else if let sign = rest.first, sign == "+" || sign == "-" {
            rest = rest.dropFirst()
            guard let hours = number(2), expect(":"), let minutes = number(2), hours < 24, minutes < 60,
                let offsetZone = TimeZone(secondsFromGMT: (sign == "-" ? -1 : 1) * (hours * 3600 + minutes * 60))
            else { return nil }
            zone = offsetZone
        }
        guard rest.isEmpty, (1...12).contains(month), (1...31).contains(day), (0...23).contains(components.hour ?? 0),
            (0...59).contains(components.minute ?? 0), (0...60).contains(components.second ?? 0)
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        guard let date = calendar.date(from: components),
            calendar.component(.day, from: date) == day  // refuses 2026-02-31 instead of rolling over
        else { return nil }
        return Int64(date.timeIntervalSince1970.rounded(.down))
    }
}
