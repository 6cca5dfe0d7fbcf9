import Foundation
import PlexusCore
import PlexusTestSupport
import Testing

@testable import PlexusArchive

/// gmetad 3.7.2 wrote `../../../pwned.rrd` outside its root. Whatever names arrive, nothing here
/// creates or touches a file outside the root.
@Suite struct ArchiveContainmentTests {
    static let dangerous = [
        "..", "../..", "../../x", "../../../pwned", "a/b", "/etc/passwd", "x\u{0}y", "\u{0}", "a\nb",
        "\u{1B}[31m", "tab\there", "del\u{7F}", "c1\u{85}", "", ".", "__SummaryInfo__", String(repeating: "a", count: 300),
    ]

    @Test func dangerousNamesNeverBecomeFilesOutsideTheRoot() async throws {
        let sandbox = try TemporaryDirectory(prefix: "plexus-contain")
        defer { sandbox.remove() }
        let root = sandbox.appending("deep/er/root")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let bait = sandbox.appending("deep/bait.rrd")
        FileManager.default.createFile(atPath: bait, contents: Data("untouched".utf8))
        let before = try FileManager.default.attributesOfItem(atPath: bait)[.modificationDate] as! Date

        let writer = ArchiveWriter(store: ArchiveStore(layout: RRDLayout(root: root)))
        var refused = 0, accepted: [ArchiveKey] = []
        let fine = ["ok", "...", ".hidden", "a..b", "10.0.0.9:switch9", "spaced name", "ünïcode"]
        for cluster in Self.dangerous + fine {
            for host in Self.dangerous + fine {
                for metric in Self.dangerous + fine where (cluster == "ok" || host == "ok" || metric == "ok") {
                    do {
                        accepted.append(try ArchiveKey(cluster: cluster, host: host, metric: metric))
                    } catch {
                        refused += 1
                    }
                }
            }
        }
        // Every key with a dangerous part is refused by construction; safe odd names pass.
        #expect(
            accepted.allSatisfy { key in
                guard case .host(let c, let h) = key.location else { return false }
                return fine.contains(c.rawValue) && fine.contains(h.rawValue) && (fine + ["__SummaryInfo__"]).contains(key.metric.rawValue)
            })
        // 7 × 7 safe directories × 8 safe metric names (a metric may be called __SummaryInfo__),
        // less those without "ok" in them (6 × 6 × 7), are the only ones accepted.
        #expect(refused > 0 && accepted.count == 7 * 7 * 8 - 6 * 6 * 7)
        for raw in Self.dangerous {
            #expect(ClusterName(validating: raw) == nil && GridName(validating: raw) == nil && HostName(validating: raw) == nil)
            #expect(MetricName(validating: raw) == nil || raw == "__SummaryInfo__")
        }

        for key in accepted {
            writer.submit(ArchiveSample(key: key, geometry: ArchiveGeometry(step: 15), time: 1_795_543_200, value: 1))
        }
        for raw in fine {
            writer.submit(
                ArchiveSample(
                    key: ArchiveKey(.gridSummary(try GridName(raw)), try MetricName("load_one")), geometry: ArchiveGeometry(step: 15), time: 1_795_543_200,
                    sum: 1, num: 1))
        }
        await writer.shutdown()
        #expect(writer.statistics.failed == 0, "\(writer.statistics.lastError ?? "")")
        #expect(writer.statistics.filesCreated == accepted.count + fine.count)

        // Only the root gained files; the bait beside it is as it was.
        let everything = sandbox.files()
        #expect(everything.filter { !$0.hasPrefix("deep/er/root/") } == ["deep/bait.rrd"])
        #expect(everything.count == accepted.count + fine.count + 1)
        #expect(try String(contentsOfFile: bait, encoding: .utf8) == "untouched")
        #expect(try FileManager.default.attributesOfItem(atPath: bait)[.modificationDate] as! Date == before)
        for file in everything where file.hasPrefix("deep/er/root/") {
            #expect(!file.split(separator: "/").contains(".."))
            #expect(try await rrdtoolInfo(sandbox.appending(file))["step"] == "15")
        }
    }
}
