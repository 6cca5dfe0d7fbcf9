/// Writes a poll's values as remote-write `WriteRequest` entries, one `TimeSeries` each (a
/// summary two), without building the generated messages: a poll of 30,000 values made
/// 30,000 messages, each with arrays of labels, and cost several times the poll itself
/// (docs/BENCHMARKS.md). The bytes are the ones swift-protobuf writes for the same series
/// (`RemoteWriteBody.request` of distinct series; `RemoteWriteTests` compares them), fields in
/// number order and proto3's defaults (empty strings, 0) left out; a receiver reads a series
/// that comes twice in a request as one, in order.
public struct RemoteWriteWriter: ExportSink {
    public let naming: PrometheusSeries
    private var chunk = ExportChunk()
    private var memo: MemoCursor
    private var place: ExportSample.Place = .grid("")
    /// The current place's label entries after `__name__`: cluster and grid, then host (the
    /// metric's group goes between them), encoded on the first series the memo doesn't have.
    private var placeLabels: (clusterAndGrid: [UInt8], host: [UInt8])?
    private var time: Int64 = 0
    /// The encoded timestamp field of the place's samples.
    private var timestamp: [UInt8] = []
    private var group: (text: String, entry: [UInt8]) = ("", [])
    /// The series being written's labels.
    private var labels: [UInt8] = []

    /// `storage`: a chunk whose memory to write in (`ExportQueue.takeSpare`).
    public init(
        naming: PrometheusSeries, reserving size: (bytes: Int, records: Int) = (0, 0), memo: ExportMemo = ExportMemo(), storage: ExportChunk = ExportChunk()
    ) {
        self.naming = naming
        chunk = ExportChunk(reusing: storage, reserving: size.bytes, records: size.records)
        self.memo = MemoCursor(memo)
    }

    public mutating func begin(_ place: ExportSample.Place, time: Int64) {
        if time != self.time || timestamp.isEmpty {
            self.time = time
            // Sample.timestamp, the same for every sample of the place: written once.
            let milliseconds = UInt64(bitPattern: time &* 1000)
            timestamp.removeAll(keepingCapacity: true)
            if milliseconds != 0 {
                timestamp.append(0x10)
                Self.appendVarint(milliseconds, to: &timestamp)
            }
        }
        self.place = place
        placeLabels = nil
        memo.begin(place)
    }

    public mutating func value(metric: String, group: String?, value: Double, text: String?) {
        guard value.isFinite else { return }
        series(metric, "", value, group: group)
    }

    public mutating func summary(metric: String, sum: Double, num: Double) {
        guard sum.isFinite else { return }
        series(metric, "_sum", sum, group: nil)
        if num.isFinite { series(metric, "_count", num, group: nil) }
    }

    public mutating func finish() -> ExportWritten { ExportWritten(chunk: chunk, memo: memo.finish()) }

    /// The place's labels but the group.
    private func makePlaceLabels() -> (clusterAndGrid: [UInt8], host: [UInt8]) {
        var clusterAndGrid: [UInt8] = []
        var host: [UInt8] = []
        switch place {
        case .host(let c, let h):
            Self.label("cluster", c, to: &clusterAndGrid)
            Self.label("grid", naming.gridname, to: &clusterAndGrid)
            Self.label("host", h, to: &host)
        case .cluster(let c):
            Self.label("cluster", c, to: &clusterAndGrid)
            Self.label("grid", naming.gridname, to: &clusterAndGrid)
        case .grid(let g):
            Self.label("grid", g, to: &clusterAndGrid)
        }
        return (clusterAndGrid, host)
    }

    /// A series' labels: `__name__` (name + suffix), the place's labels with the group in its
    /// sorted place.
    private mutating func makeLabels(_ metric: String, _ suffix: StaticString, group: String?) {
        let name = Self.validName(metric) ? metric : PrometheusSeries.metricName(metric)
        let nameLength = name.utf8.count + suffix.utf8CodeUnitCount
        labels.append(0x0A)  // TimeSeries.labels: __name__
        Self.appendVarint(UInt64(Self.labelSize(8, nameLength)), to: &labels)
        labels += Self.nameKey
        labels.append(0x12)
        Self.appendVarint(UInt64(nameLength), to: &labels)
        labels += name.utf8
        suffix.withUTF8Buffer { labels += $0 }
        if placeLabels == nil { placeLabels = makePlaceLabels() }
        labels += placeLabels!.clusterAndGrid
        if let group, !group.isEmpty {
            if group != self.group.text {
                var entry: [UInt8] = []
                Self.label("group", group, to: &entry)
                self.group = (group, entry)
            }
            labels += self.group.entry
        }
        labels += placeLabels!.host
    }

    /// One TimeSeries: its labels, then the sample, written as one record of known length
    /// (no capacity or uniqueness check per byte).
    private mutating func series(_ metric: String, _ suffix: StaticString, _ value: Double, group: String?) {
        // At most 9 + 11 bytes: the length is one byte.
        let sampleLength = (value.bitPattern != 0 ? 9 : 0) + timestamp.count
        let matched = memo.match(metric, group: group)
        if matched == nil {
            labels.removeAll(keepingCapacity: true)
            makeLabels(metric, suffix, group: group)
            memo.record(metric, group: group, labels)
        }
        let size = (matched ?? labels.count) + Self.entry(sampleLength)
        chunk.bytes.append(addingCapacity: Self.entry(size)) { out in
            out.append(0x0A)  // WriteRequest.timeseries
            Self.appendVarint(UInt64(size), to: &out)
            if matched != nil {
                memo.withMatched { out.append(copying: $0) }
            } else {
                labels.withUnsafeBufferPointer { out.append(copying: $0) }
            }
            out.append(0x12)  // TimeSeries.samples
            out.append(UInt8(sampleLength))
            if value.bitPattern != 0 {
                out.append(0x09)  // Sample.value, 64-bit little-endian
                withUnsafeBytes(of: value.bitPattern.littleEndian) { for byte in $0 { out.append(byte) } }
            }
            timestamp.withUnsafeBufferPointer { out.append(copying: $0) }  // Sample.timestamp, varint
        }
        chunk.close()
    }

    /// Label.name "__name__", encoded.
    private static let nameKey: [UInt8] = [0x0A, 8] + Array("__name__".utf8)

    /// Whether a name is already what Prometheus allows: `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    static func validName(_ metric: String) -> Bool {
        var first = true
        for b in metric.utf8 {
            let letter = (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == UInt8(ascii: "_") || b == UInt8(ascii: ":")
            guard letter || (!first && b >= 0x30 && b <= 0x39) else { return false }
            first = false
        }
        return !first
    }

    /// A label's entry in a TimeSeries; nothing for an empty value (a label without a value is
    /// no label, and proto3 leaves empty strings out).
    static func label(_ key: StaticString, _ value: String, to out: inout [UInt8]) {
        guard !value.isEmpty else { return }
        out.append(0x0A)
        appendVarint(UInt64(labelSize(key.utf8CodeUnitCount, value.utf8.count)), to: &out)
        out.append(0x0A)
        appendVarint(UInt64(key.utf8CodeUnitCount), to: &out)
        key.withUTF8Buffer { out += $0 }
        out.append(0x12)
        appendVarint(UInt64(value.utf8.count), to: &out)
        out += value.utf8
    }

    /// A Label message's size: its name and value fields.
    static func labelSize(_ key: Int, _ value: Int) -> Int {
        (1 + varintSize(UInt64(key)) + key) + (value > 0 ? 1 + varintSize(UInt64(value)) + value : 0)
    }

    /// A label's entry in its TimeSeries, or nothing for an empty value.
    static func labelEntry(_ key: Int, _ value: String) -> Int { value.isEmpty ? 0 : entry(labelSize(key, value.utf8.count)) }

    /// A length-delimited field's size with its tag and length.
    static func entry(_ length: Int) -> Int { 1 + varintSize(UInt64(length)) + length }

    static func varintSize(_ value: UInt64) -> Int {
        var n = 1
        var v = value >> 7
        while v != 0 {
            n += 1
            v >>= 7
        }
        return n
    }

    static func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
        out.append(addingCapacity: varintSize(value)) { appendVarint(value, to: &$0) }
    }

    static func appendVarint(_ value: UInt64, to out: inout OutputSpan<UInt8>) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }
}
