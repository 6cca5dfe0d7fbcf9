import Foundation
import PlexusCore
import PlexusTestSupport
import Testing

@testable import PlexusArchive

/// Files the writer creates have gmetad's geometry: `rrdtool info` of ours against the captures
/// of what gmetad 3.7.2 wrote (step 5 there), key by key.
@Suite struct ArchiveGeometryTests {
    static let t0: Int64 = 1_795_543_700

    static let keys =
        ["step", "rrd_version", "header_size"]
        + ["sum", "num"].flatMap { ds in ["index", "type", "minimal_heartbeat", "min", "max"].map { "ds[\(ds)].\($0)" } }
        + (0..<3).flatMap { r in ["cf", "rows", "pdp_per_row", "xff"].map { "rra[\(r)].\($0)" } }

    @Test(arguments: [
        ("rrdtool-info-host-load_one.txt", "host", 5),
        ("rrdtool-info-cluster-summary-load_one.txt", "cluster", 5),
        ("rrdtool-info-grid-summary-load_one.txt", "root", 15),
    ])
    func geometryMatchesGmetad(fixture: String, kind: String, step: Int) async throws {
        let dir = try TemporaryDirectory(prefix: "plexus-geometry")
        defer { dir.remove() }
        let theirs = try ArchiveFixtures.info(fixture)
        let metric = try MetricName("load_one")
        let location: RRDLayout.Location =
            switch kind {
            case "host": .host(try ClusterName("CaptureCluster"), try HostName("localhost"))
            case "cluster": .clusterSummary(try ClusterName("CaptureCluster"))
            default: .rootSummary
            }
        let writer = ArchiveWriter(store: ArchiveStore(layout: RRDLayout(root: dir.path)))
        let key = ArchiveKey(location, metric)
        writer.submit(ArchiveSample(key: key, geometry: ArchiveGeometry(step: step, slope: .both), time: Self.t0, sum: 0.5, num: 2))
        await writer.shutdown()
        #expect(writer.statistics.written == 1 && writer.statistics.filesCreated == 1)

        let path = try writer.store.path(of: key)
        let ours = try await rrdtoolInfo(path)
        for name in Self.keys {
            #expect(ours[name] == theirs[name], "\(fixture): \(name)")
        }
        #expect(ours["ds[num].type"] == (kind == "host" ? nil : "GAUGE"))
        // gmetad's file sizes (`docs/format/rrd.md`, "One file"): 630 760 bytes for one DS with the default RRAs.
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        #expect(size == (kind == "host" ? 630_760 : theirs["header_size"].flatMap(Int.init)! + 78_720 * 16))
        #expect(ours["last_update"] == "\(Self.t0)")
    }

    @Test func slopesChooseTheDataSourceTypeAndCountersTakeIntegers() async throws {
        let dir = try TemporaryDirectory(prefix: "plexus-geometry")
        defer { dir.remove() }
        let writer = ArchiveWriter(store: ArchiveStore(layout: RRDLayout(root: dir.path)))
        for (metric, slope) in [("bytes_total", Slope.positive), ("rate", .derivative), ("temp", .zero)] {
            let key = ArchiveKey.host("c", "h", metric)
            for i in 0..<3 {
                writer.submit(
                    ArchiveSample(key: key, geometry: ArchiveGeometry(step: 15, slope: slope), time: Self.t0 + Int64(i) * 15, value: 1000.7 + Double(i) * 100))
            }
        }
        await writer.shutdown()
        #expect(writer.statistics.failed == 0, "\(writer.statistics.lastError ?? "")")
        #expect(writer.statistics.written == 9)
        let root = dir.path + "/c/h/"
        #expect(try await rrdtoolInfo(root + "bytes_total.rrd")["ds[sum].type"] == "COUNTER")
        #expect(try await rrdtoolInfo(root + "rate.rrd")["ds[sum].type"] == "DERIVE")
        #expect(try await rrdtoolInfo(root + "temp.rrd")["ds[sum].type"] == "GAUGE")
        #expect(try LibRRD().lastUpdate(path: root + "bytes_total.rrd").values["sum"] == "1201")
    }

    @Test func configuredArchivesAndLowerCaseHostDirectories() async throws {
        let dir = try TemporaryDirectory(prefix: "plexus-geometry")
        defer { dir.remove() }
        let archives = ["RRA:AVERAGE:0.5:1:244", "RRA:MAX:0.5:24:244"].compactMap(RRDLayout.Archive.init)
        let writer = ArchiveWriter(store: ArchiveStore(layout: RRDLayout(root: dir.path, caseSensitiveHostnames: false), archives: archives))
        // Web1 and web1 are one host, one file, written in order.
        writer.submit(ArchiveSample(key: .host("Prod", "Web1.Example", "load_one"), geometry: ArchiveGeometry(step: 15), time: Self.t0, value: 1))
        writer.submit(ArchiveSample(key: .host("Prod", "web1.example", "load_one"), geometry: ArchiveGeometry(step: 15), time: Self.t0 + 15, value: 2))
        await writer.shutdown()
        #expect(dir.files() == ["Prod/web1.example/load_one.rrd"])
        let info = try await rrdtoolInfo(dir.appending("Prod/web1.example/load_one.rrd"))
        #expect(info["rra[0].rows"] == "244" && info["rra[1].cf"] == "MAX" && info["rra[1].pdp_per_row"] == "24" && info["rra[2].cf"] == nil)
        #expect(info["last_update"] == "\(Self.t0 + 15)")
        #expect(writer.statistics.written == 2)
    }
}
