import Foundation
import PlexusArchive
import PlexusCore
import PlexusTestSupport

/// `plexus-bench archive ROOT FILES ROUNDS [RRDCACHED-ADDRESS RRDCACHED-PID]`
///
/// On FILES host archives in gmetad's default geometry (630 760 B each):
/// - creation rate;
/// - direct writes, one value per file per call (gmetad's pattern), rounds back to back:
///   updates/s;
/// - direct writes, 10 values per file per call (what coalescing gives after a stall);
/// - bytes that reach the disk per sample with direct writes: `PACED` rounds (environment
///   `PLEXUS_BENCH_PACED`, default 8) one step (15 s) apart, as gmetad writes, so the kernel's
///   writeback coalesces what it would in production; counted at the block device;
/// - the same for gmetad's own pattern (rrd_create, one rrd_update per value, nothing else) on
///   up to 2,000 files, in the same run, for the ratio;
/// - through rrdcached (when given): ROUNDS×6 rounds (one value per file each, 15 s apart in
///   data time: 120 = rrdcached's usual `-w 1800`) until rrdcached has accepted them: updates/s;
///   then FLUSHALL and the bytes that reached the disk per sample;
/// - graph renders per second (load report of one host, 400×100 PNG).
///
/// Disk bytes are the block device's sectors written (`/sys/dev/block/MAJ:MIN/stat`) between
/// two `sync()`s: per-process `write_bytes` attributes mmap'd writes (librrd's) unreliably.
struct ArchiveBenchmark {
    var root: String
    var files: Int
    var rounds: Int
    var rrdcached: RRDCachedAddress?
    var rrdcachedPID: Int32?

    static let t0: Int64 = 1_795_543_200

    func keys() throws -> [ArchiveKey] {
        let cluster = try ClusterName("bench")
        return try (0..<files).map { i in ArchiveKey(.host(cluster, try HostName("host\(i / 30)")), try MetricName(ArchiveBenchmark.metrics[i % 30])) }
    }

    static let metrics = [
        "load_one", "load_five", "load_fifteen", "cpu_user", "cpu_system", "cpu_idle", "cpu_nice", "cpu_wio", "cpu_num", "cpu_speed",
        "mem_total", "mem_free", "mem_cached", "mem_buffers", "mem_shared", "swap_total", "swap_free", "bytes_in", "bytes_out", "pkts_in",
        "pkts_out", "proc_run", "proc_total", "disk_total", "disk_free", "part_max_used", "boottime", "cpu_aidle", "cpu_steal", "cpu_intr",
    ]

    /// One value per key at data time `t0 + step·15`.
    func samples(_ keys: [ArchiveKey], step: Int64) -> [ArchiveSample] {
        let geometry = ArchiveGeometry(step: 15)
        let time = Self.t0 + step * 15
        return keys.map { ArchiveSample(key: $0, geometry: geometry, time: time, value: Double(time % 977) / 10) }
    }

    func run() async throws {
        let keys = try keys()
        let store = ArchiveStore(layout: RRDLayout(root: root))
        let clock = ContinuousClock()
        let disk = DiskCounter(path: root)
        var next: Int64 = 0

        // Creation: the first value of every file creates it.
        var writer = ArchiveWriter(store: store)
        var started = clock.now
        writer.submit(samples(keys, step: next))
        next += 1
        await writer.drain()
        let creation = started.duration(to: clock.now)
        try check(writer)
        report("create", "\(files) files in \(seconds(creation)) s: \(rate(files, creation)) files/s")

        // Direct, one value per file per call, back to back.
        var times = await timedRounds(rounds, writer, keys, next: &next)
        try check(writer)
        report(
            "direct, 1 value per call",
            "\(files) files × \(rounds) rounds: \(rate(files, median(times))) updates/s (median round \(milliseconds(median(times))) ms, best \(rate(files, times.min()!))/s)"
        )

        // After a restart: a new writer knows no file, so its first round reads each file's
        // last update (and settles it) before writing.
        await writer.shutdown()
        writer = ArchiveWriter(store: store)
        started = clock.now
        writer.submit(samples(keys, step: next))
        next += 1
        await writer.drain()
        try check(writer)
        report("first touch after a restart", "\(files) files: \(rate(files, started.duration(to: clock.now))) updates/s")

        // Direct, 10 values per file per call.
        times = []
        let calls = writer.statistics.updateCalls
        for _ in 0..<max(2, rounds / 4) {
            let batch = (0..<10).flatMap { k in samples(keys, step: next + Int64(k)) }
            next += 10
            started = clock.now
            writer.submit(batch)
            await writer.drain()
            times.append(started.duration(to: clock.now))
        }
        try check(writer)
        report(
            "direct, 10 values per call",
            "\(rate(files * 10, median(times))) updates/s (median \(milliseconds(median(times))) ms for \(files * 10) values in \((writer.statistics.updateCalls - calls) / max(2, rounds / 4)) calls)"
        )

        // Direct, paced one step apart: what reaches the disk per sample.
        let paced = Int(ProcessInfo.processInfo.environment["PLEXUS_BENCH_PACED"] ?? "") ?? 8
        if paced > 0 {
            sync()
            let before = disk.sectorsWritten()
            for round in 0..<paced {
                let due = clock.now + .seconds(15)
                writer.submit(samples(keys, step: next))
                next += 1
                await writer.drain()
                if round < paced - 1 { try await Task.sleep(until: due) }
            }
            try await Task.sleep(for: .seconds(30))  // the kernel writes back what's left (dirty_expire 30 s)
            sync()
            let bytes = (disk.sectorsWritten() - before) * 512
            report(
                "direct, paced 15 s",
                "\(paced) rounds: \(bytes / Int64(files * paced)) B reached the disk per sample (\(bytes / 1_000_000) MB for \(files * paced) samples)")
        }
        await writer.shutdown()

        // gmetad's own pattern in the same run: rrd_create, then one rrd_update per value every
        // 15 s, nothing else (no settling). Fewer files: the ratio per sample is what counts.
        if paced > 0 {
            let count = min(files, 2000)
            let directory = root + "/gmetad-pattern"
            let bytes = try await onOwnThread { () throws -> Int64 in
                let rrd = LibRRD()
                mkdir(directory, 0o755)
                let paths = (0..<count).map { "\(directory)/f\($0).rrd" }
                let definitions = Array(RRDLayout.createArguments(step: 15, start: Self.t0 - 1, slope: .both, summary: false).dropFirst(4))
                for path in paths { try rrd.create(path: path, step: 15, start: Self.t0 - 1, definitions: definitions) }
                for path in paths { try rrd.update(path: path, values: ["\(Self.t0):1"]) }
                sync()
                let before = disk.sectorsWritten()
                for round in 1...paced {
                    let due = Date().addingTimeInterval(15)
                    for path in paths { try rrd.update(path: path, values: ["\(Self.t0 + Int64(round) * 15):\(round)"]) }
                    if round < paced { Thread.sleep(until: due) }
                }
                Thread.sleep(forTimeInterval: 30)
                sync()
                return (disk.sectorsWritten() - before) * 512
            }
            report(
                "gmetad's pattern, paced 15 s",
                "\(count) files (rrd_create, then one rrd_update per value), \(paced) rounds: \(bytes / Int64(count * paced)) B reached the disk per sample")
        }

        if let rrdcached {
            writer = ArchiveWriter(store: store, configuration: .init(rrdcached: rrdcached, rrdcachedFallbackAfter: nil))
            let cachedRounds = rounds * 6
            sync()
            let before = disk.sectorsWritten()
            times = await timedRounds(cachedRounds, writer, keys, next: &next)
            try check(writer)
            let accepted = times.reduce(.zero, +)
            report(
                "rrdcached, BATCH",
                "\(files) files × \(cachedRounds) rounds: \(rate(files, median(times))) updates/s (median round \(milliseconds(median(times))) ms; all \(files * cachedRounds) accepted in \(seconds(accepted)) s, \(writer.statistics.batches) batches)"
            )
            started = clock.now
            try RRDCachedControl(address: rrdcached).flushAll()
            let flushed = started.duration(to: clock.now)
            sync()
            let bytes = (disk.sectorsWritten() - before) * 512
            let samples = Int64(files * cachedRounds)
            report(
                "rrdcached, FLUSHALL",
                "\(cachedRounds) values per file written in \(seconds(flushed)) s; \(bytes / samples) B reached the disk per sample (\(bytes / 1_000_000) MB, journal included)"
            )
            await writer.shutdown()
        }

        // Graphs: a load report of one host, rendered again and again.
        let reader = ArchiveReader(store: store, rrdcached: rrdcached)
        let now = Self.t0 + next * 15
        let host = GraphRequest.Subject.host(try ClusterName("bench"), try HostName("host0"))
        let graph = try GraphArguments(GraphRequest(subject: host, content: .report(.load), range: .last(.hour)), layout: store.layout, now: now) {
            FileManager.default.fileExists(atPath: $0)
        }
        var renders: [Duration] = []
        var bytes = 0
        for _ in 0..<200 {
            started = clock.now
            bytes = try await reader.render(graph).image.count
            renders.append(started.duration(to: clock.now))
        }
        report("graph", "load report 400×100 PNG (\(bytes) B): \(rate(1, median(renders))) renders/s (median \(milliseconds(median(renders))) ms)")
        await reader.shutdown()
    }

    /// `count` rounds of one value per file, back to back; how long each took to be written.
    func timedRounds(_ count: Int, _ writer: ArchiveWriter, _ keys: [ArchiveKey], next: inout Int64) async -> [Duration] {
        let clock = ContinuousClock()
        var times: [Duration] = []
        for _ in 0..<count {
            let batch = samples(keys, step: next)
            next += 1
            let started = clock.now
            writer.submit(batch)
            await writer.drain()
            times.append(started.duration(to: clock.now))
        }
        return times
    }

    func check(_ writer: ArchiveWriter) throws {
        let stats = writer.statistics
        guard stats.failed == 0, stats.dropped == 0 else {
            throw BenchFailure("writer: \(stats.failed) failed, \(stats.dropped) dropped: \(stats.lastError ?? "")")
        }
    }

    func report(_ name: String, _ text: String) {
        emit("archive \(name): \(text)")
    }

}

/// Sectors written to the block device holding a path (`/sys/dev/block/MAJ:MIN/stat`, 7th field).
struct DiskCounter {
    let statFile: String

    init(path: String) {
        var status = stat()
        stat(path, &status)
        let dev = UInt64(status.st_dev)
        let major = ((dev >> 8) & 0xFFF) | ((dev >> 32) & ~0xFFF)
        let minor = (dev & 0xFF) | ((dev >> 12) & ~0xFF)
        statFile = "/sys/dev/block/\(major):\(minor)/stat"
    }

    func sectorsWritten() -> Int64 {
        let fields = ((try? String(contentsOfFile: statFile, encoding: .utf8)) ?? "").split(separator: " ")
        return fields.count > 6 ? Int64(fields[6]) ?? 0 : 0
    }
}

func median(_ values: [Duration]) -> Duration { values.sorted()[values.count / 2] }
func seconds(_ d: Duration) -> String { String(format: "%.2f", Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18) }
func milliseconds(_ d: Duration) -> String { String(format: "%.1f", (Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18) * 1000) }
func rate(_ count: Int, _ d: Duration) -> String {
    let s = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    return s > 0 ? String(Int((Double(count) / s).rounded())) : "∞"
}
