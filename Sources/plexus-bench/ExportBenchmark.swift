import Foundation
import PlexusCore
import PlexusExport

/// `plexus-bench exports HOSTS METRICS ITERATIONS`: what exporting adds to each poll of a
/// source, beside what the poll itself costs (`PollBenchmark`'s read into state): the poll's
/// values written as carbon lines and as remote-write series (`ExportSamples.walk` into the
/// writers, as the aggregator does for both destinations at once), and the remote-write
/// series snappy-compressed in requests of 2,000 (the sender's share, off the poll).
struct ExportBenchmark {
    var hosts: Int
    var metrics: Int
    var iterations: Int

    func run() throws {
        let bytes = try SourceDocument.make(hosts: hosts, metrics: metrics).bytes
        print("exports: \(hosts) hosts x \(metrics) metrics, \(bytes.count) bytes")
        var texts = TextTable()
        var previous: SourceContent?
        let graphite = GraphiteFormat(prefix: "p1")
        let naming = PrometheusSeries(gridname: "Bench")
        var last: (lines: ExportChunk, series: ExportChunk) = (ExportChunk(), ExportChunk())
        // Each writer starts from the memo of the one before, as the aggregator's do.
        var memos = (lines: ExportMemo(), series: ExportMemo())
        var read: [Double] = [], walk: [Double] = [], graphiteTimes: [Double] = [], remoteTimes: [Double] = [], both: [Double] = [], snappy: [Double] = []
        var alone: [(Double, Double)] = []
        var once: [Double] = []
        var together = (lines: ExportMemo(), series: ExportMemo())
        for i in 0..<(iterations + 1) {
            let now = 1_795_543_200 + Int64(i * 15)
            let r = Self.time {
                var assembler = SourceAssembler(options: .init(), now: now)
                _ = GangliaXMLReader.read(bytes, texts: &texts) { assembler.apply($0) }
                previous = assembler.finish(previous: previous)
            }
            let content = previous!
            let n = Self.time {
                var sink = Counting()
                ExportSamples.walk(content, now: now, skipping: [], exports: ExportConfiguration(), into: &sink)
                precondition(sink.values > hosts * metrics / 2)
            }
            let g = Self.time {
                var sink: any ExportSink = GraphiteWriter(format: graphite, reserving: (last.lines.bytes.count, last.lines.count), memo: memos.lines)
                memos.lines = ExportMemo()
                ExportSamples.walk(content, now: now, skipping: [], exports: ExportConfiguration(), into: &sink)
                (last.lines, memos.lines) = { ($0.chunk, $0.memo) }(sink.finish())
            }
            let w = Self.time {
                var sink: any ExportSink = RemoteWriteWriter(naming: naming, reserving: (last.series.bytes.count, last.series.count), memo: memos.series)
                memos.series = ExportMemo()
                ExportSamples.walk(content, now: now, skipping: [], exports: ExportConfiguration(), into: &sink)
                (last.series, memos.series) = { ($0.chunk, $0.memo) }(sink.finish())
            }
            let o = Self.time {
                var writers = ExportWriters()
                writers.graphite = [GraphiteWriter(format: graphite, reserving: (last.lines.bytes.count, last.lines.count), memo: together.lines)]
                writers.remoteWrite = [RemoteWriteWriter(naming: naming, reserving: (last.series.bytes.count, last.series.count), memo: together.series)]
                writers.write(content, now: now, skipping: [], exports: ExportConfiguration())
                together = (writers.graphite[0].finish().memo, writers.remoteWrite[0].finish().memo)
            }
            if i > 0 { once.append(o) }
            var calls = Replay()
            ExportSamples.walk(content, now: now, skipping: [], exports: ExportConfiguration(), into: &calls)
            var keep = (lines: memos.lines, series: memos.series)
            let gw = Self.time {
                var sink = GraphiteWriter(format: graphite, reserving: (last.lines.bytes.count, last.lines.count), memo: keep.lines)
                calls.play(into: &sink)
                keep.lines = sink.finish().memo
            }
            let rw = Self.time {
                var sink = RemoteWriteWriter(naming: naming, reserving: (last.series.bytes.count, last.series.count), memo: keep.series)
                calls.play(into: &sink)
                keep.series = sink.finish().memo
            }
            if i > 0 { alone.append((gw, rw)) }
            let s = Self.time {
                var queue = ExportQueue(capacity: 250_000)
                _ = queue.push(last.series)
                while queue.count > 0 { _ = Snappy.compress(queue.take(max: 2000).bytes) }
            }
            precondition(last.lines.count > hosts * metrics / 2 && last.series.count > hosts * metrics / 2)
            if i > 0 {
                read.append(r)
                walk.append(n)
                graphiteTimes.append(g)
                remoteTimes.append(w)
                both.append(g + w)
                snappy.append(s)
            }
        }
        let base = Self.median(read)
        print(
            String(
                format: "writers alone (replayed calls, concrete types): carbon %.2f ms, remote-write %.2f ms", Self.median(alone.map(\.0)),
                Self.median(alone.map(\.1))))
        print(String(format: "read into state (the poll): median %.2f ms", base))
        for (name, times) in [
            ("the walk alone (values counted)", walk), ("carbon lines", graphiteTimes), ("remote-write series", remoteTimes), ("both, a walk each", both),
            ("both in one walk (the aggregator's share of a poll)", once),
        ] {
            let m = Self.median(times)
            print(String(format: "%@: median %.2f ms, %+.1f %% of the poll", name, m, m / base * 100))
        }
        let m = Self.median(snappy)
        print(
            String(
                format: "snappy, requests of 2,000 series (the sender's): median %.2f ms, %.1f MB in, %+.1f %% of the poll",
                m, Double(last.series.bytes.count) / 1e6, m / base * 100))
        // The least any exporter does with these values: walk them, put both formats' bytes
        // somewhere once (a copy into memory already there), compress remote-write's. Not
        // counted: the senders' sockets and HTTP.
        var copies: [Double] = []
        var target = (lines: [UInt8](repeating: 0, count: last.lines.bytes.count), series: [UInt8](repeating: 0, count: last.series.bytes.count))
        for _ in 0..<iterations {
            copies.append(
                Self.time {
                    target.lines.withUnsafeMutableBytes { to in last.lines.bytes.withUnsafeBytes { to.copyMemory(from: $0) } }
                    target.series.withUnsafeMutableBytes { to in last.series.bytes.withUnsafeBytes { to.copyMemory(from: $0) } }
                })
        }
        precondition(target.lines == last.lines.bytes)
        let floor = Self.median(walk) + Self.median(copies) + m
        print(
            String(
                format: "least both can cost (the walk, each byte of both formats written once %.2f ms, snappy): %.2f ms, %+.1f %% of the poll",
                Self.median(copies), floor, floor / base * 100))
        print(
            String(
                format: "carbon lines: %.1f MB; memos: %d + %d series, %.1f + %.1f MB of names",
                Double(last.lines.bytes.count) / 1e6, memos.lines.series, memos.series.series, Double(memos.lines.bytes) / 1e6, Double(memos.series.bytes) / 1e6
            ))
    }

    /// A sink that counts what it is given: the walk's own cost.
    struct Counting: ExportSink {
        var values = 0
        mutating func begin(_ place: ExportSample.Place, time: Int64) {}
        mutating func value(metric: String, group: String?, value: Double, text: String?) { values += 1 }
        mutating func summary(metric: String, sum: Double, num: Double) { values += 2 }
        mutating func finish() -> ExportWritten { ExportWritten(chunk: ExportChunk(), memo: ExportMemo()) }
    }

    static func time(_ body: () -> Void) -> Double {
        let start = ContinuousClock.now
        body()
        return (ContinuousClock.now - start) / .milliseconds(1)
    }

    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
}

/// The walk's calls, recorded once, to give writers without walking (their own cost).
struct Replay: ExportSink {
    enum Call {
        case begin(ExportSample.Place, Int64)
        case value(String, String?, Double, String?)
        case summary(String, Double, Double)
    }
    var calls: [Call] = []
    mutating func begin(_ place: ExportSample.Place, time: Int64) { calls.append(.begin(place, time)) }
    mutating func value(metric: String, group: String?, value: Double, text: String?) { calls.append(.value(metric, group, value, text)) }
    mutating func summary(metric: String, sum: Double, num: Double) { calls.append(.summary(metric, sum, num)) }
    mutating func finish() -> ExportWritten { ExportWritten(chunk: ExportChunk(), memo: ExportMemo()) }

    func play(into sink: inout some ExportSink) {
        for call in calls {
            switch call {
            case .begin(let p, let t): sink.begin(p, time: t)
            case .value(let m, let g, let v, let x): sink.value(metric: m, group: g, value: v, text: x)
            case .summary(let m, let s, let n): sink.summary(metric: m, sum: s, num: n)
            }
        }
    }
}
