import Foundation
import PlexusTestSupport
import Testing

@testable import PlexusArchive

/// The shim against the real librrd, in a temporary directory with fixed timestamps.
@Suite struct LibRRDTests {
    let rrd = LibRRD()
    static let t0: Int64 = 1_795_543_200  // a multiple of 15, 60 and 600: values land on step boundaries

    @Test func createUpdateFetchAndInfo() throws {
        let dir = try TemporaryDirectory(prefix: "plexus-librrd")
        defer { dir.remove() }
        let path = dir.appending("load_one.rrd")
        try rrd.create(path: path, step: 15, start: Self.t0, definitions: ["DS:sum:GAUGE:120:U:U", "RRA:AVERAGE:0.5:1:100"])
        // Values on step boundaries, so each primary data point is exactly one value.
        try rrd.update(path: path, values: (1...10).map { "\(Self.t0 + Int64($0) * 15):\(Double($0) / 4)" })
        let last = try rrd.lastUpdate(path: path)
        #expect(last.time == Self.t0 + 150)
        #expect(last.values["sum"] == "2.5")

        let series = try rrd.fetch(path: path, consolidation: "AVERAGE", start: Self.t0, end: Self.t0 + 150, resolution: 15)
        #expect(series.columns == ["sum"])
        #expect(series.step == 15)
        let points = series.points(column: 0).filter { !$0.value.isNaN }
        #expect(points.count == 10)
        for (time, value) in points { #expect(value == Double((time - Self.t0) / 15) / 4) }

        let info = try rrd.info(path: path)
        #expect(info.integer("step") == 15)
        #expect(info.string("ds[sum].type") == "GAUGE")
        #expect(info.integer("ds[sum].minimal_heartbeat") == 120)
        #expect(info.integer("rra[0].rows") == 100)
        #expect(info.integer("last_update") == Int(Self.t0 + 150))
    }

    @Test func errorsCarryLibrrdsMessageAndTheFile() throws {
        let dir = try TemporaryDirectory(prefix: "plexus-librrd")
        defer { dir.remove() }
        let missing = dir.appending("missing.rrd")
        #expect {
            try rrd.update(path: missing, values: ["\(Self.t0):1"])
        } throws: { error in
            let e = error as! RRDError
            return e.kind == .library(function: "rrd_update_r") && e.path == missing && e.message.contains("No such file")
        }
        let path = dir.appending("x.rrd")
        try rrd.create(path: path, step: 15, start: Self.t0, definitions: ["DS:sum:GAUGE:120:U:U", "RRA:AVERAGE:0.5:1:10"])
        // no_overwrite: a second create of the same file fails and leaves it alone.
        #expect(throws: RRDError.self) {
            try rrd.create(path: path, step: 60, start: Self.t0, definitions: ["DS:sum:GAUGE:120:U:U", "RRA:AVERAGE:0.5:1:10"])
        }
        #expect(try rrd.info(path: path).integer("step") == 15)
        // A time not after the last update: librrd's own words come back.
        try rrd.update(path: path, values: ["\(Self.t0 + 15):1"])
        #expect {
            try rrd.update(path: path, values: ["\(Self.t0 + 15):2"])
        } throws: { ($0 as! RRDError).message.contains("illegal attempt to update") }
        // The error was cleared: the next good call succeeds and reports nothing.
        try rrd.update(path: path, values: ["\(Self.t0 + 30):2"])
        #expect(try rrd.lastUpdate(path: path).time == Self.t0 + 30)
        #expect(throws: RRDError.self) { try rrd.create(path: dir.appending("bad.rrd"), step: 15, start: 0, definitions: ["DS:sum:NOPE:1:U:U"]) }
    }

    @Test func errorsStayOnTheirThread() async throws {
        let dir = try TemporaryDirectory(prefix: "plexus-librrd")
        defer { dir.remove() }
        let good = dir.appending("good.rrd")
        try rrd.create(path: good, step: 1, start: Self.t0, definitions: ["DS:sum:GAUGE:8:U:U", "RRA:AVERAGE:0.5:1:10"])
        // Failing calls on other threads at the same time never show up as our error.
        let failures = ArchiveThread(name: "fail")
        let rrd = self.rrd
        for _ in 0..<200 { failures.submit { _ = try? rrd.update(path: dir.appending("none.rrd"), values: ["1:1"]) } }
        for i in 1...200 { try rrd.update(path: good, values: ["\(Self.t0 + Int64(i)):\(i)"]) }
        await failures.stop()
        #expect(try rrd.lastUpdate(path: good).time == Self.t0 + 200)
    }
}

/// Another process holding a file's lock (rrdcached writing it, an `rrdtool` command) delays a
/// write or read briefly; it doesn't fail it. One that holds it for long does, and is counted.
@Suite struct LockContentionTests {
    /// python3 holds an fcntl write lock on `path` for `seconds`; returns once it has it.
    static func holdLock(_ path: String, seconds: Double) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [
            "-c",
            "import fcntl,sys,time; f=open(sys.argv[1],'r+b'); fcntl.lockf(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(float(sys.argv[2]))",
            path, "\(seconds)",
        ]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        _ = out.fileHandleForReading.availableData  // "locked"
        return process
    }

    @Test func aBrieflyLockedFileIsWrittenAfterRetrying() async throws {
        let dir = try TemporaryDirectory(prefix: "plexus-lock")
        defer { dir.remove() }
        let store = ArchiveStore(layout: RRDLayout(root: dir.path), archives: smallArchives)
        let writer = ArchiveWriter(store: store)
        let key = ArchiveKey.host("c", "h", "m")
        writer.submit(ArchiveSample(key: key, geometry: ArchiveGeometry(step: 15), time: LibRRDTests.t0, value: 1))
        await writer.drain()
        let path = try store.path(of: key)

        let brief = try await onOwnThread { try Self.holdLock(path, seconds: 0.05) }
        writer.submit(ArchiveSample(key: key, geometry: ArchiveGeometry(step: 15), time: LibRRDTests.t0 + 15, value: 2))
        await writer.drain()
        #expect(writer.statistics.written == 2 && writer.statistics.failed == 0, "\(writer.statistics.lastError ?? "")")
        try await onOwnThread { brief.waitUntilExit() }

        // Held far longer than the retries last; ended by the test as soon as the write failed.
        let long = try await onOwnThread { try Self.holdLock(path, seconds: 60) }
        writer.submit(ArchiveSample(key: key, geometry: ArchiveGeometry(step: 15), time: LibRRDTests.t0 + 30, value: 3))
        await writer.drain()
        #expect(writer.statistics.failed == 1)
        #expect(writer.statistics.lastError?.contains("could not lock") == true)
        kill(long.processIdentifier, SIGKILL)
        try await onOwnThread { long.waitUntilExit() }
        // The failed file's time is read again from disk; the next value goes in.
        writer.submit(ArchiveSample(key: key, geometry: ArchiveGeometry(step: 15), time: LibRRDTests.t0 + 45, value: 4))
        await writer.shutdown()
        #expect(writer.statistics.written == 3)
        #expect(try LibRRD().lastUpdate(path: path).time == LibRRDTests.t0 + 45)
    }
}
