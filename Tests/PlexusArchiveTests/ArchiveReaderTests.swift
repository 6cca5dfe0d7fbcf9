import Foundation
import Logging
import PlexusCore
import PlexusTestSupport
import ServiceLifecycle
import Testing

@testable import PlexusArchive

/// Reads as Swift values: fetch of host and summary archives, resolutions, xport of several series.
@Suite struct ArchiveReaderTests {
    static let t0: Int64 = 1_795_543_200  // a multiple of 15, 60 and 600

    /// Two hosts and their cluster summary, 15 s step, one value a step for 2 hours.
    static func archive(in dir: TemporaryDirectory) async throws -> ArchiveStore {
        let store = ArchiveStore(layout: RRDLayout(root: dir.path), archives: smallArchives)
        let writer = ArchiveWriter(store: store)
        let cluster = try ClusterName("web")
        for i in 0...480 {
            let t = t0 + Int64(i) * 15
            let a = Double(i % 4), b = 10 + Double(i % 4)
            writer.submit([
                ArchiveSample(key: .host("web", "a", "load_one"), geometry: ArchiveGeometry(step: 15), time: t, value: a),
                ArchiveSample(key: .host("web", "b", "load_one"), geometry: ArchiveGeometry(step: 15), time: t, value: b),
                ArchiveSample(
                    key: ArchiveKey(.clusterSummary(cluster), try MetricName("load_one")), geometry: ArchiveGeometry(step: 15), time: t, sum: a + b, num: 2),
            ])
        }
        await writer.shutdown()
        #expect(writer.statistics.written == 481 * 3)
        return store
    }

    @Test func fetchReturnsWhatWasWritten() async throws {
        let dir = try TemporaryDirectory(prefix: "plexus-reader")
        defer { dir.remove() }
        let reader = ArchiveReader(store: try await Self.archive(in: dir))
        defer { Task { await reader.shutdown() } }

        let host = try await reader.fetch(.host("web", "a", "load_one"), start: Self.t0, end: Self.t0 + 3600)
        #expect(host.step == 15 && host.columns == ["sum"])
        let points = host.points(column: 0)
        // As `rrdtool fetch` prints it: rows (t0, t0+15] … up to the one holding `end`.
        #expect(points.count == 241 && points.first?.time == Self.t0 + 15 && points.last?.time == Self.t0 + 3615)
        for point in points { #expect(point.value == Double((point.time - Self.t0) / 15 % 4)) }

        let summary = try await reader.fetch(
            ArchiveKey(.clusterSummary(try ClusterName("web")), try MetricName("load_one")), start: Self.t0, end: Self.t0 + 600)
        #expect(summary.columns == ["sum", "num"])
        #expect(summary.rows.allSatisfy { $0[1] == 2 })
        #expect(summary.column(named: "sum") == summary.points(column: 0).map { 10 + 2 * Double(($0.time - Self.t0) / 15 % 4) })

        // One-minute resolution comes from the second RRA: each row the mean of 4 values (0…3 → 1.5).
        let minutes = try await reader.fetch(.host("web", "a", "load_one"), start: Self.t0 + 60, end: Self.t0 + 3600, resolution: 60)
        #expect(minutes.step == 60)
        #expect(!minutes.rows.isEmpty && minutes.rows.allSatisfy { $0[0] == 1.5 })

        let last = try await reader.lastUpdate(.host("web", "b", "load_one"))
        #expect(last.time == Self.t0 + 480 * 15)
        #expect(try await reader.info(.host("web", "b", "load_one")).integer("ds[sum].minimal_heartbeat") == 120)
    }

    @Test func xportAlignsSeveralSeries() async throws {
        let dir = try TemporaryDirectory(prefix: "plexus-reader")
        defer { dir.remove() }
        let reader = ArchiveReader(store: try await Self.archive(in: dir))
        defer { Task { await reader.shutdown() } }
        let summary = ArchiveKey(.clusterSummary(try ClusterName("web")), try MetricName("load_one"))
        let series = try await reader.xport(
            [
                SeriesDefinition(key: .host("web", "a", "load_one"), legend: "a: load"),
                SeriesDefinition(key: .host("web", "b", "load_one")),
                SeriesDefinition(key: summary, dataSource: "num", legend: "hosts"),
            ], start: Self.t0, end: Self.t0 + 1800, step: 15)
        #expect(series.columns == ["a: load", "load_one", "hosts"])
        #expect(series.step == 15 && series.rows.count == 120)
        for (i, row) in series.rows.enumerated() {
            let k = Double((series.time(ofRow: i) - Self.t0) / 15 % 4)
            #expect(row == [k, 10 + k, 2])
        }
    }

    @Test func readingWhatIsNotThereSaysSo() async throws {
        let dir = try TemporaryDirectory(prefix: "plexus-reader")
        defer { dir.remove() }
        let reader = ArchiveReader(store: ArchiveStore(layout: RRDLayout(root: dir.path)))
        defer { Task { await reader.shutdown() } }
        await #expect {
            _ = try await reader.fetch(.host("web", "nope", "load_one"), start: Self.t0, end: Self.t0 + 60)
        } throws: { error in
            let e = error as! RRDError
            return e.path == dir.path + "/web/nope/load_one.rrd" && e.message.contains("No such file")
        }
        await #expect(throws: RRDError.self) { _ = try await reader.xport([], start: 0, end: 1) }
    }

    @Test func asAServiceItAnswersUntilGracefulShutdownAndThenEnds() async throws {
        let dir = try TemporaryDirectory(prefix: "plexus-reader")
        defer { dir.remove() }
        let reader = ArchiveReader(store: try await Self.archive(in: dir))
        let group = ServiceGroup(services: [reader], logger: Logger(label: "reader-test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let key = ArchiveKey.host("web", "a", "load_one")
            let series = try await reader.fetch(key, start: Self.t0, end: Self.t0 + 300)
            #expect(!series.rows.isEmpty, "a running reader answers")
            await group.triggerGracefulShutdown()
            // The group returns only once the reader's threads have ended.
            try await tasks.waitForAll()
        }
    }

    @Test func alignmentPicksTheResolution() {
        #expect(ArchiveReader.aligned(start: 1000, end: 2000, resolution: 600) == (600, 2400))
        #expect(ArchiveReader.aligned(start: 1200, end: 2400, resolution: 600) == (1200, 2400))
        #expect(ArchiveReader.aligned(start: 1000, end: 2000, resolution: 0) == (1000, 2000))
    }
}
