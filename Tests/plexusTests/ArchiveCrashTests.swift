import Foundation
import PlexusArchive
import PlexusCore
import PlexusTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A writer process killed with SIGKILL in the middle of a write storm leaves every archive
/// valid (`rrdtool info` reads it) and holding every value it had acknowledged; a restart on the
/// same root goes on from there.
@Suite(.serialized) struct ArchiveCrashTests {
    static let files = 600
    static let t0: Int64 = 1_795_543_200

    /// Starts the storm; returns it and a function giving the acknowledged rounds so far.
    func storm(_ root: String, log: URL) throws -> LocalProcess {
        try LocalProcess(try Executable("plexus-bench").url.path, ["archive-storm", root, "\(Self.files)"], log: log)
    }

    static func acknowledged(_ process: LocalProcess) -> [Int64] {
        process.output.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ")
            return parts.count == 3 && parts[0] == "ack" ? Int64(parts[1]) : nil
        }
    }

    /// Every `.rrd` below root: `rrdtool info` reads it; returns path → last_update (-1 when it
    /// couldn't be read, with rrdtool's words).
    static func verifyAll(_ root: TemporaryDirectory) async throws -> [String: Int64] {
        let results = try await verifyAllBlocking(root)
        for (file, (_, complaint)) in results where complaint != nil {
            Issue.record("rrdtool info \(file): \(complaint!)")
        }
        return results.mapValues(\.0)
    }

    static func verifyAllBlocking(_ root: TemporaryDirectory) async throws -> [String: (Int64, String?)] {
        var result: [String: (Int64, String?)] = [:]
        for file in root.files() where file.hasSuffix(".rrd") {
            let (status, text) = try await runCommand("/usr/bin/rrdtool", ["info", root.appending(file)])
            let last = text.split(separator: "\n").first { $0.hasPrefix("last_update = ") }.flatMap { Int64($0.dropFirst(14)) }
            result[file] = (last ?? -1, status == 0 && last != nil ? nil : text)
        }
        return result
    }

    @Test func sigkillMidStormLeavesValidFilesWithEveryAcknowledgedValue() async throws {
        let root = try TemporaryDirectory(prefix: "plexus-crash")
        defer { root.remove() }
        let logs = try TemporaryDirectory(prefix: "plexus-crash-log")
        defer { logs.remove() }

        // 1. Killed while creating the files.
        let first = try storm(root.path, log: URL(fileURLWithPath: logs.appending("first.log")))
        #expect(await Loopback.eventually(seconds: 20) { root.files().count >= 50 })
        try await first.killed()
        let afterCreation = try await Self.verifyAll(root)
        #expect(!afterCreation.isEmpty)
        #expect(root.files().allSatisfy { $0.hasSuffix(".rrd") || $0.contains(".creating-") })

        // 2. Restarted on the same root, then killed in the middle of a round.
        let second = try storm(root.path, log: URL(fileURLWithPath: logs.appending("second.log")))
        #expect(await Loopback.eventually(seconds: 60) { Self.acknowledged(second).count >= 4 }, "\(second.output)")
        let acked = Self.acknowledged(second)
        try await Task.sleep(for: .milliseconds(Int.random(in: 2...15)))
        try await second.killed()
        // The rounds this life acknowledged (it may have acknowledged more by the time it died).
        let lastAcked = try #require(acked.last)

        let lastUpdates = try await Self.verifyAll(root)
        #expect(lastUpdates.count == Self.files + archiveStormMetricsPerHost)
        let ackedTime = Self.t0 + lastAcked * 15
        for (file, last) in lastUpdates {
            #expect(last >= ackedTime, "\(file) last_update \(last) is before the acknowledged \(ackedTime)")
        }
        // The values are there, not just the timestamps: round r wrote r.
        let rrd = LibRRD()
        for file in ["storm/host0/metric0.rrd", "storm/host\(Self.files / 10 - 1)/metric9.rrd", "storm/__SummaryInfo__/metric3.rrd"] {
            let series = try rrd.fetch(path: root.appending(file), consolidation: "AVERAGE", start: ackedTime - 15 * 3, end: ackedTime, resolution: 15)
            for (time, value) in series.points(column: 0) where time <= ackedTime && time > ackedTime - 15 * 3 {
                #expect(value == Double((time - Self.t0) / 15), "\(file) at \(time)")
            }
        }

        // 3. A third life resumes where the files are and acknowledges more rounds.
        let third = try storm(root.path, log: URL(fileURLWithPath: logs.appending("third.log")))
        #expect(await Loopback.eventually(seconds: 60) { Self.acknowledged(third).count >= 2 }, "\(third.output)")
        try await third.killed()
        #expect(try #require(Self.acknowledged(third).first) > lastAcked)
        #expect(!third.output.contains("failed"))
    }
}

/// Host archives per host in the storm (ten metrics, and one cluster summary each).
let archiveStormMetricsPerHost = 10
