import Foundation
import PlexusCore
import PlexusTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 18's measure, end to end with the real binaries: an outage of 120 s (the heartbeat of a
/// 15 s archive, so without back-fill every archive of the source carries unknown rows) leaves
/// no unknown row in `rrdtool fetch` at the step's resolution, at most one at its edges.
/// The two outages run side by side (separate suites): about three minutes each.
enum BackfillScenario {
    static let outage: Double = 120
    static let metrics = ["load_one", "cpu_num", "mem_total"]

    /// An agent keeping history, and an aggregator polling it (through `via`, when given: a
    /// port that forwards to the agent's ports and can be cut).
    struct Grid {
        let agent: AgentProcess
        let historyPort: Int
        let folder: TemporaryFolder
    }

    static func agent(_ folder: TemporaryFolder) async throws -> Grid {
        let historyPort = Loopback.freePort()
        let agent = try AgentProcess(
            folder: folder, name: "agent", cluster: "gap", hostname: "node-1", metrics: metrics, historyPort: historyPort)
        #expect(await agent.serving())
        return Grid(agent: agent, historyPort: historyPort, folder: folder)
    }

    static func aggregator(_ folder: TemporaryFolder, xmlPort: Int, historyPort: Int) throws -> AggregatorProcess {
        try AggregatorProcess(
            folder: folder, name: "aggregator", gridname: "G",
            sources: """
                [[data_source]]
                name = "gap"
                hosts = ["127.0.0.1:\(xmlPort)"]
                history_port = \(historyPort)
                step = 15
                """)
    }

    /// The archives the outage must not show in: the host's, the cluster summary's and the
    /// grid's (root) summary's.
    static func files(_ aggregator: AggregatorProcess) -> [URL] {
        metrics.flatMap { metric in
            [
                aggregator.root.appendingPathComponent("gap/node-1/\(metric).rrd"),
                aggregator.root.appendingPathComponent("gap/__SummaryInfo__/\(metric).rrd"),
                aggregator.root.appendingPathComponent("__SummaryInfo__/\(metric).rrd"),
            ]
        }
    }

    /// Waits until every file has been written at least twice; returns the newest last update.
    static func archiving(_ aggregator: AggregatorProcess) async -> Int? {
        await archiving(files(aggregator))
    }

    static func archiving(_ files: [URL]) async -> Int? {
        var first: [URL: Int] = [:]
        let ok = await Loopback.eventually(seconds: 120) {
            // Every file looked at each time (not allSatisfy's first failure): each remembers the
            // first update seen, and all must have moved on from it.
            let moved = await files.asyncMap { file -> Bool in
                guard let last = await RRDTool.lastUpdate(file) else { return false }
                if first[file] == nil { first[file] = last }
                return last > first[file]!
            }
            return moved.allSatisfy { $0 }
        }
        return ok ? await files.asyncMap(RRDTool.lastUpdate).compactMap { $0 }.max() : nil
    }

    /// Each archive's last update, for a failure's message.
    static func describe(_ aggregator: AggregatorProcess) async -> String {
        await files(aggregator).asyncMap { "\($0.path.dropFirst(aggregator.root.path.count)): \(await RRDTool.lastUpdate($0).map(String.init) ?? "none")" }
            .joined(separator: ", ")
    }

    /// `rrdtool fetch FILE AVERAGE -r 15 -s START -e END`: (time, value) rows, nil for nan.
    static func fetch(_ file: URL, start: Int, end: Int) async throws -> [(Int, Double?)] {
        let result = try await runCommand(RRDTool.path, ["fetch", file.path, "AVERAGE", "-r", "15", "-s", "\(start)", "-e", "\(end)"])
        guard result.status == 0 else { throw Failure("rrdtool fetch \(file.path): \(result.output)") }
        return result.output.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let time = Int(parts[0].trimmingCharacters(in: .whitespaces)) else { return nil }
            let text = parts[1].trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init) ?? ""
            return (time, text.lowercased().contains("nan") ? nil : Double(text))
        }
    }

    /// After the aggregator has written past `resumed`: each file's rows from before the outage
    /// (`before`, the last update then) to `resumed` have at most one unknown, and it sits at an
    /// edge. Returns the unknown rows per file, for the benchmark's record.
    static func checkNoHole(_ aggregator: AggregatorProcess, before: Int, resumed: Int) async throws -> [String: Int] {
        try await checkNoHole(files(aggregator), root: aggregator.root, before: before, resumed: resumed)
    }

    static func checkNoHole(_ files: [URL], root: URL, before: Int, resumed: Int) async throws -> [String: Int] {
        var unknowns: [String: Int] = [:]
        for file in files {
            let rows = try await fetch(file, start: before - 30, end: resumed)
            let inside = rows.filter { $0.0 > before && $0.0 <= resumed - 15 }
            let missing = inside.filter { $0.1 == nil }.map(\.0)
            unknowns[String(file.path.dropFirst(root.path.count + 1))] = missing.count
            #expect(inside.count >= Int(outage / 15) - 1, "\(file.path): \(inside.count) rows over the outage")
            #expect(missing.count <= 1, "\(file.path): unknown rows at \(missing) between \(before) and \(resumed)")
            if let only = missing.first {
                #expect(only <= before + 15 || only >= resumed - 30, "\(file.path): an unknown row inside the outage, at \(only)")
            }
        }
        return unknowns
    }

    /// Waits until the source's back-fill has run and polls wrote after it; the time polled after.
    static func backfilled(_ aggregator: AggregatorProcess, source: String = "gap", files: [URL]? = nil) async -> Int? {
        let files = files ?? Self.files(aggregator)
        let done = await Loopback.eventually(seconds: 120) {
            guard let backfill = aggregator.source(source)?["backfill"] as? [String: Any] else { return false }
            return (backfill["values"] as? Int ?? 0) > 0
        }
        guard done, let after = await files.asyncMap(RRDTool.lastUpdate).compactMap({ $0 }).max() else { return nil }
        // Two more polls on top of the back-fill, so the files show the rows up to them.
        let polled = await Loopback.eventually(seconds: 90) {
            await files.asyncMap { await RRDTool.lastUpdate($0) ?? 0 }.allSatisfy { $0 >= after + 30 }
        }
        return polled ? after : nil
    }
}

@Suite(.serialized) struct BackfillRestartTests {
    @Test func anAggregatorKilledFor120SecondsLeavesNoHoleOnceRestarted() async throws {
        let folder = try TemporaryFolder("plexus-backfill-kill")
        let grid = try await BackfillScenario.agent(folder)
        defer { grid.agent.stop() }
        let first = try BackfillScenario.aggregator(folder, xmlPort: grid.agent.port, historyPort: grid.historyPort)
        let archiving = await BackfillScenario.archiving(first)
        let files = archiving == nil ? await BackfillScenario.describe(first) : ""
        let before = try #require(archiving, "\(files)\n\(first.output)")
        kill(first.process.pid, SIGKILL)
        first.process.process.waitUntilExit()
        try await Task.sleep(for: .seconds(BackfillScenario.outage))
        let second = try AggregatorProcess(restarting: first, log: folder.url.appendingPathComponent("aggregator-2.log"))
        defer { second.stop() }
        let resumed = try #require(await BackfillScenario.backfilled(second), "\(second.output)")
        let backfill = try #require(second.source("gap")?["backfill"] as? [String: Any])
        #expect(backfill["requests"] as? Int == 1 && backfill["failures"] as? Int == 0, "\(backfill)")
        let unknowns = try await BackfillScenario.checkNoHole(second, before: before, resumed: resumed)
        print("backfill after SIGKILL: unknown rows \(unknowns), back-fill \(backfill)")
        #expect(second.output.contains("back-filled after an outage"))
    }
}

@Suite(.serialized) struct BackfillNetworkTests {
    @Test func aSourceUnreachableFor120SecondsLeavesNoHole() async throws {
        let folder = try TemporaryFolder("plexus-backfill-net")
        let grid = try await BackfillScenario.agent(folder)
        defer { grid.agent.stop() }
        // The aggregator reaches the agent's two ports only through this cut-able path.
        let cut = folder.url.appendingPathComponent("cut")
        let xml = try await CuttableForward(folder: folder, name: "xml", to: grid.agent.port, cut: cut)
        defer { xml.stop() }
        let history = try await CuttableForward(folder: folder, name: "history", to: grid.historyPort, cut: cut)
        defer { history.stop() }
        let aggregator = try BackfillScenario.aggregator(folder, xmlPort: xml.port, historyPort: history.port)
        defer { aggregator.stop() }
        let archiving = await BackfillScenario.archiving(aggregator)
        let files = archiving == nil ? await BackfillScenario.describe(aggregator) : ""
        let before = try #require(archiving, "\(files)\n\(aggregator.output)")
        FileManager.default.createFile(atPath: cut.path, contents: nil)
        #expect(await Loopback.eventually(seconds: 60) { (aggregator.source("gap")?["pollsFailed"] as? Int ?? 0) > 0 })
        try await Task.sleep(for: .seconds(BackfillScenario.outage))
        try FileManager.default.removeItem(at: cut)
        let resumed = try #require(await BackfillScenario.backfilled(aggregator), "\(aggregator.output)")
        let unknowns = try await BackfillScenario.checkNoHole(aggregator, before: before, resumed: resumed)
        let backfill = try #require(aggregator.source("gap")?["backfill"] as? [String: Any])
        print("backfill after a network outage: unknown rows \(unknowns), back-fill \(backfill)")
        // The agent kept serving its XML to others meanwhile: the outage was the path's.
        #expect(Loopback.read(port: grid.agent.port) != nil)
    }
}

/// A TCP forward on 127.0.0.1 to `to` (python3) that refuses every connection while the file
/// `cut` exists: a source's network gone, the source itself still running.
final class CuttableForward: @unchecked Sendable {
    let process: LocalProcess
    let port: Int

    init(folder: TemporaryFolder, name: String, to target: Int, cut: URL) async throws {
        port = Loopback.freePort()
        let script = """
            import os, socket, sys, threading
            port, target, cut = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(('127.0.0.1', port)); s.listen(64)
            def pipe(a, b):
                try:
                    while True:
                        data = a.recv(65536)
                        if not data: break
                        b.sendall(data)
                except OSError: pass
                try: b.shutdown(socket.SHUT_WR)
                except OSError: pass
            while True:
                c, _ = s.accept()
                if os.path.exists(cut):
                    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b'\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00')
                    c.close(); continue
                try: t = socket.create_connection(('127.0.0.1', target), timeout=5)
                except OSError: c.close(); continue
                t.settimeout(None)
                threading.Thread(target=pipe, args=(c, t), daemon=True).start()
                threading.Thread(target=pipe, args=(t, c), daemon=True).start()
            """
        process = try LocalProcess(
            "/usr/bin/python3", ["-c", script, "\(port)", "\(target)", cut.path], log: folder.url.appendingPathComponent("\(name).log"))
        _ = await Loopback.eventually(seconds: 5) { Loopback.connect(port: self.port).map { close($0) } != nil }
    }

    func stop() { process.stop(grace: 0) }
}

/// A parent aggregator killed for 120 s back-fills its child grid's summary (scalable, the
/// default: the parent archives only the child's summary) from the child's history port.
@Suite(.serialized) struct BackfillFederationTests {
    @Test func aParentKilledFor120SecondsFillsItsChildGridsSummary() async throws {
        let folder = try TemporaryFolder("plexus-backfill-federation")
        let grid = try await BackfillScenario.agent(folder)
        defer { grid.agent.stop() }
        let childHistory = Loopback.freePort()
        let child = try AggregatorProcess(
            folder: folder, name: "child", gridname: "Child",
            sources: "[[data_source]]\nname = \"gap\"\nstep = 15\nhosts = [\"127.0.0.1:\(grid.agent.port)\"]\nhistory_port = \(grid.historyPort)\n",
            extra: "history_port = \(childHistory)")
        defer { child.stop() }
        let parent = try AggregatorProcess(
            folder: folder, name: "parent", gridname: "Parent",
            sources: "[[data_source]]\nname = \"child\"\nstep = 15\nhosts = [\"127.0.0.1:\(child.xmlPort)\"]\nhistory_port = \(childHistory)\n")
        let files = BackfillScenario.metrics.flatMap { metric in
            [
                parent.root.appendingPathComponent("Child/__SummaryInfo__/\(metric).rrd"),
                parent.root.appendingPathComponent("__SummaryInfo__/\(metric).rrd"),
            ]
        }
        let before = try #require(await BackfillScenario.archiving(files), "\(parent.output)")
        kill(parent.process.pid, SIGKILL)
        parent.process.process.waitUntilExit()
        try await Task.sleep(for: .seconds(BackfillScenario.outage))
        let second = try AggregatorProcess(restarting: parent, log: folder.url.appendingPathComponent("parent-2.log"))
        defer { second.stop() }
        let resumed = try #require(await BackfillScenario.backfilled(second, source: "child", files: files), "\(second.output)")
        let unknowns = try await BackfillScenario.checkNoHole(files, root: second.root, before: before, resumed: resumed)
        print("backfill of a child grid's summary: unknown rows \(unknowns), back-fill \(second.source("child")?["backfill"] ?? "?")")
    }
}
