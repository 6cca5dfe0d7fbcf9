import Foundation
import PlexusCore
import PlexusTestSupport
import Testing

@testable import PlexusArchive

/// Holt-Winters forecasts on real librrd files: added to an existing file with its data kept,
/// given to new ones, and flagging a spike in a regular series (FAILURES).
@Suite struct HoltWintersArchiveTests {
    static let t0: Int64 = 1_795_543_200
    /// A ten-second season, so forty seasons are 400 one-second values.
    static var spec: HoltWinters {
        var spec = HoltWinters()
        spec.season = 10
        return spec
    }

    /// A sine with a ten-second period around 10, then `spike` from second `from` on.
    static func values(_ range: ClosedRange<Int>, spike: Double? = nil, from: Int = .max) -> [String] {
        range.map { i in
            let value = i >= from ? spike ?? 0 : 10 + 5 * sin(2 * Double.pi * Double(i % 10) / 10)
            return "\(t0 + Int64(i)):\(value)"
        }
    }

    static func failures(_ rrd: LibRRD, _ path: String, at end: Int64) throws -> [Double] {
        try rrd.fetch(path: path, consolidation: "FAILURES", start: end - 12, end: end, resolution: 1).rows.compactMap(\.first).filter { !$0.isNaN }
    }

    @Test func theDefinitionsNumberTheirDependenciesAfterTheFilesOwnArchives() {
        #expect(
            HoltWinters().definitions(step: 15, after: 9) == [
                "RRA:HWPREDICT:5760:0.1:0.0035:5760:11", "RRA:SEASONAL:5760:0.1:10", "RRA:DEVSEASONAL:5760:0.1:10", "RRA:DEVPREDICT:5760:12",
                "RRA:FAILURES:5760:7:9:12",
            ])
        #expect(Self.spec.period(step: 15) == 2, "at least two rows")
    }

    @Test func anExistingFileIsExtendedWithItsDataKeptAndThenFlagsASpike() throws {
        let dir = try TemporaryDirectory(prefix: "plexus-hw")
        defer { dir.remove() }
        let rrd = LibRRD()
        let store = ArchiveStore(layout: RRDLayout(root: dir.path), functions: rrd)
        let path = dir.appending("load_one.rrd")
        try rrd.create(path: path, step: 1, start: Self.t0, definitions: ["DS:sum:GAUGE:8:U:U", "RRA:AVERAGE:0.5:1:2000", "RRA:MAX:0.5:10:100"])
        try rrd.update(path: path, values: Self.values(1...100))
        // Rows as text: NaN (no value) equals itself there.
        func averages() throws -> [String] {
            try rrd.fetch(path: path, consolidation: "AVERAGE", start: Self.t0, end: Self.t0 + 100, resolution: 1).rows.map { "\($0)" }
        }
        let before = try averages()
        #expect(before.count >= 100 && before.contains("[10.0]"))
        #expect(try store.addHoltWinters(path: path, Self.spec))
        #expect(try store.addHoltWinters(path: path, Self.spec) == false, "a file with a forecast is left alone")
        let info = try rrd.info(path: path)
        #expect((0..<7).map { info.string("rra[\($0)].cf") } == ["AVERAGE", "MAX", "HWPREDICT", "SEASONAL", "DEVSEASONAL", "DEVPREDICT", "FAILURES"])
        #expect(try averages() == before)
        #expect(info.integer("last_update") == Int(Self.t0 + 100))
        // Thirty more seasons of the pattern: no failure; then a spike, flagged once 7 of 9 values are out.
        try rrd.update(path: path, values: Self.values(101...400))
        #expect(try Self.failures(rrd, path, at: Self.t0 + 400).allSatisfy { $0 == 0 })
        try rrd.update(path: path, values: Self.values(401...406, spike: 100, from: 401))
        #expect(try Self.failures(rrd, path, at: Self.t0 + 406).last == 0, "six values out of nine: not yet")
        try rrd.update(path: path, values: Self.values(407...409, spike: 100, from: 401))
        #expect(try Self.failures(rrd, path, at: Self.t0 + 409).last == 1)
    }

    @Test func newHostFilesTheRulesWatchAreCreatedWithTheForecast() throws {
        let dir = try TemporaryDirectory(prefix: "plexus-hw")
        defer { dir.remove() }
        var store = ArchiveStore(layout: RRDLayout(root: dir.path), archives: smallArchives)
        store.holtWinters = { $0.metric.rawValue == "load_one" ? Self.spec : nil }
        let geometry = ArchiveGeometry(step: 1, slope: .both)
        for metric in ["load_one", "cpu_user"] {
            let key = try ArchiveKey(cluster: "web", host: "web-1", metric: metric)
            _ = try store.prepare(path: try store.path(of: key), key: key, geometry: geometry, firstTime: Self.t0)
        }
        let summary = ArchiveKey(.clusterSummary(try ClusterName("web")), try MetricName("load_one"))
        _ = try store.prepare(path: try store.path(of: summary), key: summary, geometry: geometry, firstTime: Self.t0)
        func hasForecast(_ key: ArchiveKey) throws -> Bool { try store.forecasting(try store.path(of: key)).present }
        #expect(try hasForecast(try ArchiveKey(cluster: "web", host: "web-1", metric: "load_one")))
        #expect(try !hasForecast(try ArchiveKey(cluster: "web", host: "web-1", metric: "cpu_user")))
        #expect(try !hasForecast(summary), "summaries get none")
        #expect(store.hostFiles { _ in true }.map(\.key.metric.rawValue).sorted() == ["cpu_user", "load_one"])
    }
}
