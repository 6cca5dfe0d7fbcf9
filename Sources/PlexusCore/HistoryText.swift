/// The history an agent (or a federated aggregator) serves for back-fill, as text
/// (`docs/format/history.md`): a header line, then per series a line naming it and its values
/// one per line, the first at its time and the rest as seconds after the one before, and an end
/// line with the totals. Text so `nc` can show it; deltas and the shortest round-trip decimal keep
/// it near 9 bytes a value. Names escape `%`, space and control bytes as `%XX`.
public enum HistoryText {
    public static let version = 1

    /// The reply to a history request made at `now`: series in key order (`HistoryStore.values`),
    /// a `C` line before each cluster's.
    public static func encode(_ series: [(key: HistoryKey, entries: [HistoryRing.Entry])], now: Int64) -> String {
        var out = "PLEXUS-HISTORY \(version) \(now)\n"
        var values = 0
        var count = 0
        var cluster: String?
        for (key, entries) in series where !entries.isEmpty {
            if key.cluster != cluster {
                out += "C \(escape(key.cluster))\n"
                cluster = key.cluster
            }
            out += "S \(escape(key.host)) \(escape(key.metric)) \(entries.count)\n"
            var previous: Int64?
            for entry in entries {
                let time = previous.map { "+\(entry.time - $0)" } ?? "\(entry.time)"
                out += "\(time) \(number(entry.value))\n"
                previous = entry.time
            }
            values += entries.count
            count += 1
        }
        out += "END \(count) \(values)\n"
        return out
    }

    /// A history request: `PLEXUS-HISTORY 1 FROM TIME`, asking for every value from `TIME` on
    /// (the value in effect at `TIME`, and those after it).
    public static func request(from time: Int64) -> String { "PLEXUS-HISTORY \(version) FROM \(time)" }

    /// The time a request line asks from, or why it is refused (the reply is then `error(_:)`).
    public static func parseRequest(_ line: String?) -> Result<Int64, Malformed> {
        let fields = (line ?? "").split(separator: " ")
        guard fields.count == 4, fields[0] == "PLEXUS-HISTORY", fields[2] == "FROM", let time = Int64(fields[3]), time >= 0 else {
            return .failure(Malformed(line: 1, reason: "expected PLEXUS-HISTORY \(version) FROM TIME"))
        }
        guard fields[1] == "\(version)" else { return .failure(Malformed(line: 1, reason: "version \(fields[1]) not served (\(version) is)")) }
        return .success(time)
    }

    /// The reply to a request that can't be served: one line, which a reader reports.
    public static func error(_ reason: String) -> String { "PLEXUS-HISTORY-ERROR \(reason)\n" }

    /// What a reader takes from one reply at most (a source can't make the reader hold more).
    public struct Limits: Sendable, Equatable {
        public var maxSeries = 1_000_000
        public var maxValues = 50_000_000
        public var maxLineBytes = 4096

        public init() {}
    }

    public struct Reply: Sendable, Equatable {
        public var now: Int64
        public var series: [HistoryKey: [HistoryRing.Entry]]

        public init(now: Int64, series: [HistoryKey: [HistoryRing.Entry]]) {
            self.now = now
            self.series = series
        }
    }

    public struct Malformed: Error, Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "history line \(line): \(reason)" }

        public init(line: Int, reason: String) {
            self.line = line
            self.reason = reason
        }
    }

    /// Reads a whole reply. A reply cut short (no END line, or totals that disagree) is
    /// refused: back-fill writes only what it knows is complete.
    public static func decode(_ text: Substring, limits: Limits = Limits()) throws(Malformed) -> Reply {
        var reply = Reply(now: 0, series: [:])
        var lineNumber = 0
        var current: HistoryKey?
        var cluster: String?
        var remaining = 0
        var previous: Int64 = 0
        var values = 0
        var ended = false
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.count > 1, lines.last?.isEmpty == true { lines.removeLast() }  // the newline ending the last line
        for line in lines {
            lineNumber += 1
            func fail(_ reason: String) -> Malformed { Malformed(line: lineNumber, reason: reason) }
            if ended { throw fail("text after END") }
            guard line.utf8.count <= limits.maxLineBytes else { throw fail("longer than \(limits.maxLineBytes) bytes") }
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            if lineNumber == 1 {
                if fields.first == "PLEXUS-HISTORY-ERROR" { throw fail("the source refused: \(fields.dropFirst().joined(separator: " "))") }
                guard fields.count == 3, fields[0] == "PLEXUS-HISTORY", fields[1] == "\(version)", let now = Int64(fields[2]) else {
                    throw fail("not a PLEXUS-HISTORY \(version) header")
                }
                reply.now = now
                continue
            }
            if remaining > 0 {
                guard fields.count == 2, let value = Double(fields[1]) else { throw fail("expected TIME VALUE") }
                let time: Int64
                if reply.series[current!]!.isEmpty {
                    guard let absolute = Int64(fields[0]), absolute > 0 else { throw fail("expected the first value's TIME") }
                    time = absolute
                } else {
                    guard fields[0].hasPrefix("+"), let delta = Int64(fields[0].dropFirst()), delta > 0, delta <= Int64(UInt32.max) else {
                        throw fail("expected +SECONDS (more than 0) after the previous value")
                    }
                    time = previous + delta
                }
                reply.series[current!]!.append(HistoryRing.Entry(time: time, value: value))
                previous = time
                remaining -= 1
                continue
            }
            switch fields.first {
            case "C":
                guard fields.count == 2, let name = unescape(fields[1]) else { throw fail("expected C CLUSTER") }
                cluster = name
            case "S":
                guard let cluster else { throw fail("a series before any C CLUSTER line") }
                guard fields.count == 4, let host = unescape(fields[1]), let metric = unescape(fields[2]), let count = Int(fields[3]), count > 0
                else { throw fail("expected S HOST METRIC COUNT") }
                let key = HistoryKey(cluster: cluster, host: host, metric: metric)
                guard reply.series[key] == nil else { throw fail("\(cluster)/\(host)/\(metric) twice") }
                guard reply.series.count < limits.maxSeries else { throw fail("more than \(limits.maxSeries) series") }
                guard values + count <= limits.maxValues else { throw fail("more than \(limits.maxValues) values") }
                values += count
                reply.series[key] = []
                reply.series[key]!.reserveCapacity(count)
                (current, remaining) = (key, count)
            case "END":
                guard fields.count == 3, Int(fields[1]) == reply.series.count, Int(fields[2]) == values else {
                    throw fail("END's totals don't match the series and values read")
                }
                ended = true
            default:
                throw fail("expected C, S or END")
            }
        }
        guard ended else { throw Malformed(line: lineNumber, reason: remaining > 0 ? "cut short inside a series" : "no END line (cut short)") }
        return reply
    }

    /// The shortest decimal that reads back as `value` (Swift's own), `nan`, `inf`, `-inf`.
    static func number(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    static func escape(_ name: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(name.utf8.count)
        for byte in name.utf8 {
            if byte <= 0x20 || byte == 0x25 || byte == 0x7F {
                out += [0x25, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func unescape(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var utf8 = text.utf8.makeIterator()
        while let byte = utf8.next() {
            guard byte == 0x25 else {
                bytes.append(byte)
                continue
            }
            guard let high = utf8.next().flatMap(hexValue), let low = utf8.next().flatMap(hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        guard !bytes.isEmpty else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x41...0x46: c - 0x41 + 10
        case 0x61...0x66: c - 0x61 + 10
        default: nil
        }
    }
}
