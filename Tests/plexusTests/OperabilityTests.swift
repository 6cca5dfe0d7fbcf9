import Foundation
import PlexusCore
import PlexusTestSupport
import Testing

/// The aggregator on an operator's bad day, as real processes: a full disk, a restart loop.
@Suite(.serialized) struct OperabilityTests {
    /// A source of `hosts` × `metrics` served on loopback.
    static func source(_ folder: TemporaryFolder, hosts: Int, metrics: Int) async throws -> FixedReplyServer {
        var bytes: [UInt8] = []
        GangliaXMLWriter(dialect: .gmond).write(try SyntheticGrid(hosts: hosts, metricsPerHost: metrics).clusterDocument(), into: &bytes)
        return try await FixedReplyServer(folder: folder, name: "source", reply: bytes)
    }

    @Test func aFullDiskReachesTheLogRateLimitedWithErrnoAndRecoveryIsSaid() async throws {
        let disk = try SmallFilesystem(bytes: 1 << 20)
        defer { disk.unmount() }
        let folder = try TemporaryFolder("plexus-fulldisk")
        let root = URL(fileURLWithPath: disk.appending("rrds"))
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        disk.fill()
        let source = try await Self.source(folder, hosts: 20, metrics: 10)
        defer { source.stop() }
        // rrd_keep_free = 0: no refusal ahead of the disk, so creation itself meets ENOSPC.
        let aggregator = try AggregatorProcess(
            folder: folder, name: "full", gridname: "G",
            sources: """
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

    /// Issue 14: over ten `kill -9` restarts every host series kept its data and the summaries
    /// lost 11–13 steps, because after a restart their samples queued behind thousands of
    /// hosts' files. Killed in the middle of that backlog, the summaries must be at least as
    /// recent as every host file written: they now go first.
    @Test func killedMidBacklogTheSummariesAreAsRecentAsAnyHost() async throws {
        let folder = try TemporaryFolder("plexus-restarts")
        var bytes: [UInt8] = []
        GangliaXMLWriter(dialect: .gmond).write(try SyntheticGrid(hosts: 300, metricsPerHost: 10).clusterDocument(), into: &bytes)
        let document = folder.url.appendingPathComponent("source.xml")
        try Data(bytes).write(to: document)
        // A live source: the cluster's LOCALTIME is the current second on every poll.
        let port = Loopback.freePort()
        let script = AgentProcessTests.repositoryRoot.appendingPathComponent("scripts/bench.d/xml-source.py").path
        let source = try LocalProcess(
            "/usr/bin/python3", [script, document.path, folder.url.appendingPathComponent("polls").path, "\(port)"],
            log: folder.url.appendingPathComponent("source.log"))
        defer { source.stop(grace: 0) }
        #expect(await Loopback.eventually(seconds: 10) { Loopback.read(port: port) != nil })
        var aggregator = try AggregatorProcess(
            folder: folder, name: "loop", gridname: "G",
            sources: """
                [[data_source]]
                name = "live"
                step = 1
                hosts = ["127.0.0.1:\(port)"]
                """, extra: "RRAs = [\"RRA:AVERAGE:0.5:1:600\"]\nmax_new_series_per_cluster = 100000")
        func archive() -> [String: Any]? { aggregator.status()?["archive"] as? [String: Any] }
        // The first run creates every file (3,000 hosts' and the summaries').
        #expect(
            await Loopback.eventually(seconds: 120) {
                guard let a = archive(), let created = a["filesCreated"] as? Int, let queued = a["queued"] as? Int else { return false }
                return created >= 3000 && queued == 0
            }, "\(String(describing: archive()))")
        let cluster = aggregator.root.appendingPathComponent("Synthetic")
        let summary = cluster.appendingPathComponent("__SummaryInfo__/load_one.rrd")
        let hosts = try FileManager.default.contentsOfDirectory(atPath: cluster.path).filter { $0 != "__SummaryInfo__" }.sorted()
        #expect(hosts.count == 300)
        var caught = 0, lateSummaries: [String] = []
        for run in 1...10 where caught < 3 {
            try await aggregator.process.killed()
            aggregator = try AggregatorProcess(restarting: aggregator, log: folder.url.appendingPathComponent("loop-\(run).log"))
            // Kill as soon as this run has written part of a poll's files and more wait.
            var state: [String: Any]?
            let midBacklog = await Loopback.eventually(seconds: 30) {
                state = aggregator.status()?["archive"] as? [String: Any]
                guard let written = state?["written"] as? Int, let queued = state?["queued"] as? Int else { return false }
                return written > 0 && (queued > 0 || written >= 3000)
            }
            try await aggregator.process.killed()
            guard midBacklog, let queued = state?["queued"] as? Int, queued > 0 else { continue }
            caught += 1
            guard let summaryTime = await RRDTool.lastUpdate(summary) else { throw Failure("run \(run): the summary file doesn't read") }
            for host in hosts.enumerated().filter({ $0.offset % 10 == 0 }).map(\.element) {
                guard let hostTime = await RRDTool.lastUpdate(cluster.appendingPathComponent("\(host)/load_one.rrd")) else {
                    throw Failure("run \(run): \(host)'s file doesn't read")
                }
                if hostTime > summaryTime { lateSummaries.append("run \(run): \(host) written at \(hostTime), the cluster summary only at \(summaryTime)") }
            }
        }
        aggregator.stop()
        #expect(lateSummaries.isEmpty, "\(lateSummaries.joined(separator: "\n"))")
        #expect(caught > 0, "no run was caught with a backlog: the test tested nothing")
    }
}
