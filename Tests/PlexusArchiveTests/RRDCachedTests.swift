import Foundation
import PlexusCore
import PlexusTestSupport
import Testing

@testable import PlexusArchive

/// Updates through a real rrdcached (started here on a unix socket in a temp dir, stopped by PID):
/// batches, FLUSH before reads, escaping, reconnection and the documented fallback.
@Suite(.serialized, .enabled(if: RRDCachedDaemon.isInstalled)) struct RRDCachedTests {
    static let t0: Int64 = 1_795_543_200
    let geometry = ArchiveGeometry(step: 15)

    static func samples(hosts: [String], values: Int, from start: Int = 0) -> [ArchiveSample] {
        (start..<start + values).flatMap { i in
            hosts.map { ArchiveSample(key: .host("c", $0, "load_one"), geometry: ArchiveGeometry(step: 15), time: t0 + Int64(i) * 15, value: Double(i)) }
        }
    }

    @Test func updatesGoThroughTheDaemonAndReadsFlushFirst() async throws {
        let root = try TemporaryDirectory(prefix: "plexus-cached")
        defer { root.remove() }
        let daemon = try RRDCachedDaemon(baseDirectory: root.path)
        defer {
            daemon.stop(signal: SIGKILL)
            daemon.directory.remove()
        }
        let address = try #require(RRDCachedAddress(daemon.address))
        let store = ArchiveStore(layout: RRDLayout(root: root.path))
        let writer = ArchiveWriter(store: store, configuration: .init(rrdcached: address))
        let hosts = (0..<50).map { "h\($0)" } + ["spaced name", "back\\slash"]
        writer.submit(Self.samples(hosts: hosts, values: 20))
        await writer.shutdown()
        let stats = writer.statistics
        #expect(stats.viaRRDCached == 52 * 20 && stats.written == 52 * 20 && stats.failed == 0, "\(stats.lastError ?? "")")
        #expect(stats.updateCalls == 0 && stats.batches >= 1 && stats.filesCreated == 52)
        #expect(try daemon.stats()["UpdatesReceived"] == 52)  // one UPDATE line per file, all values in it

        // On disk the files are still as created: the daemon holds the values.
        let path = root.appending("c/spaced name/load_one.rrd")
        #expect(try await rrdtoolInfo(path)["last_update"] == "\(Self.t0 - 1)")
        // A read through the reader flushes first and sees everything.
        let reader = ArchiveReader(store: store, rrdcached: address)
        defer { Task { await reader.shutdown() } }
        let series = try await reader.fetch(.host("c", "spaced name", "load_one"), start: Self.t0, end: Self.t0 + 19 * 15)
        #expect(series.points(column: 0).filter { !$0.value.isNaN }.map(\.value) == (1..<20).map(Double.init))
        #expect(try await rrdtoolInfo(path)["last_update"] == "\(Self.t0 + 19 * 15)")
        let graph = try await reader.render(
            try GraphArguments(
                GraphRequest(
                    subject: .host(try ClusterName("c"), try HostName("back\\slash")), content: .metric(try MetricName("load_one")),
                    range: .between(start: Self.t0, end: Self.t0 + 300)),
                layout: store.layout, now: 0, exists: { FileManager.default.fileExists(atPath: $0) }))
        #expect(try PNGImage(graph.image).colorCount > 10)
        #expect(try await rrdtoolInfo(root.appending("c/back\\slash/load_one.rrd"))["last_update"] == "\(Self.t0 + 19 * 15)")
    }

    @Test func batchErrorsBelongToTheirCommand() throws {
        let root = try TemporaryDirectory(prefix: "plexus-cached")
        defer { root.remove() }
        let daemon = try RRDCachedDaemon(baseDirectory: root.path)
        defer {
            daemon.stop(signal: SIGKILL)
            daemon.directory.remove()
        }
        let good = root.appending("good.rrd")
        try LibRRD().create(path: good, step: 15, start: Self.t0, definitions: ["DS:sum:GAUGE:120:U:U", "RRA:AVERAGE:0.5:1:10"])
        let client = RRDCachedClient(address: try #require(RRDCachedAddress(daemon.address)))
        let errors = try client.batch([
            (good, ["\(Self.t0 + 15):1"]), (root.appending("missing.rrd"), ["\(Self.t0 + 15):1"]),
            (good, ["\(Self.t0 + 15):2"]), (good, ["\(Self.t0 + 30):3"]),
        ])
        #expect(errors.map(\.index) == [1, 2])
        #expect(errors[1].message.contains("illegal attempt to update"))
        try client.flush(good)
        #expect(try LibRRD().lastUpdate(path: good) == RRDLastUpdate(time: Self.t0 + 30, values: ["sum": "3"]))
        // Outside the daemon's base directory (-B) is refused, and the connection stays usable.
        #expect(throws: RRDError.self) { try client.command(["UPDATE", "/tmp/elsewhere.rrd", "1:1"]) }
        #expect(try client.command(["PING"]).message == "PONG")
    }

    @Test func anUnreachableDaemonFallsBackToDirectWritesAfterTheDelay() async throws {
        let root = try TemporaryDirectory(prefix: "plexus-cached")
        defer { root.remove() }
        let nowhere = try #require(RRDCachedAddress("unix:" + root.appending("no.sock")))
        let writer = ArchiveWriter(
            store: ArchiveStore(layout: RRDLayout(root: root.path)),
            configuration: .init(rrdcached: nowhere, rrdcachedFallbackAfter: .milliseconds(300)))
        let clock = ContinuousClock()
        let started = clock.now
        writer.submit(Self.samples(hosts: ["a", "b"], values: 10))
        await writer.drain()
        #expect(started.duration(to: clock.now) >= .milliseconds(300))
        let stats = writer.statistics
        #expect(stats.fallback == 20 && stats.written == 20 && stats.viaRRDCached == 0 && stats.connectionFailures >= 1)
        #expect(stats.lastError?.contains("no.sock") == true)
        await writer.shutdown()
        #expect(try LibRRD().lastUpdate(path: root.appending("c/a/load_one.rrd")).time == Self.t0 + 9 * 15)
    }

    /// Holds within 20 s of waiting, checked every 10 ms (PlexusTestSupport's `eventually`).
    static func eventually(_ condition: () async -> Bool) async -> Bool {
        await PlexusTestSupport.eventually(seconds: 20, every: .milliseconds(10), condition)
    }

    @Test func withoutFallbackSamplesWaitAndFollowTheDaemonWhenItComes() async throws {
        let root = try TemporaryDirectory(prefix: "plexus-cached")
        defer { root.remove() }
        let sockets = try TemporaryDirectory(prefix: "plexus-cached-sock")
        let address = try #require(RRDCachedAddress("unix:" + sockets.appending("rrdcached.sock")))
        let writer = ArchiveWriter(
            store: ArchiveStore(layout: RRDLayout(root: root.path)),
            configuration: .init(rrdcached: address, rrdcachedFallbackAfter: nil))
        writer.submit(Self.samples(hosts: ["a"], values: 10))
        // The writer tries, fails and tries again: the samples wait.
        #expect(await Self.eventually { writer.statistics.connectionFailures >= 2 })
        #expect(writer.statistics.written == 0 && writer.statistics.queued == 10)
        let daemon = try RRDCachedDaemon(baseDirectory: root.path, socketDirectory: sockets)
        defer {
            daemon.stop(signal: SIGKILL)
            daemon.directory.remove()
        }
        await writer.drain()
        #expect(writer.statistics.viaRRDCached == 10 && writer.statistics.fallback == 0)

        // The daemon dies and comes back: the writer reconnects and goes on.
        daemon.stop(signal: SIGKILL)
        let failures = writer.statistics.connectionFailures
        writer.submit(Self.samples(hosts: ["a"], values: 5, from: 10))
        #expect(await Self.eventually { writer.statistics.connectionFailures > failures }, "the writer found the daemon gone")
        try daemon.start()
        await writer.drain()
        let stats = writer.statistics
        #expect(stats.viaRRDCached + stats.stale == 15 && stats.failed == 0, "\(stats)")
        #expect(stats.connectionFailures >= 2)
        await writer.shutdown()
        // Nothing was lost: the killed daemon replays its journal on start. (The reader flushes
        // first and retries while rrdcached holds the file's lock.)
        try daemon.control.flushAll()
        let reader = ArchiveReader(store: ArchiveStore(layout: RRDLayout(root: root.path)), rrdcached: address)
        #expect(try await reader.lastUpdate(.host("c", "a", "load_one")).time == Self.t0 + 14 * 15)
        await reader.shutdown()
    }

    @Test func addressesParseLikeRRDCachedAndGmetad() {
        #expect(RRDCachedAddress("unix:/run/rrdcached.sock") == .unix(path: "/run/rrdcached.sock"))
        #expect(RRDCachedAddress("/run/rrdcached.sock") == .unix(path: "/run/rrdcached.sock"))
        #expect(RRDCachedAddress("127.0.0.1:42217") == .tcp(host: "127.0.0.1", port: 42217))
        #expect(RRDCachedAddress("cache.example") == .tcp(host: "cache.example", port: 42217))
        #expect(RRDCachedAddress("[::1]:9000") == .tcp(host: "::1", port: 9000))
        #expect(RRDCachedAddress("[::1]")?.description == "[::1]:42217")
        #expect(RRDCachedAddress("::1:80") == .tcp(host: "::1:80", port: 42217))  // a bare IPv6 address takes the default port
        for bad in ["", "unix:", "unix:relative", "host:99999", "host:x", "[::1", "a b:1"] {
            #expect(RRDCachedAddress(bad) == nil, "\(bad)")
        }
        #expect(RRDCachedClient.escape("a b\\c") == "a\\ b\\\\c")
    }
}
