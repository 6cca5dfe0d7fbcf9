/// Carbon's plaintext protocol: `path value timestamp\n` lines, with paths made as gmetad makes
/// them (`docs/exports.md#graphite`). From gmetad's `export_helpers.c`:
/// - the path is `graphite_prefix.` + `graphite_path` with `%s` the cluster (gmetad's source
///   name), `%h` the host and `%m` the metric, or `cluster.host.metric` without a template;
/// - spaces in the cluster and the metric become `_`, dots in the host become `_` (a host's
///   domain would otherwise become levels of the tree), and the host is lower-cased unless
///   `case_sensitive_hostnames`.
///
/// Where gmetad errs, this doesn't: a one-character prefix is used (gmetad ignores it), the
/// prefix keeps its case, a metric's spaces become `_` with or without a template (gmetad leaves
/// them without one, which cuts the line), and every whitespace, not only the space, is replaced.
/// Summaries, which gmetad doesn't send, go as their RRD files are laid out: the host is
/// `__SummaryInfo__`, the root summary's cluster is the grid's name, and the sum and the number
/// of hosts are two values, `….sum` and `….num`.
public struct GraphiteFormat: Sendable {
    public var prefix: String?
    public var template: String?
    public var caseSensitiveHostnames: Bool
    /// The path's parts in order: what is written as it is, and where each name goes.
    private let parts: [Part]

    enum Part: Sendable, Equatable {
        case literal([UInt8])
        case cluster, host, metric
    }

    public init(prefix: String? = nil, template: String? = nil, caseSensitiveHostnames: Bool = true) {
        self.prefix = prefix
        self.template = template
        self.caseSensitiveHostnames = caseSensitiveHostnames
        var parts = Self.parts(template ?? "%s.%h.%m")
        if let prefix { parts.insert(.literal(Array((prefix + ".").utf8)), at: 0) }
        // Adjacent literals as one.
        self.parts = parts.reduce(into: []) { merged, part in
            if case .literal(let b) = part, case .literal(let a)? = merged.last {
                merged[merged.count - 1] = .literal(a + b)
            } else {
                merged.append(part)
            }
        }
    }

    /// The line (or, for a summary, the two lines) of `sample`, appended to `lines`; nothing
    /// for a value that isn't finite (carbon would store it as it is).
    public func append(_ sample: ExportSample, to lines: inout [UInt8]) {
        var writer = GraphiteWriter(format: self)
        writer.add(sample)
        lines += writer.finish().chunk.bytes
    }

    /// The path of a sample's value (a summary's, without `.sum` or `.num`).
    public func path(_ sample: ExportSample) -> String {
        var bytes: [UInt8] = []
        appendPath(sample, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    static let sumSuffix = Array(".sum".utf8)
    static let numSuffix = Array(".num".utf8)
    private static let summaryHost = "__SummaryInfo__"

    private func appendPath(_ sample: ExportSample, to bytes: inout [UInt8]) {
        let (cluster, host) = names(sample.place)
        appendPath(cluster: cluster, host: host, metric: sample.metric, to: &bytes)
    }

    /// A place's cluster and host levels, escaped.
    func names(_ place: ExportSample.Place) -> (cluster: [UInt8], host: [UInt8]) {
        var cluster: [UInt8] = []
        var host: [UInt8] = []
        switch place {
        case .host(let c, let h):
            Self.appendLevel(c, dots: false, lower: false, to: &cluster)
            Self.appendLevel(h, dots: true, lower: !caseSensitiveHostnames, to: &host)
        case .cluster(let c):
            Self.appendLevel(c, dots: false, lower: false, to: &cluster)
            host = Array(Self.summaryHost.utf8)
        case .grid(let g):
            Self.appendLevel(g, dots: false, lower: false, to: &cluster)
            host = Array(Self.summaryHost.utf8)
        }
        return (cluster, host)
    }

    func appendPath(cluster: [UInt8], host: [UInt8], metric: String, to bytes: inout [UInt8]) {
        for part in parts {
            switch part {
            case .literal(let literal): bytes += literal
            case .cluster: bytes += cluster
            case .host: bytes += host
            case .metric: Self.appendLevel(metric, dots: false, lower: false, to: &bytes)
            }
        }
    }

    /// A name as one level of the tree: whitespace and control characters become `_`, dots
    /// too for a host, and upper case letters lower for hosts when asked. ASCII byte by byte;
    /// a name with other characters goes through its scalars (Python's split, which carbon
    /// uses, cuts at Unicode whitespace too).
    static func appendLevel(_ name: String, dots: Bool, lower: Bool, to bytes: inout [UInt8]) {
        // Most names need nothing done: copied whole.
        if !name.utf8.contains(where: { $0 <= 0x20 || $0 >= 0x7F || (dots && $0 == UInt8(ascii: ".")) || (lower && $0 >= 0x41 && $0 <= 0x5A) }) {
            bytes += name.utf8
            return
        }
        var ascii = true
        let start = bytes.count
        for b in name.utf8 {
            if b >= 0x80 {
                ascii = false
                break
            }
            if b <= 0x20 || b == 0x7F || (dots && b == UInt8(ascii: ".")) {
                bytes.append(UInt8(ascii: "_"))
            } else if lower, b >= 0x41, b <= 0x5A {
                bytes.append(b + 0x20)
            } else {
                bytes.append(b)
            }
        }
        guard !ascii else { return }
        bytes.removeSubrange(start...)
        let text = lower ? name.lowercased() : name
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace || scalar.value < 0x20 || scalar.value == 0x7F || (dots && scalar == ".") {
                bytes.append(UInt8(ascii: "_"))
            } else {
                bytes += String(scalar).utf8
            }
        }
    }

    /// The template's parts: `%s`, `%h` and `%m` where they stand (a replacement is never read
    /// again for macros, unlike gmetad's repeated search), anything else as written.
    static func parts(_ template: String) -> [Part] {
        var parts: [Part] = []
        var literal: [UInt8] = []
        var bytes = template.utf8.makeIterator()
        func flush() {
            if !literal.isEmpty { parts.append(.literal(literal)) }
            literal = []
        }
        while let b = bytes.next() {
            guard b == UInt8(ascii: "%") else {
                literal.append(b)
                continue
            }
            switch bytes.next() {
            case UInt8(ascii: "s"):
                flush()
                parts.append(.cluster)
            case UInt8(ascii: "h"):
                flush()
                parts.append(.host)
            case UInt8(ascii: "m"):
                flush()
                parts.append(.metric)
            case let other?: literal += [UInt8(ascii: "%"), other]
            case nil: literal.append(UInt8(ascii: "%"))
            }
        }
        flush()
        return parts
    }

}

/// A value as the shortest text that reads back as the same double: integers without `.0`
/// (what Ganglia's XML carries), others as Swift prints them (`0.5`, `1e+300`).
enum ValueText {
    static func shortest(_ value: Double) -> String {
        var bytes: [UInt8] = []
        append(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether a value's text is a plain decimal (digits, a sign, a point), which carbon reads
    /// as it is.
    static func isPlainDecimal(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var digits = false
        for b in bytes {
            if b >= 0x30 && b <= 0x39 {
                digits = true
            } else if b != UInt8(ascii: ".") && b != UInt8(ascii: "-") {
                return false
            }
        }
        return digits
    }

    /// Appends `text` if it is a plain decimal (one pass over its bytes); false if not.
    static func appendPlainDecimal(_ text: inout String, to bytes: inout [UInt8]) -> Bool {
        text.withUTF8 { utf8 in
            guard isPlainDecimal(utf8) else { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
    }

    static func append(_ value: Double, to bytes: inout [UInt8]) {
        if value == value.rounded(), abs(value) < 1e15 {
            appendInteger(Int64(value), to: &bytes)
        } else {
            bytes += value.description.utf8
        }
    }

    /// Decimal digits, written in place without making a string.
    static func appendInteger(_ value: Int64, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var count = 1
        var probe = magnitude
        while probe >= 10 {
            probe /= 10
            count += 1
        }
        var i = bytes.count + count - 1
        bytes.append(contentsOf: repeatElement(0, count: count))
        repeat {
            bytes[i] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
            i -= 1
        } while magnitude > 0
    }
}

/// Carbon lines of a poll's values, into a chunk: a line per value, two per summary (`.sum`,
/// `.num`), each its own record. Paths come from the memo of the stream's last poll when they
/// can (`ExportMemo`); a place's escaped cluster and host are made once, when one is needed.
/// A value goes as the source wrote it when that is a plain decimal (as gmetad sends it),
/// otherwise as the shortest text that reads back as the same number.
public struct GraphiteWriter: ExportSink {
    public let format: GraphiteFormat
    private var chunk = ExportChunk()
    private var memo: MemoCursor
    private var place: ExportSample.Place = .grid("")
    /// The place's escaped cluster and host, made on the first path the memo doesn't have.
    private var names: (cluster: [UInt8], host: [UInt8])?
    /// " TIME\n" of the current place.
    private var timeText: [UInt8] = []

    /// `storage`: a chunk whose memory to write in (`ExportQueue.takeSpare`).
    public init(
        format: GraphiteFormat, reserving size: (bytes: Int, records: Int) = (0, 0), memo: ExportMemo = ExportMemo(), storage: ExportChunk = ExportChunk()
    ) {
        self.format = format
        chunk = ExportChunk(reusing: storage, reserving: size.bytes, records: size.records)
        self.memo = MemoCursor(memo)
    }

    public mutating func begin(_ place: ExportSample.Place, time: Int64) {
        self.place = place
        names = nil
        memo.begin(place)
        timeText.removeAll(keepingCapacity: true)
        timeText.append(UInt8(ascii: " "))
        ValueText.appendInteger(time, to: &timeText)
        timeText.append(UInt8(ascii: "\n"))
    }

    public mutating func value(metric: String, group: String?, value: Double, text: String?) {
        guard value.isFinite else { return }
        path(metric, suffix: [])
        if var text, ValueText.appendPlainDecimal(&text, to: &chunk.bytes) {
        } else {
            ValueText.append(value, to: &chunk.bytes)
        }
        end()
    }

    public mutating func summary(metric: String, sum: Double, num: Double) {
        guard sum.isFinite, num.isFinite else { return }
        path(metric, suffix: GraphiteFormat.sumSuffix)
        ValueText.append(sum, to: &chunk.bytes)
        end()
        path(metric, suffix: GraphiteFormat.numSuffix)
        ValueText.append(num, to: &chunk.bytes)
        end()
    }

    public mutating func finish() -> ExportWritten { ExportWritten(chunk: chunk, memo: memo.finish()) }

    /// "PATH " of a series, from the memo or made.
    private mutating func path(_ metric: String, suffix: [UInt8]) {
        if memo.match(metric, group: nil) != nil { return memo.appendMatched(to: &chunk.bytes) }
        if names == nil { names = format.names(place) }
        let start = chunk.bytes.count
        format.appendPath(cluster: names!.cluster, host: names!.host, metric: metric, to: &chunk.bytes)
        chunk.bytes += suffix
        chunk.bytes.append(UInt8(ascii: " "))
        memo.record(metric, group: nil, chunk.bytes[start...])
    }

    private mutating func end() {
        chunk.bytes += timeText
        chunk.close()
    }
}
