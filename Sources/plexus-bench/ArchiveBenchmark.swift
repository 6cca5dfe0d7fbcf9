import Foundation
import PlexusArchive
import PlexusCore

/// `plexus-bench archive ROOT FILES ROUNDS [RRDCACHED-ADDRESS RRDCACHED-PID]`
///
/// On FILES host archives in gmetad's default geometry (630 760 B each):
/// - creation rate;
/// - direct writes, one value per file per round (gmetad's pattern: one rrd_update per value):
///   updates/s and bytes written per sample, the page cache synced after each round so every
///   round's dirty pages are counted (as when rounds are 15 s apart);
/// - direct writes with 10 values per file per call (what the writer's coalescing gives after a
///   stall);
/// - through rrdcached (when given): updates/s until rrdcached has accepted them, then FLUSHALL
///   and the bytes rrdcached and we wrote, per sample;
/// - graph renders per second (load report of one host, 400×100 PNG).
struct ArchiveBenchmark {
    var root: String
    var files: Int
    var rounds: Int
    var rrdcached: RRDCachedAddress?
    var rrdcachedPID: Int32?

    static let t0: Int64 = 1_795_543_200

    func keys() -> [ArchiveKey] {
        let cluster = try! ClusterName("bench")
        return (0..<files).map { i in ArchiveKey(.host(cluster, try! HostName("host\(i / 30)")), try! MetricName(ArchiveBenchmark.metrics[i % 30])) }
    }

    static let metrics = ["load_one", "load_five", "load_fifteen", "cpu_user", "cpu_system", "cpu_idle", "cpu_nice", "cpu_wio", "cpu_num", "cpu_speed",
                          "mem_total", "mem_free", "mem_cached", "mem_buffers", "mem_shared", "swap_total", "swap_free", "bytes_in", "bytes_out", "pkts_in",
                          "pkts_out", "proc_run", "proc_total", "disk_total", "disk_free", "part_max_used", "boottime", "cpu_aidle", "cpu_steal", "cpu_intr"]

    func samples(_ keys: [ArchiveKey], round: Int64, perFile: Int = 1) -> [ArchiveSample] {
        let geometry = ArchiveGeometry(step: 15)
        return (0..<Int64(perFile)).flatMap { k in
            let time = Self.t0 + (round * Int64(perFile) + k) * 15
            return keys.map { ArchiveSample(key: $0, geometry: geometry, time: time, value: Double(time % 977) / 10) }
        }
    }

    func run() async throws {
        let keys = keys()
        let store = ArchiveStore(layout: RRDLayout(root: root))
        let clock = ContinuousClock()

        // Creation: the first value of every file creates it.
        var writer = ArchiveWriter(store: store)
        var started = clock.now
        writer.submit(samples(keys, round: 0))
        await writer.drain()
        let creation = started.duration(to: clock.now)
        try check(writer)
        report("create", "\(files) files in \(seconds(creation)) s: \(rate(files, creation)) files/s (\(writer.statistics.filesCreated) created)")
        sync()

        // Direct, one value per file per round.
        var times: [Duration] = []
        var written: Int64 = 0
        for round in 1...Int64(rounds) {
            let before = Self.writeBytes(pid: nil)
            started = clock.now
            writer.submit(samples(keys, round: round))
            await writer.drain()
            times.append(started.duration(to: clock.now))
            sync()
            written += Self.writeBytes(pid: nil) - before
        }
        try check(writer)
        report("direct, 1 value per call", "\(files) files × \(rounds) rounds: \(rate(files, median(times))) updates/s (median round \(milliseconds(median(times))) ms, best \(rate(files, times.min()!))/s); \(written / Int64(files * rounds)) B written per sample")

        // Direct, 10 values per file per call.
        times = []
        written = 0
        let coalesced = 10
        let base = Int64(rounds) + 1
        for round in 0..<Int64(max(2, rounds / 4)) {
            let batch = samples(keys, round: 0, perFile: coalesced).map { sample -> ArchiveSample in
                var s = sample
                s.time += (base + round * Int64(coalesced)) * 15
                return s
            }
            let before = Self.writeBytes(pid: nil)
            started = clock.now
            writer.submit(batch)
            await writer.drain()
            times.append(started.duration(to: clock.now))
            sync()
            written += Self.writeBytes(pid: nil) - before
        }
        try check(writer)
        let coalescedRounds = max(2, rounds / 4)
        report("direct, \(coalesced) values per call", "\(rate(files * coalesced, median(times))) updates/s (median \(milliseconds(median(times))) ms for \(files * coalesced)); \(written / Int64(files * coalesced * coalescedRounds)) B written per sample; \(writer.statistics.updateCalls) rrd_update_r calls in all")
        await writer.shutdown()
        var next = base + Int64(coalescedRounds * coalesced)

        if let rrdcached {
            writer = ArchiveWriter(store: store, configuration: .init(rrdcached: rrdcached, rrdcachedFallbackAfter: nil))
            times = []
            let ourBefore = Self.writeBytes(pid: nil), theirBefore = Self.writeBytes(pid: rrdcachedPID)
            let cachedRounds = rounds * 2
            for _ in 0..<cachedRounds {
                let batch = samples(keys, round: next)
                next += 1
                started = clock.now
                writer.submit(batch)
                await writer.drain()
                times.append(started.duration(to: clock.now))
            }
            try check(writer)
            let accepted = times.reduce(.zero, +)
            // Now make rrdcached write it all, and count what reached the disk.
            started = clock.now
            let control = RRDCachedControl(address: rrdcached)
            try control.flushAll()
            let flushed = started.duration(to: clock.now)
            sync()
            let ours = Self.writeBytes(pid: nil) - ourBefore, theirs = Self.writeBytes(pid: rrdcachedPID) - theirBefore
            let samples = Int64(files * cachedRounds)
            report("rrdcached, BATCH", "\(files) files × \(cachedRounds) rounds: \(rate(files, median(times))) updates/s (median round \(milliseconds(median(times))) ms; all \(samples) accepted in \(seconds(accepted)) s, \(writer.statistics.batches) batches)")
            report("rrdcached, FLUSHALL", "\(cachedRounds) values per file written in \(seconds(flushed)) s; \((ours + theirs) / samples) B written per sample (rrdcached \(theirs / samples), plexus \(ours / samples))")
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

    func check(_ writer: ArchiveWriter) throws {
        let stats = writer.statistics
        guard stats.failed == 0, stats.dropped == 0 else { throw BenchFailure("writer: \(stats.failed) failed, \(stats.dropped) dropped: \(stats.lastError ?? "")") }
    }

    func report(_ name: String, _ text: String) {
        emit("archive \(name): \(text)")
    }

    /// `write_bytes` of /proc/PID/io (bytes this process caused to be written to storage).
    static func writeBytes(pid: Int32?) -> Int64 {
        let path = pid.map { "/proc/\($0)/io" } ?? "/proc/self/io"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("write_bytes:") {
            return Int64(line.split(separator: " ").last ?? "0") ?? 0
        }
        return 0
    }
}

func median(_ values: [Duration]) -> Duration { values.sorted()[values.count / 2] }
func seconds(_ d: Duration) -> String { String(format: "%.2f", Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18) }
func milliseconds(_ d: Duration) -> String { String(format: "%.1f", (Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18) * 1000) }
func rate(_ count: Int, _ d: Duration) -> String {
    let s = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    return s > 0 ? String(Int((Double(count) / s).rounded())) : "∞"
}
