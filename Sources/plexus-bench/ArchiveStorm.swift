import Foundation
import PlexusArchive
import PlexusCore

/// `plexus-bench archive-storm ROOT FILES`: writes one value to each of FILES host archives and
/// one to each cluster summary, round after round, as fast as the writer goes, until killed.
/// After each round is on disk it prints `ack ROUND TIME`. The crash test kills it with SIGKILL
/// and checks every file against the last acknowledged round. A restart on the same root
/// resumes after the round the files hold.
struct ArchiveStorm {
    static let t0: Int64 = 1_795_543_200
    static let metricsPerHost = 10
    var root: String
    var files: Int

    static func keys(files: Int) throws -> [ArchiveKey] {
        let cluster = try ClusterName("storm")
        let hosts = try (0..<files).map { i in
            ArchiveKey(.host(cluster, try HostName("host\(i / metricsPerHost)")), try MetricName("metric\(i % metricsPerHost)"))
        }
        let summaries = try (0..<metricsPerHost).map { ArchiveKey(.clusterSummary(cluster), try MetricName("metric\($0)")) }
        return hosts + summaries
    }

    func run() async throws {
        let store = ArchiveStore(layout: RRDLayout(root: root))
        store.removeLeftovers()
        let keys = try Self.keys(files: files)
        // Resume after the last round the first file holds (files ahead of it skip it as stale).
        var round: Int64 = 0
        if let first = try? store.path(of: keys[0]), FileManager.default.fileExists(atPath: first),
            let last = try? store.functions.lastUpdate(path: first).time
        {
            round = (last - Self.t0) / 15 + 1
        }
        let writer = ArchiveWriter(store: store)
        let geometry = ArchiveGeometry(step: 15)
        while true {
            let time = Self.t0 + round * 15
            writer.submit(
                keys.map { key in
                    key.location.isSummary
                        ? ArchiveSample(key: key, geometry: geometry, time: time, sum: Double(round), num: 3)
                        : ArchiveSample(key: key, geometry: geometry, time: time, value: Double(round))
                })
            await writer.drain()
            let stats = writer.statistics
            guard stats.failed == 0 else { throw BenchFailure("write failed: \(stats.lastError ?? "?")") }
            emit("ack \(round) \(time)")
            round += 1
        }
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// One line on standard output, written at once (a reader may be waiting for it).
func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
