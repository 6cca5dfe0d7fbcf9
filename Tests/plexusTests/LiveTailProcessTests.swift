import Foundation
import PlexusCore
import PlexusTestSupport
import Testing

/// Issue 18's live tail, end to end: rrdcached holding writes for 30 minutes (`-w 1800`), a
/// series and a graph asked 20 s after a poll show that poll's value, and the file on disk
/// still doesn't have it (no FLUSH was needed).
@Suite(.serialized) struct LiveTailProcessTests {
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/rrdcached")))
    func aGraphTwentySecondsAfterAPollShowsItWhileRRDCachedHoldsTheWrites() async throws {
        let folder = try TemporaryFolder("plexus-live-tail")
        let root = folder.url.appendingPathComponent("aggregator-rrds")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let cached = try RRDCachedProcess(folder: folder, root: root, writeDelay: 1800, flushEvery: 3600)
        defer { cached.stop() }
        #expect(await cached.ready())
        let socket = cached.socket
        let agent = try AgentProcess(folder: folder, name: "agent", cluster: "web", hostname: "web-1", metrics: ["cpu_num", "load_one"])
        defer { agent.stop() }
        let httpPort = Loopback.freePort()
        let aggregator = try AggregatorProcess(
            folder: folder, name: "aggregator", gridname: "G",
            sources: "[[data_source]]\nname = \"web\"\nstep = 15\nhosts = [\"127.0.0.1:\(agent.port)\"]\n",
            extra: "rrdcached_address = \"unix:\(socket)\"", httpPort: httpPort)
        defer { aggregator.stop() }
        let file = root.appendingPathComponent("web/web-1/cpu_num.rrd")
        // Polls archived (through rrdcached, which holds them): the file exists, and one more poll.
        try #require(await Loopback.eventually(seconds: 60) { FileManager.default.fileExists(atPath: file.path) }, "\(aggregator.output)")
        let created = aggregator.source("web")?["pollsOK"] as? Int ?? 0
        try #require(await Loopback.eventually(seconds: 60) { (aggregator.source("web")?["pollsOK"] as? Int ?? 0) > created })
        let pollTime = try #require(aggregator.source("web")?["lastPolled"] as? Int)
        // cpu_num never changes, so the value polled is the processor count.
        let cpus = ProcessInfo.processInfo.processorCount
        try await Task.sleep(for: .seconds(20))
        let onDisk = try #require(await RRDTool.lastUpdate(file))
        #expect(onDisk < pollTime, "rrdcached holds the writes (the file ends at its creation, \(onDisk))")
        let base = "http://127.0.0.1:\(httpPort)"
        let series = await HTTP.get("\(base)/api/v1/series?cluster=web&host=web-1&metric=cpu_num&start=-10min&step=15")
        #expect(series.status == 200, "\(series.body)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(series.body.utf8)) as? [String: Any])
        let rows = (json["rows"] as? [[String: Any]] ?? []).filter { $0["cpu_num"] is NSNumber }
        let newest = try #require(rows.last, "no value in \(series.body)")
        #expect((newest["time"] as? Int ?? 0) >= pollTime - 15, "the newest row holds the poll of 20 s ago: \(newest), polled at \(pollTime)")
        #expect((newest["cpu_num"] as? NSNumber)?.doubleValue == Double(cpus), "the polled value \(cpus): \(newest)")
        let graph = await HTTP.get("\(base)/graph.png?cluster=web&host=web-1&metric=cpu_num&range=hour")
        #expect(graph.status == 200 && graph.body.prefix(8).contains("PNG"))
        await #expect((RRDTool.lastUpdate(file) ?? 0) == onDisk, "and no FLUSH was needed to draw them")
        let tail = try #require((aggregator.status()?["archive"] as? [String: Any])?["liveTail"] as? [String: Any])
        #expect((tail["series"] as? Int ?? 0) >= 4 && (tail["bytes"] as? Int ?? 0) > 0, "\(tail)")
    }

    /// A federated aggregator serves its own history (its live tail's host series) as agents do,
    /// so a parent back-fills from it.
    @Test func anAggregatorServesItsLiveTailAsHistory() async throws {
        let folder = try TemporaryFolder("plexus-child-history")
        let agent = try AgentProcess(folder: folder, name: "agent", cluster: "web", hostname: "web-1", metrics: ["cpu_num", "load_one"])
        defer { agent.stop() }
        let historyPort = Loopback.freePort()
        let child = try AggregatorProcess(
            folder: folder, name: "child", gridname: "Child",
            sources: "[[data_source]]\nname = \"web\"\nstep = 1\nhosts = [\"127.0.0.1:\(agent.port)\"]\n",
            extra: "history_port = \(historyPort)")
        defer { child.stop() }
        let key = HistoryKey(cluster: "web", host: "web-1", metric: "load_one")
        // The grid's own summary, for a parent that keeps this grid as a summary (scalable).
        let root = HistoryKey(cluster: "Child", host: HistoryKey.summaryHost, metric: "load_one")
        var reply = HistoryText.Reply(now: 0, series: [:])
        // Until two polls of web-1 are in the tail (the agent's first values take a second or two).
        try #require(
            await Loopback.eventually(seconds: 60) {
                guard let bytes = Loopback.request(port: historyPort, line: HistoryText.request(from: 0)),
                    let decoded = try? HistoryText.decode(Substring(String(decoding: bytes, as: UTF8.self)))
                else { return false }
                reply = decoded
                return (decoded.series[key]?.count ?? 0) >= 2 && decoded.series[root] != nil
            }, "\(reply.series.keys) \(child.output)")
        let load = try #require(reply.series[key])
        #expect(zip(load, load.dropFirst()).allSatisfy { $0.time < $1.time })
        #expect(reply.series[HistoryKey(cluster: "Child", host: HistoryKey.summaryCountHost, metric: "load_one")] != nil)
        #expect(!reply.series.keys.contains { $0.cluster == "web" && $0.host.hasPrefix("__") }, "no cluster summaries: a parent sums hosts itself")
        let refused = try #require(Loopback.request(port: historyPort, line: "GET / HTTP/1.0"))
        #expect(String(decoding: refused, as: UTF8.self).hasPrefix("PLEXUS-HISTORY-ERROR "))
    }
}
