import Foundation
import PlexusCore
import PlexusTestSupport
import Testing

@testable import PlexusArchive

/// The cardinality guard and the disk budget, asked before a file is created.
@Suite struct SeriesBudgetTests {
    static func host(_ c: String, _ h: String) -> RRDLayout.Location { .host(try! ClusterName(c), try! HostName(h)) }

    @Test func newSeriesAreCountedPerHostAndPerClusterEachMinute() {
        var budget = SeriesBudget(limits: .init(perHost: 3, perCluster: 5))
        let t: Int64 = 6_000
        #expect((0..<3).allSatisfy { _ in budget.admit(Self.host("web", "a"), now: t) == nil })
        #expect(budget.admit(Self.host("web", "a"), now: t)?.contains("max_new_series_per_host") == true)
        #expect(budget.admit(Self.host("web", "b"), now: t + 1) == nil)
        #expect(budget.admit(.clusterSummary(try! ClusterName("web")), now: t + 2) == nil)
        #expect(budget.admit(Self.host("web", "c"), now: t + 3)?.contains("max_new_series_per_cluster") == true)
        #expect(budget.admit(Self.host("db", "a"), now: t + 3) == nil, "another cluster has its own budget")
        #expect((0..<5).allSatisfy { _ in budget.admit(.rootSummary, now: t + 3) == nil }, "the root summary has a budget of its own")
        #expect(budget.admit(.rootSummary, now: t + 3) != nil)
        // The next minute starts afresh.
        #expect(budget.admit(Self.host("web", "a"), now: t + 60) == nil)
    }

    @Test func theGuardRefusesNewFilesOnAFullDiskAndQuarantinesThem() throws {
        let full = NewSeriesGuard(limits: .init(), keepFreePercent: 5, root: "/r", clock: { 1000 }, freeFraction: { _ in 0.031 })
        let key = ArchiveKey(Self.host("web", "a"), try MetricName("load_one"))
        #expect(full.mayCreate(key)?.contains("3.1 % free, under rrd_keep_free (5.0 %)") == true)
        #expect(full.quarantine.entries.map(\.subject) == ["web/a/load_one"])
        let roomy = NewSeriesGuard(limits: .init(), keepFreePercent: 5, root: "/r", clock: { 1000 }, freeFraction: { _ in 0.5 })
        #expect(roomy.mayCreate(key) == nil && roomy.quarantine.entries.isEmpty)
        #expect(NewSeriesGuard.freeFraction("/nonexistent/below/root").map { (0...1).contains($0) } == true)
    }

    /// Through the writer: refused series get no file and are counted; files that exist go on.
    @Test func theWriterCreatesNoFileTheGuardRefuses() async throws {
        let dir = try TemporaryDirectory(prefix: "plexus-guard")
        defer { dir.remove() }
        let layout = RRDLayout(root: dir.path)
        var configuration = ArchiveWriter.Configuration()
        configuration.newSeries = NewSeriesGuard(limits: .init(perHost: 2, perCluster: 100), keepFreePercent: 0, root: dir.path, clock: { 1_795_543_200 })
        let writer = ArchiveWriter(
            store: ArchiveStore(layout: layout, archives: ["RRA:AVERAGE:0.5:1:100"].compactMap(RRDLayout.Archive.init)),
            configuration: configuration)
        let web = try ClusterName("web"), a = try HostName("a")
        for round in 0..<3 {
            let t = Int64(1_795_543_200 + round * 15)
            for m in 0..<5 {
                writer.submit(ArchiveSample(key: ArchiveKey(.host(web, a), try MetricName("m\(m)")), geometry: ArchiveGeometry(step: 15), time: t, value: 1))
            }
            await writer.drain()
        }
        await writer.shutdown()
        let files = FileManager.default.enumerator(atPath: dir.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".rrd") } ?? []
        #expect(files.count == 2)
        let statistics = writer.statistics
        #expect(statistics.filesCreated == 2 && statistics.seriesRefused == 9 && statistics.written == 6, "\(statistics)")
    }
}
