import Foundation
import PlexusCore
import PlexusTestSupport
import Testing

/// The aggregator on an operator's bad day, as real processes: a full disk, a restart loop.
@Suite(.serialized) struct OperabilityTests {
    /// A source of `hosts` × `metrics` served on loopback.
    static func source(_ folder: TemporaryFolder, hosts: Int, metrics: Int) throws -> FixedReplyServer {
        var bytes: [UInt8] = []
        GangliaXMLWriter(dialect: .gmond).write(try SyntheticGrid(hosts: hosts, metricsPerHost: metrics).document(), into: &bytes)
        return try FixedReplyServer(folder: folder, name: "source", reply: bytes)
    }

    @Test func aFullDiskReachesTheLogRateLimitedWithErrnoAndRecoveryIsSaid() async throws {
        let disk = try SmallFilesystem(bytes: 1 << 20)
        defer { disk.unmount() }
        let folder = try TemporaryFolder("plexus-fulldisk")
        let root = URL(fileURLWithPath: disk.appending("rrds"))
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        disk.fill()
        let source = try Self.source(folder, hosts: 20, metrics: 10)
        defer { source.stop() }
        // rrd_keep_free = 0: no refusal ahead of the disk, so creation itself meets ENOSPC.
        let aggregator = try AggregatorProcess(folder: folder, name: "full", gridname: "G", sources: """
            [[data_source]]
            name = "big"
            step = 1
            hosts = ["127.0.0.1:\(source.port)"]
            """, extra: "rrd_keep_free = 0\nRRAs = [\"RRA:AVERAGE:0.5:1:60\"]", root: root)
        defer { aggregator.stop() }
        func archive() -> [String: Any]? { aggregator.status()?["archive"] as? [String: Any] }
        #expect(await Loopback.eventually(seconds: 60) { (archive()?["failed"] as? Int ?? 0) >= 200 }, "\(String(describing: archive()))")
        let failing = try #require(archive())
        #expect(failing["failingSince"] is Int && failing["lastErrorAt"] is Int)
        #expect((failing["lastError"] as? String)?.contains("No space left on device (errno 28)") == true, "\(failing)")
        let log = try String(contentsOf: aggregator.process.log, encoding: .utf8)
        let lines = log.split(separator: "\n").filter { $0.contains("archive writes failing") }
        #expect(!lines.isEmpty && lines.count <= 4, "hundreds of failures, a line per kind:\n\(lines.joined(separator: "\n"))")
        #expect(lines.contains { $0.contains("No space left on device (errno 28)") && $0.contains("file=\(root.path)/") }, "\(lines)")
        #expect(log.contains("[PlexusAggregator]") || log.contains("plexus-aggregator"))

        disk.free()
        #expect(await Loopback.eventually(seconds: 60) { archive().map { $0["failingSince"] == nil } ?? false }, "\(String(describing: archive()))")
        let recovered = try #require(archive())
        #expect(recovered["lastError"] is String && recovered["lastErrorAt"] is Int, "the last error stays, with its time")
        #expect(try String(contentsOf: aggregator.process.log, encoding: .utf8).contains("archive writes succeed again"))
    }
}
