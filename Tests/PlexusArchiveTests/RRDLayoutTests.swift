import Foundation
import PlexusCore
import Testing

@testable import PlexusArchive

/// gmetad's archive layout and creation parameters, checked against what real gmetad 3.7.2 wrote.
@Suite struct RRDLayoutTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("PlexusCoreTests/Fixtures/ganglia-3.7.2/rrd")

    /// `key = value` lines of an `rrdtool info` capture.
    static func info(_ file: String) throws -> [String: String] {
        let text = try String(contentsOf: fixtures.appendingPathComponent(file), encoding: .utf8)
        return Dictionary(
            text.split(separator: "\n").compactMap { line -> (String, String)? in
                guard let eq = line.range(of: " = ") else { return nil }
                return (String(line[..<eq.lowerBound]), String(line[eq.upperBound...]).trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
            }, uniquingKeysWith: { a, _ in a })
    }

    @Test func everyFileGmetadWroteHasTheSamePath() throws {
        let layout = RRDLayout(root: ".")
        for (file, federated) in [("layout-gmetad.txt", false), ("layout-federated-parent.txt", true)] {
            let paths = try String(contentsOf: Self.fixtures.appendingPathComponent(file), encoding: .utf8).split(separator: "\n").map(String.init)
            #expect(!paths.isEmpty)
            for path in paths {
                let parts = path.split(separator: "/").map(String.init)  // ".", dir..., "metric.rrd"
                let metric = try MetricName(String(parts.last!.dropLast(4)))
                let location: RRDLayout.Location
                switch parts.count {
                case 3: location = .rootSummary
                case 4 where parts[2] == "__SummaryInfo__":
                    location = federated ? .gridSummary(try GridName(parts[1])) : .clusterSummary(try ClusterName(parts[1]))
                default: location = .host(try ClusterName(parts[1]), try HostName(parts[2]))
                }
                #expect(layout.path(of: metric, in: location) == path)
            }
        }
    }

    @Test func creationMatchesGmetadsFiles() throws {
        // The capture's gmetad polled with a 5 s step.
        let host = try Self.info("rrdtool-info-host-load_one.txt")
        let cluster = try Self.info("rrdtool-info-cluster-summary-load_one.txt")
        let grid = try Self.info("rrdtool-info-grid-summary-load_one.txt")
        let hostArgs = RRDLayout.createArguments(step: 5, start: 0, slope: .both, summary: false)
        let summaryArgs = RRDLayout.createArguments(step: 5, start: 0, slope: .both, summary: true)
        #expect(
            hostArgs == [
                "--step", "5", "--start", "0", "DS:sum:GAUGE:40:U:U",
                "RRA:AVERAGE:0.5:1:5856", "RRA:AVERAGE:0.5:4:20160", "RRA:AVERAGE:0.5:40:52704",
            ])
        #expect(summaryArgs.contains("DS:num:GAUGE:40:U:U"))
        for (info, args) in [(host, hostArgs), (cluster, summaryArgs)] {
            #expect(info["step"] == "5")
            for ds in ["sum", "num"] where info["ds[\(ds)].type"] != nil {
                #expect(args.contains("DS:\(ds):\(info["ds[\(ds)].type"]!):\(info["ds[\(ds)].minimal_heartbeat"]!):U:U"))
            }
            for (i, archive) in RRDLayout.defaultArchives.enumerated() {
                #expect(info["rra[\(i)].rows"] == "\(archive.rows)")
                #expect(info["rra[\(i)].pdp_per_row"] == "\(archive.steps)")
                #expect(info["rra[\(i)].cf"] == archive.consolidation)
                #expect(Double(info["rra[\(i)].xff"]!) == archive.xff)
            }
        }
        #expect(host["ds[num].type"] == nil && cluster["ds[num].type"] == "GAUGE")
        // gmetad hard-codes step 15 for the root summary.
        #expect(grid["step"] == "15" && grid["ds[sum].minimal_heartbeat"] == "120")
    }

    @Test func dataSourceTypeFollowsTheSlope() {
        #expect(RRDLayout.dataSourceType(for: .positive) == "COUNTER")
        #expect(RRDLayout.dataSourceType(for: .derivative) == "DERIVE")
        for slope in [Slope.zero, .negative, .both, .unspecified] { #expect(RRDLayout.dataSourceType(for: slope) == "GAUGE") }
    }

    @Test func hostDirectoriesCanBeLowerCased() throws {
        let location = RRDLayout.Location.host(try ClusterName("Prod"), try HostName("Web1.Example"))
        #expect(RRDLayout(root: "/var/rrds").path(of: try MetricName("load_one"), in: location) == "/var/rrds/Prod/Web1.Example/load_one.rrd")
        #expect(
            RRDLayout(root: "/var/rrds/", caseSensitiveHostnames: false).path(of: try MetricName("load_one"), in: location)
                == "/var/rrds/Prod/web1.example/load_one.rrd")
    }

    @Test func archivesParseGmetadsSyntax() {
        #expect(RRDLayout.Archive("RRA:AVERAGE:0.5:4:20160") == RRDLayout.Archive(steps: 4, rows: 20160))
        #expect(RRDLayout.Archive("RRA:MAX:0.5:1:244")?.consolidation == "MAX")
        for bad in ["RRA:AVERAGE:0.5:0:10", "RRA:AVG:0.5:1:10", "RRA:AVERAGE:1.5:1:10", "DS:x", "RRA:AVERAGE:0.5:1"] {
            #expect(RRDLayout.Archive(bad) == nil, "\(bad)")
        }
    }

    /// Whatever names arrive, a path stays inside the root: unsafe names can't become `Name`s.
    @Test func pathsNeverLeaveTheRoot() throws {
        let layout = RRDLayout(root: "/var/rrds")
        for raw in ["..", "../../x", "a/b", "x\u{0}y", "\u{1B}", ".", "", "__SummaryInfo__"] {
            #expect(ClusterName(validating: raw) == nil && HostName(validating: raw) == nil)
        }
        for raw in ["..", "../../../pwned", "a/b", "x\u{0}"] { #expect(MetricName(validating: raw) == nil) }
        let odd = RRDLayout.Location.host(try ClusterName("..."), try HostName(".hidden"))
        let path = layout.path(of: try MetricName("a..b"), in: odd)
        #expect(path == "/var/rrds/.../.hidden/a..b.rrd")
        #expect(!path.split(separator: "/").contains(".."))
    }
}
