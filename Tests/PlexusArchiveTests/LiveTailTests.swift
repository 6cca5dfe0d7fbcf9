import Foundation
import PlexusCore
import PlexusTestSupport
import Testing

@testable import PlexusArchive

/// The live tail (issue 18): rows a file doesn't have yet filled from memory, as the archive
/// would consolidate them; through librrd's fetch callback for graphs and exports, with and
/// without rrdcached holding the writes.
@Suite(.serialized) struct LiveTailTests {
    static let t0: Int64 = 1_795_543_200  // a multiple of 15 and 60

    static func entries(_ pairs: [(Int64, Double)]) -> [HistoryRing.Entry] { pairs.map { .init(time: t0 + $0.0, value: $0.1) } }

    static func fill(
        _ data: [Double], rows: Int, columns: Int = 1, step: Int = 15, _ consolidation: TailSplice.Consolidation = .average,
        counter: Bool = false, values: [[HistoryRing.Entry]]
    ) -> (data: [Double], filled: Int) {
        var data = data
        let filled = data.withUnsafeMutableBufferPointer { buffer in
            TailSplice.fill(
                buffer, rows: rows, columns: columns, start: t0, step: step, consolidation: consolidation, counter: counter,
                values: { values[$0] })
        }
        return (data, filled)
    }

    @Test func onlyUnknownRowsAreFilledWithTheValuesInsideThem() {
        // Rows (t0, t0+15], (t0+15, t0+30], ...; the file has the first two.
        let tail = Self.entries([(15, 9), (30, 9), (45, 3), (60, 4), (75, 5)])
        let (data, filled) = Self.fill([1, 2, .nan, .nan, .nan, .nan], rows: 6, values: [tail])
        #expect(data[0...1] == [1, 2], "rows the file has are never changed")
        #expect(data[2...4] == [3, 4, 5] && data[5].isNaN && filled == 3)
        // Coarser rows consolidate what falls inside: 60 s rows of (t0, t0+60], (t0+60, t0+120].
        let minute = Self.entries([(15, 1), (30, 2), (45, 6), (60, 3), (75, 10), (90, 20)])
        for (consolidation, expected) in [(TailSplice.Consolidation.average, [3.0, 15]), (.minimum, [1, 10]), (.maximum, [6, 20]), (.last, [3, 20])] {
            #expect(Self.fill([.nan, .nan], rows: 2, step: 60, consolidation, values: [minute]).data == expected, "\(consolidation)")
        }
    }

    @Test func countersAreDrawnAsRatesAndSummariesByColumn() {
        // A counter polled every 15 s: 150 more each time is 10 a second; a reset has no rate.
        let counter = Self.entries([(0, 1000), (15, 1150), (30, 1300), (45, 100)])
        let (rates, _) = Self.fill([.nan, .nan, .nan], rows: 3, counter: true, values: [counter])
        #expect(rates[0] == 10 && rates[1] == 10 && rates[2].isNaN)
        // A summary's sum and num columns, each from its own values.
        let (summary, filled) = Self.fill(
            [.nan, .nan], rows: 1, columns: 2, values: [Self.entries([(15, 7)]), Self.entries([(15, 3)])])
        #expect(summary == [7, 3] && filled == 2)
        #expect(
            TailSplice.throughTail(["--start", "1", "DEF:a=/r/c/h/m.rrd:sum:AVERAGE", "DEF:b=cb///r/x.rrd:sum:AVERAGE", "CDEF:c=a,b,+"])
                == ["--start", "1", "DEF:a=cb///r/c/h/m.rrd:sum:AVERAGE", "DEF:b=cb///r/x.rrd:sum:AVERAGE", "CDEF:c=a,b,+"])
    }

    @Test func theTailLetsSilentSeriesGoAndServesHostsAsHistory() throws {
        let tail = LiveTail(seconds: 60, step: 15)
        let gone = ArchiveKey.host("web", "gone", "load_one")
        let kept = ArchiveKey.host("web", "a", "load_one")
        let summary = ArchiveKey(.clusterSummary(try ClusterName("web")), try MetricName("load_one"))
        tail.record([
            ArchiveSample(key: gone, geometry: ArchiveGeometry(step: 15), time: Self.t0, value: 1),
            ArchiveSample(key: summary, geometry: ArchiveGeometry(step: 15), time: Self.t0, sum: 3, num: 2),
        ])
        let root = ArchiveKey(.rootSummary, try MetricName("load_one"))
        for i in 1...8 {
            tail.record([
                ArchiveSample(key: kept, geometry: ArchiveGeometry(step: 15, slope: .positive), time: Self.t0 + Int64(i) * 15, value: Double(i)),
                ArchiveSample(key: root, geometry: ArchiveGeometry(step: 15), time: Self.t0 + Int64(i) * 15, sum: Double(i), num: 7),
            ])
        }
        // Silent for more than 60 s: let go.
        #expect(tail.oldest(gone) == nil && tail.oldest(summary) == nil)
        #expect(tail.entries(kept, dataSource: "sum", after: 0).count == 5, "60 s at 15 s: five values")
        #expect(tail.isCounter(kept))
        // Served: host series, and the grid's own summary (sums, host counts) under its name.
        let served = tail.history(from: Self.t0 + 100, gridname: "ops")
        #expect(
            served.map(\.key) == [
                HistoryKey(cluster: "ops", host: HistoryKey.summaryHost, metric: "load_one"),
                HistoryKey(cluster: "ops", host: HistoryKey.summaryCountHost, metric: "load_one"),
                HistoryKey(cluster: "web", host: "a", metric: "load_one"),
            ])
        #expect(served.last?.entries.first?.time == Self.t0 + 90, "from a time: the value in effect then")
        #expect(served[1].entries.allSatisfy { $0.value == 7 })
        #expect(tail.statistics.series == 2 && tail.statistics.bytes == 3 * 5 * 12, "the silent cluster summary's num went too")
    }

    @Test func pathsNameTheirArchives() throws {
        let layout = RRDLayout(root: "/r/")
        #expect(layout.keys(ofPath: "/r/web/a/load_one.rrd") == [.host("web", "a", "load_one")])
        #expect(layout.keys(ofPath: "/r/__SummaryInfo__/load_one.rrd") == [ArchiveKey(.rootSummary, try MetricName("load_one"))])
        #expect(layout.keys(ofPath: "/r/web/__SummaryInfo__/load_one.rrd").count == 2)
        #expect(layout.keys(ofPath: "/elsewhere/web/a/load_one.rrd").isEmpty && layout.keys(ofPath: "/r/web/a/b/c.rrd").isEmpty)
    }

    /// Writes `rows` values a step apart into a file (values 1, 2, ...), and the same times and
    /// six more into a tail; the file ends where `written` ends.
    static func archive(_ store: ArchiveStore, writer: ArchiveWriter, tail: LiveTail, written: Int, more: Int) async {
        let key = ArchiveKey.host("web", "a", "load_one")
        var samples: [ArchiveSample] = []
        for i in 1...(written + more) {
            samples.append(ArchiveSample(key: key, geometry: ArchiveGeometry(step: 15), time: Self.t0 + Int64(i) * 15, value: Double(i)))
        }
        writer.submit(Array(samples.prefix(written)))
        await writer.drain()
        tail.record(samples)
    }

    @Test func exportsAndGraphsShowWhatTheFileDoesNotHaveYet() async throws {
        let dir = try TemporaryDirectory(prefix: "plexus-tail")
        defer { dir.remove() }
        let store = ArchiveStore(layout: RRDLayout(root: dir.path), archives: smallArchives)
        let writer = ArchiveWriter(store: store)
        let tail = LiveTail(seconds: 900, step: 15)
        await Self.archive(store, writer: writer, tail: tail, written: 20, more: 6)
        await writer.shutdown()
        let key = ArchiveKey.host("web", "a", "load_one")
        let end = Self.t0 + 26 * 15
        let plain = try await ArchiveReader(store: store).xport([SeriesDefinition(key: key)], start: Self.t0, end: end, step: 15)
        let spliced = try await ArchiveReader(store: store, tail: tail).xport([SeriesDefinition(key: key)], start: Self.t0, end: end, step: 15)
        func value(_ series: RRDSeries, at time: Int64) -> Double? {
            series.rows.indices.first { series.time(ofRow: $0) == time }.map { series.rows[$0][0] }
        }
        #expect(value(plain, at: end)?.isNaN == true, "the file ends 90 s earlier")
        #expect(value(spliced, at: end) == 26, "the tail's newest value is drawn")
        for i in 1...20 { #expect(value(spliced, at: Self.t0 + Int64(i) * 15) == Double(i)) }
    }

    @Test(.enabled(if: RRDCachedDaemon.isInstalled)) func rrdcachedHoldingWritesIsNotAHoleAndNeedsNoFlush() async throws {
        let dir = try TemporaryDirectory(prefix: "plexus-tail-rrdcached")
        defer { dir.remove() }
        let daemon = try RRDCachedDaemon(baseDirectory: dir.path)
        defer { daemon.stop() }
        let address = try #require(RRDCachedAddress(daemon.address))
        let store = ArchiveStore(layout: RRDLayout(root: dir.path), archives: smallArchives)
        let writer = ArchiveWriter(store: store, configuration: .init(rrdcached: address))
        let tail = LiveTail(seconds: 900, step: 15)
        // The file is created with its first value; rrdcached holds the rest (-w 1800).
        await Self.archive(store, writer: writer, tail: tail, written: 26, more: 0)
        let key = ArchiveKey.host("web", "a", "load_one")
        let path = try store.path(of: key)
        #expect((try LibRRD().lastUpdate(path: path)).time < Self.t0 + 26 * 15, "rrdcached holds the writes")
        // What back-fill asks: the archive's last update is what rrdcached holds (PENDING), not
        // the header's, and asking flushes nothing.
        #expect(writer.lastUpdates(of: [key, .host("web", "none", "load_one")]) == [key: Self.t0 + 26 * 15])
        #expect((try LibRRD().lastUpdate(path: path)).time < Self.t0 + 26 * 15)
        let pendingBefore = LiveTailFetch.pendingReads.load(ordering: .relaxed)
        let reader = ArchiveReader(store: store, rrdcached: address, tail: tail)
        let series = try await reader.xport([SeriesDefinition(key: key)], start: Self.t0, end: Self.t0 + 26 * 15, step: 15)
        let last = series.rows.indices.last { !series.rows[$0][0].isNaN }
        #expect(last.map { series.rows[$0][0] } == 26, "the newest polled value, from the tail")
        #expect(LiveTailFetch.pendingReads.load(ordering: .relaxed) == pendingBefore, "the tail covers the file's lag: rrdcached not asked")
        #expect((try LibRRD().lastUpdate(path: path)).time < Self.t0 + 26 * 15, "still held by rrdcached")
        // A graph too: its highest value (values rise 1, 2, ... 26) is the tail's newest.
        let graph = try GraphArguments(
            GraphRequest(
                subject: .host(try ClusterName("web"), try HostName("a")), content: .metric(try MetricName("load_one")),
                range: .between(start: Self.t0, end: Self.t0 + 26 * 15), format: .svg),
            layout: store.layout, now: Self.t0 + 26 * 15, exists: { FileManager.default.fileExists(atPath: $0) })
        let withTail = try await reader.render(graph)
        let fileAlone = try await ArchiveReader(store: store).render(graph)
        // The y axis reaches the newest value (26) only with the tail; the file alone holds the
        // first value (the axis ends at 1).
        #expect((withTail.valueMax ?? 0) >= 26 && (fileAlone.valueMax ?? 99) < 26, "\(withTail.valueMax as Any) \(fileAlone.valueMax as Any)")
        // A tail shorter than what rrdcached holds (60 s of 390): rrdcached's held updates fill the
        // rows between the file's end and the tail's start, still without a flush.
        let short = LiveTail(seconds: 60, step: 15)
        short.record((22...26).map { ArchiveSample(key: key, geometry: ArchiveGeometry(step: 15), time: Self.t0 + Int64($0) * 15, value: Double($0)) })
        let shortReader = ArchiveReader(store: store, rrdcached: address, tail: short)
        let whole = try await shortReader.xport([SeriesDefinition(key: key)], start: Self.t0, end: Self.t0 + 26 * 15, step: 15)
        let shown = whole.rows.indices.filter { !whole.rows[$0][0].isNaN }.map { (whole.time(ofRow: $0), whole.rows[$0][0]) }
        #expect(shown.map(\.1) == (1...26).map(Double.init), "\(shown)")
        #expect(LiveTailFetch.pendingReads.load(ordering: .relaxed) > pendingBefore)
        #expect((try LibRRD().lastUpdate(path: path)).time < Self.t0 + 26 * 15, "no flush")
        await writer.shutdown()
    }
}
