/// Where a poll's values are written as they are walked: a place (a host, a cluster's summary,
/// a grid's) and its time, then each value of it. The writers (`GraphiteWriter`,
/// `RemoteWriteWriter`) format each value straight into an `ExportChunk`, copying what names
/// each series from their `ExportMemo` of the stream's last poll: a poll of 30,000 values costs
/// a few milliseconds, with no value made on the way (docs/BENCHMARKS.md).
public protocol ExportSink {
    /// The values that follow are of `place`, at `time` (seconds since the epoch).
    mutating func begin(_ place: ExportSample.Place, time: Int64)
    /// A host's value (after `begin(.host...)`); `text`: the value as the source wrote it,
    /// when the walk has it.
    mutating func value(metric: String, group: String?, value: Double, text: String?)
    /// A summary (after `begin(.cluster...)` or `begin(.grid...)`): the sum and the hosts.
    mutating func summary(metric: String, sum: Double, num: Double)
    /// What was written, and the memo the stream's next writer starts from.
    mutating func finish() -> ExportWritten
}

/// A writer's output: the chunk for the destination's queue, the memo for the next poll.
public struct ExportWritten: Sendable {
    public var chunk: ExportChunk
    public var memo: ExportMemo

    public init(chunk: ExportChunk, memo: ExportMemo) {
        self.chunk = chunk
        self.memo = memo
    }
}

extension ExportSink {
    /// One sample, as the walk would give it.
    public mutating func add(_ sample: ExportSample) {
        begin(sample.place, time: sample.time)
        if let num = sample.num {
            summary(metric: sample.metric, sum: sample.value, num: num)
        } else {
            value(metric: sample.metric, group: sample.group, value: sample.value, text: nil)
        }
    }
}

/// Formatted values: the bytes, and where each value's record ends (a Graphite line, a
/// remote-write TimeSeries), so that a queue can drop or take whole records. Records of
/// either format can be concatenated as they are: lines follow lines, and WriteRequest's
/// repeated field 1 entries follow each other.
public struct ExportChunk: Sendable, Equatable {
    public var bytes: [UInt8] = []
    /// The end offset of each record in `bytes`.
    public var ends: [Int] = []

    public init() {}

    /// Room for `bytes` and `records` without growing (a poll's chunk is about the last one's).
    public init(reserving bytes: Int, records: Int) {
        self.bytes.reserveCapacity(bytes)
        ends.reserveCapacity(records)
    }

    /// An empty chunk in `storage`'s memory (`ExportQueue.takeSpare`), with room for `bytes`
    /// and `records`.
    public init(reusing storage: ExportChunk, reserving bytes: Int, records: Int) {
        self = storage
        self.bytes.removeAll(keepingCapacity: true)
        self.ends.removeAll(keepingCapacity: true)
        self.bytes.reserveCapacity(bytes)
        ends.reserveCapacity(records)
    }

    public var count: Int { ends.count }
    public var isEmpty: Bool { ends.isEmpty }

    /// Marks the end of a record at the current end of `bytes`.
    mutating func close() { ends.append(bytes.count) }

    /// The first `n` records' bytes, and the rest as a chunk.
    func split(at n: Int) -> (head: ArraySlice<UInt8>, rest: ExportChunk) {
        guard n < count else { return (bytes[...], ExportChunk()) }
        let cut = n == 0 ? 0 : ends[n - 1]
        var rest = ExportChunk()
        rest.bytes = Array(bytes[cut...])
        rest.ends = ends[n...].map { $0 - cut }
        return (bytes[..<cut], rest)
    }
}

extension OutputSpan<UInt8> {
    /// Appends `bytes` with one copy (a record's parts, written once its length is known).
    mutating func append(copying bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        withUnsafeMutableBufferPointer { buffer, count in
            (buffer.baseAddress! + count).initialize(from: source, count: bytes.count)
            count += bytes.count
        }
    }
}
