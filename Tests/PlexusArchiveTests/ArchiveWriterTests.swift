import Foundation
import Logging
import PlexusCore
import PlexusTestSupport
import ServiceLifecycle
import Synchronization
import Testing

@testable import PlexusArchive

/// The writer's queue: order per file, coalescing, stale values, back-pressure, failures.
/// A recording fake stands in for librrd, so these check the logic, not the disk.
@Suite final class ArchiveWriterTests {
    static let t0: Int64 = 1_795_543_200
    let geometry = ArchiveGeometry(step: 15)
    /// The fake writes no archives, but directories and empty files are real: they go here.
    let directory: TemporaryDirectory
    var root: String { directory.path }

    init() throws { directory = try TemporaryDirectory(prefix: "plexus-writer") }
    deinit { directory.remove() }

    func writer(_ fake: RecordingRRD, _ configuration: ArchiveWriter.Configuration = .init()) -> ArchiveWriter {
        ArchiveWriter(store: ArchiveStore(layout: RRDLayout(root: root), functions: fake), configuration: configuration)
    }

    @Test func valuesOfOneFileCoalesceIntoOneUpdateInOrder() async throws {
        let fake = RecordingRRD()
        fake.hold()  // the thread blocks in its first update, so the rest piles up in the queue
        let writer = writer(fake)
        let a = ArchiveKey.host("c", "a", "load_one"), b = ArchiveKey.host("c", "b", "load_one")
        writer.submit(ArchiveSample(key: a, geometry: geometry, time: Self.t0, value: 0))
        await fake.updatesEntered()
        for i in 1...50 {
            writer.submit(ArchiveSample(key: a, geometry: geometry, time: Self.t0 + Int64(i) * 15, value: Double(i)))
            writer.submit(ArchiveSample(key: b, geometry: geometry, time: Self.t0 + Int64(i) * 15, value: Double(-i)))
        }
        #expect(writer.statistics.queued == 101)  // 100 waiting and the one being written
        fake.release()
        await writer.shutdown()
        let updatesA = fake.updates(of: root + "/c/a/load_one.rrd"), updatesB = fake.updates(of: root + "/c/b/load_one.rrd")
        #expect(updatesA.count == 2 && updatesB.count == 1)  // the first value alone, then 50 in one call
        #expect(updatesA.flatMap { $0 } == (0...50).map { "\(Self.t0 + Int64($0) * 15):\(Double($0))" })
        #expect(updatesB.flatMap { $0 } == (1...50).map { "\(Self.t0 + Int64($0) * 15):\(Double(-$0))" })
        let stats = writer.statistics
        #expect(stats.written == 101 && stats.queued == 0 && stats.updateCalls == 3 && stats.filesCreated == 2)
        // Created lazily, with start one second before the first value.
        let creates = fake.calls.withLock { $0.filter { $0.function == "create" } }
        #expect(creates.map(\.path).sorted() == [root + "/c/a/load_one.rrd", root + "/c/b/load_one.rrd"])
        #expect(creates.first { $0.path.contains("/a/") }?.values[0...1] == ["15", "\(Self.t0 - 1)"])
        #expect(creates.first { $0.path.contains("/b/") }?.values[0...1] == ["15", "\(Self.t0 + 14)"])
    }

    @Test func repeatedAndOlderTimesAreSkippedNotFailed() async throws {
        let fake = RecordingRRD()
        let writer = writer(fake)
        let key = ArchiveKey(.clusterSummary(try ClusterName("c")), try MetricName("cpu_num"))
        // A source that repeats its LOCALTIME, then goes back in time.
        for t in [Self.t0, Self.t0, Self.t0 + 15, Self.t0 + 5, Self.t0 + 30] {
            writer.submit(ArchiveSample(key: key, geometry: geometry, time: t, sum: 8, num: 2))
        }
        await writer.drain()
        writer.submit(ArchiveSample(key: key, geometry: geometry, time: Self.t0 + 30, sum: 9, num: 3))
        await writer.shutdown()
        #expect(
            fake.updates(of: root + "/c/__SummaryInfo__/cpu_num.rrd").flatMap { $0 } == ["\(Self.t0):8.0:2", "\(Self.t0 + 15):8.0:2", "\(Self.t0 + 30):8.0:2"])
        #expect(writer.statistics.stale == 3 && writer.statistics.failed == 0 && writer.statistics.written == 3)
    }

    @Test func anExistingFileIsContinuedFromItsLastUpdate() async throws {
        let fake = RecordingRRD()
        // A file already there (from an earlier run), last updated at t0 + 100.
        let dir = directory
        try FileManager.default.createDirectory(atPath: dir.appending("c/h"), withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: dir.appending("c/h/m.rrd"), contents: Data())
        fake.existing.withLock { $0[dir.appending("c/h/m.rrd")] = Self.t0 + 100 }
        let writer = ArchiveWriter(store: ArchiveStore(layout: RRDLayout(root: dir.path), functions: fake))
        for i in 0..<4 { writer.submit(ArchiveSample(key: .host("c", "h", "m"), geometry: geometry, time: Self.t0 + Int64(i) * 60, value: 1)) }
        await writer.shutdown()
        #expect(fake.updates(of: dir.appending("c/h/m.rrd")).flatMap { $0 } == ["\(Self.t0 + 120):1.0", "\(Self.t0 + 180):1.0"])
        #expect(writer.statistics.stale == 2 && writer.statistics.filesCreated == 0)
    }

    @Test func aFullQueueDropsAndCountsInsteadOfGrowing() async throws {
        let fake = RecordingRRD()
        fake.hold()
        let writer = writer(fake, .init(queueCapacity: 100))
        writer.submit(ArchiveSample(key: .host("c", "h", "first"), geometry: geometry, time: Self.t0, value: 1))
        await fake.updatesEntered()  // the thread now holds that one in its update
        var accepted = 0
        for i in 0..<500 {
            accepted += writer.submit([ArchiveSample(key: .host("c", "h", "m\(i % 7)"), geometry: geometry, time: Self.t0 + Int64(i), value: 1)])
        }
        #expect(accepted == 99)
        #expect(writer.statistics.dropped == 401 && writer.statistics.queued == 100)
        // A batch larger than the room left is cut, not refused whole.
        fake.release()
        await writer.drain()
        let batch = (0..<150).map { ArchiveSample(key: .host("c", "h", "batch"), geometry: geometry, time: Self.t0 + Int64($0), value: 1) }
        fake.hold()
        #expect(writer.submit(batch) == 100)
        fake.release()
        await writer.shutdown()
        #expect(writer.statistics.written == 200 && writer.statistics.dropped == 451 && writer.statistics.queued == 0)
    }

    @Test func aFailedFileCostsOnlyItself() async throws {
        let fake = RecordingRRD()
        fake.failPaths.withLock { $0.insert(root + "/c/bad/m.rrd") }
        let writer = writer(fake, .init(workers: 2))
        for i in 0..<10 {
            for host in ["a", "bad", "z"] {
                writer.submit(ArchiveSample(key: .host("c", host, "m"), geometry: geometry, time: Self.t0 + Int64(i) * 15, value: 1))
            }
        }
        await writer.shutdown()
        let stats = writer.statistics
        #expect(stats.written == 20 && stats.failed > 0 && stats.written + stats.failed == 30)
        #expect(stats.lastError?.contains("fake failure") == true)
        #expect(fake.updates(of: root + "/c/a/m.rrd").flatMap { $0 }.count == 10)
    }

    @Test func everyFailureIsReportedWithItsTimeAndASpellEndsOnceWritesSucceedAgain() async throws {
        let fake = RecordingRRD()
        let bad = root + "/c/bad/m.rrd"
        fake.failPaths.withLock { $0.insert(bad) }
        let now = Mutex<Int64>(Self.t0)
        let reports = Mutex<[ArchiveWriter.Report]>([])
        var configuration = ArchiveWriter.Configuration()
        configuration.clock = { now.withLock { $0 } }
        configuration.report = { report in reports.withLock { $0.append(report) } }
        let writer = writer(fake, configuration)
        func write(_ hosts: [String], at t: Int64) async {
            now.withLock { $0 = t }
            for host in hosts { writer.submit(ArchiveSample(key: .host("c", host, "m"), geometry: geometry, time: t, value: 1)) }
            await writer.drain()
        }
        await write(["a", "bad"], at: Self.t0)
        var stats = writer.statistics
        #expect(stats.failingSince == Self.t0 && stats.lastErrorAt == Self.t0 && stats.lastError?.contains(bad) == true)
        // One good file among failing ones does not end the spell, nor does a success within
        // ten seconds of the last failure.
        await write(["a", "bad"], at: Self.t0 + 5)
        await write(["a"], at: Self.t0 + 12)
        #expect(writer.statistics.failingSince == Self.t0)
        await write(["a"], at: Self.t0 + 16)
        stats = writer.statistics
        #expect(stats.failingSince == nil && stats.lastErrorAt == Self.t0 + 5, "the last error stays, with its time")
        let failures = reports.withLock { $0 }.filter { if case .failed = $0 { true } else { false } }
        #expect(failures.count == 2 && failures.count == stats.failed, "every failure counted is reported")
        #expect(reports.withLock { $0 }.last == .recovered(failures: 2, since: Self.t0))
    }

    @Test func summariesJumpTheQueueOfHostsFiles() async throws {
        // A restart's first poll: thousands of hosts' files queued, then the summaries. Killed
        // before the queue drains, the grid's and clusters' history must not be what is lost.
        let fake = RecordingRRD()
        let writer = writer(fake, .init(filesPerRound: 10))
        fake.hold()
        let c = try ClusterName("c")
        writer.submit(ArchiveSample(key: .host("c", "first", "m"), geometry: geometry, time: Self.t0, value: 1))
        await fake.updatesEntered()  // the thread is inside the first round
        for i in 0..<200 { writer.submit(ArchiveSample(key: .host("c", "h\(i)", "m"), geometry: geometry, time: Self.t0, value: 1)) }
        for metric in ["load_one", "cpu_num", "mem_free"] {
            writer.submit(ArchiveSample(key: ArchiveKey(.clusterSummary(c), try MetricName(metric)), geometry: geometry, time: Self.t0, sum: 1, num: 1))
        }
        fake.release()
        await writer.drain()
        let updates = fake.calls.withLock { $0 }.filter { $0.function == "update" }.map(\.path)
        let summaries = updates.indices.filter { updates[$0].contains("__SummaryInfo__") }
        #expect(updates.count == 204 && summaries == [1, 2, 3], "the summaries come right after the round in progress")
    }

    @Test func manyWorkersKeepEachFileInOrder() async throws {
        let fake = RecordingRRD()
        let writer = writer(fake, .init(workers: 3, filesPerRound: 7))
        let keys = (0..<40).map { ArchiveKey.host("c", "h\($0)", "m") }
        for i in 0..<30 {
            writer.submit(keys.map { ArchiveSample(key: $0, geometry: geometry, time: Self.t0 + Int64(i), value: Double(i)) })
        }
        await writer.shutdown()
        for key in keys {
            let times = fake.updates(of: root + "/\(key).rrd").flatMap { $0 }.map { Int64($0.split(separator: ":")[0])! }
            #expect(times == (0..<30).map { Self.t0 + Int64($0) })
        }
        #expect(writer.statistics.written == 1200)
    }

    @Test func updateTextsFollowTheDataSourceType() throws {
        let host = ArchiveKey.host("c", "h", "m"), summary = ArchiveKey(.rootSummary, try MetricName("m"))
        #expect(ArchiveSample(key: host, geometry: ArchiveGeometry(step: 15), time: 10, value: 0.25).updateText == "10:0.25")
        #expect(ArchiveSample(key: host, geometry: ArchiveGeometry(step: 15, slope: .positive), time: 10, value: 1234.6).updateText == "10:1235")
        #expect(ArchiveSample(key: host, geometry: ArchiveGeometry(step: 15), time: 10, value: .nan).updateText == "10:U")
        #expect(ArchiveSample(key: host, geometry: ArchiveGeometry(step: 15, slope: .derivative), time: 10, value: .infinity).updateText == "10:U")
        #expect(ArchiveSample(key: summary, geometry: ArchiveGeometry(step: 15), time: 10, sum: 1e-5, num: 3).updateText == "10:1e-05:3")
    }

    @Test func asAServiceItWritesWhatIsQueuedOnGracefulShutdown() async throws {
        let fake = RecordingRRD()
        fake.hold()
        let writer = writer(fake)
        let group = ServiceGroup(services: [writer], logger: Logger(label: "archive-test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            for i in 0..<100 {
                writer.submit(ArchiveSample(key: .host("c", "h\(i % 10)", "m"), geometry: geometry, time: Self.t0 + Int64(i / 10) * 15, value: Double(i)))
            }
            await fake.updatesEntered()
            await group.triggerGracefulShutdown()
            #expect(writer.statistics.written < 100)  // still held: shutdown waits for the queue
            fake.release()
            try await tasks.waitForAll()
        }
        #expect(writer.statistics.written == 100 && writer.statistics.queued == 0)
        // After shutdown a late sample is refused and counted, not queued for threads that are gone.
        #expect(writer.submit(ArchiveSample(key: .host("c", "h", "m"), geometry: geometry, time: Self.t0 + 9999, value: 1)) == false)
        #expect(writer.statistics.dropped == 1 && writer.statistics.queued == 0)
    }
}
