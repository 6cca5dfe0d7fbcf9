import PlexusCore
import Testing

@testable import PlexusExport

/// A writer that copies names from its memo of the last poll writes exactly what a writer
/// making every name writes, whatever changed between polls.
@Suite struct ExportMemoTests {
    struct Value {
        var metric: String
        var group: String? = "load"
        var value: Double = 1.5
        var text: String? = nil
    }

    /// A poll as the walk gives it: places, each with its values (a summary's: sum and num).
    typealias Poll = [(place: ExportSample.Place, values: [Value])]

    static func host(_ name: String, _ metrics: [String], value: Double = 1.5) -> (place: ExportSample.Place, values: [Value]) {
        (.host(cluster: "web", host: name), metrics.map { Value(metric: $0, value: value) })
    }

    static let base: Poll = [
        host("a", ["load_one", "cpu user", "bytes_in"]), host("b.example.org", ["load_one", "cpu user", "bytes_in"]),
        (.cluster("web"), [Value(metric: "load_one", group: nil, value: 3), Value(metric: "bytes_in", group: nil, value: 7)]),
    ]

    /// Each poll changes something from the one before.
    static let polls: [Poll] = [
        base,
        base.map { ($0.place, $0.values.map { Value(metric: $0.metric, group: $0.group, value: $0.value + 1, text: "2.50") }) },
        [host("a", ["load_one", "bytes_in"]), host("b.example.org", ["load_one", "cpu user", "bytes_in"])],  // one gone in the middle
        [host("a", ["load_one", "cpu user", "bytes_in", "new_one"]), host("b.example.org", ["load_one", "cpu user", "bytes_in"])],  // one added
        [(.host(cluster: "web", host: "a"), [Value(metric: "load_one", group: "other")])],  // another group; a host gone
        [host("c", ["x"]), host("a", ["load_one"]), host("b.example.org", ["load_one", "cpu user"])],  // a new host first
        [host("b.example.org", ["load_one", "cpu user"]), host("a", ["load_one"])],  // out of order
        [host("a", ["load_one", "zero"], value: 0), (.grid("Ops"), [Value(metric: "load_one", group: nil, value: .nan)])],  // zeros, NaN
        [host("a", ["load_one", "cpu user"], value: .infinity), host("a", ["load_one"])],  // not finite; a place twice
        base,
    ]

    static func write(_ poll: Poll, into sink: inout some ExportSink) {
        for (place, values) in poll {
            sink.begin(place, time: 1_700_000_000)
            for v in values {
                if case .host = place {
                    sink.value(metric: v.metric, group: v.group, value: v.value, text: v.text)
                } else {
                    sink.summary(metric: v.metric, sum: v.value, num: 2)
                }
            }
        }
    }

    func check<W: ExportSink>(_ make: (ExportMemo) -> W) {
        var memo = ExportMemo()
        for (i, poll) in Self.polls.enumerated() {
            var fresh = make(ExportMemo())
            var copying = make(memo)
            Self.write(poll, into: &fresh)
            Self.write(poll, into: &copying)
            let made = fresh.finish(), copied = copying.finish()
            #expect(copied.chunk == made.chunk, "poll \(i)")
            #expect(!made.chunk.isEmpty, "poll \(i)")
            memo = copied.memo
            // The memo holds this poll's series, no more: every record's name, once.
            #expect(memo.series == made.chunk.count, "poll \(i)")
        }
    }

    @Test func graphiteLinesAreTheSameWithTheMemo() {
        check { GraphiteWriter(format: GraphiteFormat(prefix: "p", template: "%s.%h.%m", caseSensitiveHostnames: false), memo: $0) }
    }

    @Test func remoteWriteSeriesAreTheSameWithTheMemo() {
        check { RemoteWriteWriter(naming: PrometheusSeries(gridname: "Ops"), memo: $0) }
    }

    @Test func aWriterFillsASpareChunksMemoryWithoutItsOldRecords() {
        var queue = ExportQueue(capacity: 100)
        var first = GraphiteWriter(format: GraphiteFormat())
        Self.write(Self.base, into: &first)
        let written = first.finish().chunk
        queue.push(written)
        #expect(queue.takeSpare().bytes.capacity == 0)  // nothing sent yet: no spare
        _ = queue.take(max: 100)
        let spare = queue.takeSpare()
        #expect(spare.isEmpty && spare.bytes.capacity >= written.bytes.count)
        var second = GraphiteWriter(format: GraphiteFormat(), storage: spare)
        Self.write(Self.base, into: &second)
        #expect(second.finish().chunk == written)
        #expect(queue.takeSpare().bytes.capacity == 0)  // taken once
    }
}
