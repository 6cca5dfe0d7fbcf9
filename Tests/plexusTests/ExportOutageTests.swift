import Foundation
import PlexusCore
import PlexusTestSupport
import Testing

/// Both receivers away for a minute, then back: what waited in the queues arrives, within each
/// queue's bound, and the polls went on at their step meanwhile.
@Suite struct ExportOutageTests {
    @Test func receiversDownForAMinuteGetWhatWasQueuedAndPollsGoOn() async throws {
        let rig = try await ExportRig.start("plexus-export-outage")
        defer { rig.stop() }
        let (folder, carbon, prometheus, agent) = (rig.folder, rig.carbon, rig.prometheus, rig.agent)
        // Six values a poll (cpu_num and load_one: the host's, the cluster's sum and num, the
        // root's); carbon's queue holds 60 of them, about 20 s of the outage; Prometheus's all.
        let step = 2
        let aggregator = try AggregatorProcess(
            folder: folder, name: "aggregator", gridname: "Ops",
            sources: AggregatorProcessTests.source("web", agent.port, step: step) + """
                [[remote_write]]
                url = "\(prometheus.writeURL)"
                name = "prom"
                batch_send_deadline = 0.5
                max_backoff = 2
                """,
            extra: """
                write_rrds = false
                carbon_server = "127.0.0.1"
                carbon_port = \(carbon.port)
                carbon_queue_capacity = 60
                export_metrics = ["cpu_num", "load_one"]
                """)
        defer { aggregator.stop() }
        let path = "web.web-1.cpu_num"
        try #require(await Loopback.eventually(seconds: 60) { !(await carbon.values(path)).isEmpty }, "\(aggregator.output)")
        try #require(await Loopback.eventually(seconds: 60) { await prometheus.series("cpu_num") != nil }, "\(aggregator.output)")
        let pollsBefore = try #require(Self.pollsOK(aggregator))

        // A minute without either receiver.
        carbon.stop()
        prometheus.stop()
        let down = Int64(Date().timeIntervalSince1970)
        try await Task.sleep(for: .seconds(60))
        let up = Int64(Date().timeIntervalSince1970)
        let pollsDuring = try #require(Self.pollsOK(aggregator)) - pollsBefore
        let exportsDown = ExportProcessTests.exports(aggregator)
        #expect(exportsDown.allSatisfy { $0["up"] as? Bool == false }, "\(exportsDown)")
        try await carbon.start()
        try await prometheus.start()

        // Everything waiting is delivered and both are up again.
        let drained = await Loopback.eventually(seconds: 120) {
            ExportProcessTests.exports(aggregator).allSatisfy { $0["up"] as? Bool == true && $0["queued"] as? Int == 0 }
        }
        #expect(drained, "\(ExportProcessTests.exports(aggregator))\n\(aggregator.output)")
        #expect(aggregator.output.contains("export destination down") && aggregator.output.contains("export destination back"))

        // The polls went on: their step, within a fifth.
        #expect(Double(pollsDuring) >= 0.8 * Double(up - down) / Double(step), "\(pollsDuring) polls in \(up - down) s")

        // Prometheus got every poll of the outage (no gap longer than two steps).
        var times: [Int64] = []
        let complete = await Loopback.eventually(seconds: 60) {
            times = await prometheus.sampleTimes("cpu_num{host=\"web-1\"}[\(up - down + 20)s]", at: up + 10).filter { $0 > down + 3 && $0 < up - 3 }
            return !times.isEmpty && Self.largestGap(times, from: down + 3, to: up - 3) <= Int64(2 * step + 1)
        }
        #expect(complete, "outage \(down)...\(up): \(times)")

        // Carbon got the newest of the outage (its queue held 60 values, about ten polls'):
        // the last seconds are there, the first ones were pushed out and counted as dropped.
        var values: [Int64: Double] = [:]
        let newest = await Loopback.eventually(seconds: 60) {
            values = await carbon.values(path, seconds: 300)
            return values.keys.contains { $0 >= up - 10 && $0 < up }
        }
        #expect(newest, "\(values.keys.sorted())")
        #expect(!values.keys.contains { $0 > down + 3 && $0 < down + 20 }, "the oldest of the outage were dropped: \(values.keys.sorted())")
        let graphite = ExportProcessTests.exports(aggregator).first { $0["kind"] as? String == "graphite" }
        #expect((graphite?["dropped"] as? Int ?? 0) > 0 && (graphite?["retried"] as? Int ?? 0) > 0, "\(String(describing: graphite))")
        let remote = ExportProcessTests.exports(aggregator).first { $0["kind"] as? String == "remote_write" }
        #expect(remote?["dropped"] as? Int == 0, "\(String(describing: remote))")
    }

    static func pollsOK(_ aggregator: AggregatorProcess) -> Int? {
        ((aggregator.status()?["sources"] as? [[String: Any]])?.first)?["pollsOK"] as? Int
    }

    /// The longest stretch in `from...to` without a time of `times`.
    static func largestGap(_ times: [Int64], from: Int64, to: Int64) -> Int64 {
        let points = [from] + times.sorted() + [to]
        return zip(points, points.dropFirst()).map { $1 - $0 }.max() ?? (to - from)
    }
}
