import Foundation
import PlexusCore
import PlexusTestSupport
import Testing

/// plexus-aggregator as a real process, polling real plexus-agent processes on loopback.
@Suite(.serialized)
struct AggregatorProcessTests {
    static func int(_ value: Any?) -> Int { (value as? Int) ?? (value as? NSNumber)?.intValue ?? -1 }

    /// A `[[data_source]]` polling 127.0.0.1:`port` every `step` seconds.
    static func source(_ name: String, _ port: Int, step: Int = 1) -> String {
        "[[data_source]]\nname = \"\(name)\"\nstep = \(step)\nhosts = [\"127.0.0.1:\(port)\"]\n"
    }

    @Test func pollsAnAgentArchivesInGmetadsLayoutAndServesTheGrid() async throws {
        let folder = try TemporaryFolder("plexus-aggregator")
        let agent = try AgentProcess(folder: folder, name: "agent", cluster: "web", hostname: "web-1")
        defer { agent.stop() }
        let aggregator = try AggregatorProcess(folder: folder, name: "aggregator", gridname: "Grid1", sources: Self.source("web", agent.port))
        defer { aggregator.stop() }
        let hostFile = aggregator.root.appendingPathComponent("web/web-1/load_one.rrd")
        let clusterFile = aggregator.root.appendingPathComponent("web/__SummaryInfo__/cpu_num.rrd")
        let rootFile = aggregator.root.appendingPathComponent("__SummaryInfo__/cpu_num.rrd")
        let written = await Loopback.eventually(seconds: 30) {
            await [hostFile, clusterFile, rootFile].asyncMap { await RRDTool.lastUpdate($0) ?? 0 }.allSatisfy { $0 > 0 }
        }
        try #require(written, "no archives:\n\(aggregator.output)")
        // gmetad's geometry: the source's step, heartbeat 8×step, DS sum (+ num for summaries).
        let host = try #require(await RRDTool.info(hostFile))
        #expect(host["step"] == "1" && host["ds[sum].minimal_heartbeat"] == "8" && host["ds[sum].type"] == "\"GAUGE\"")
        #expect(host["ds[num].type"] == nil && host["rra[0].rows"] == "5856")
        await #expect(RRDTool.info(clusterFile)?["ds[num].type"] == "\"GAUGE\"")
        // Strings are not archived.
        #expect(!FileManager.default.fileExists(atPath: aggregator.root.appendingPathComponent("web/web-1/os_name.rrd").path))
        // Host archives keep moving.
        let first = await RRDTool.lastUpdate(hostFile) ?? 0
        #expect(await Loopback.eventually(seconds: 10) { await RRDTool.lastUpdate(hostFile) ?? 0 > first })

        // XML port: gmetad's dialect, valid against the DTD.
        let xml = try #require(Loopback.read(port: aggregator.xmlPort))
        let (valid, lint) = try await runCommand("/usr/bin/xmllint", ["--valid", "--noout", "-"], input: xml)
        #expect(valid == 0, "\(lint)")
        let grid = try #require(GangliaDocument.read(xml).document)
        #expect(grid.source == .gmetad)
        guard case .grid(let g) = grid.items.first, case .cluster(let cluster) = g.children.first else { throw Failure("shape") }
        #expect(g.name.rawValue == "Grid1" && g.authority == "http://aggregator.test/ganglia/")
        #expect(cluster.name.rawValue == "web" && cluster.hosts.map(\.name.rawValue) == ["web-1"])

        // Interactive port: paths, summary filter, HTTP form, status.
        let metric = try #require(aggregator.document("/web/web-1/load_one"))
        guard case .grid(let mg) = metric.items.first, case .cluster(let mc) = mg.children.first else { throw Failure("shape") }
        #expect(mc.hosts.first?.metrics.map(\.name.rawValue) == ["load_one"])
        let summary = try #require(aggregator.rootSummary())
        #expect(summary.hosts.up == 1 && summary.hosts.down == 0)
        #expect(summary.metrics.first { $0.name.rawValue == "cpu_num" }?.sum == Double(ProcessInfo.processInfo.processorCount))
        let http = try #require(aggregator.query("GET /web?filter=summary HTTP/1.1"))
        #expect(http.hasPrefix("HTTP/1.0 200 OK\r\n") && http.contains("<HOSTS UP=\"1\" DOWN=\"0\""))
        #expect(aggregator.query("/web;rm -rf") == "", "a refused request gets no reply")
        let status = try #require(aggregator.status())
        #expect(Self.int((status["polls"] as? [String: Any])?["ok"]) >= 2)
        let archive = try #require(status["archive"] as? [String: Any])
        #expect(Self.int(archive["written"]) > 0 && Self.int(archive["failed"]) == 0)
        #expect(Self.int((status["interactive"] as? [String: Any])?["rejected"]) == 1)
    }

    @Test func aDeadFirstAgentFailsOverToTheSecondWithinOnePoll() async throws {
        let folder = try TemporaryFolder("plexus-failover")
        let (portA, portB) = (Loopback.freePort(), Loopback.freePort())
        // Two agents of one cluster that hear each other: either can serve the whole cluster.
        let a = try AgentProcess(folder: folder, name: "agent-a", cluster: "db", hostname: "db-a", ip: "127.0.0.11", port: portA, alsoTo: [portB])
        let b = try AgentProcess(folder: folder, name: "agent-b", cluster: "db", hostname: "db-b", ip: "127.0.0.12", port: portB, alsoTo: [portA])
        defer {
            a.stop()
            b.stop()
        }
        // Both must answer from the first poll on: a first poll that finds A not yet listening
        // rightly stays with B, the address that answered.
        let aUp = await a.serving(), bUp = await b.serving()
        try #require(aUp && bUp)
        let aggregator = try AggregatorProcess(
            folder: folder, name: "aggregator", gridname: "G",
            sources: """
                [[data_source]]
                name = "db"
                step = 1
                hosts = ["127.0.0.1:\(portA)", "127.0.0.1:\(portB)"]
                """)
        defer { aggregator.stop() }
        let fileB = aggregator.root.appendingPathComponent("db/db-b/load_one.rrd")
        try #require(
            await Loopback.eventually(seconds: 30) {
                await RRDTool.lastUpdate(fileB) ?? 0 > 0 && aggregator.source("db")?["lastEndpoint"] as? String == "127.0.0.1:\(portA)"
            }, "\(aggregator.output)")
        let before = try #require(aggregator.source("db"))
        a.process.stop(grace: 0)
        // The next poll finds the first address refusing and takes the second.
        let switched = await Loopback.eventually(seconds: 5) { aggregator.source("db")?["lastEndpoint"] as? String == "127.0.0.1:\(portB)" }
        #expect(switched, "\(aggregator.output)")
        let after = try #require(aggregator.source("db"))
        #expect(Self.int(after["pollsFailed"]) == Self.int(before["pollsFailed"]), "no poll failed")
        #expect(after["alive"] as? Bool == true)
        let last = await RRDTool.lastUpdate(fileB) ?? 0
        #expect(await Loopback.eventually(seconds: 10) { await RRDTool.lastUpdate(fileB) ?? 0 > last }, "data keeps flowing from the second agent")
        // With both gone the source is dead: failed polls, out of the root summary.
        b.process.stop(grace: 0)
        #expect(await Loopback.eventually(seconds: 10) { aggregator.source("db")?["alive"] as? Bool == false })
        #expect(await Loopback.eventually(seconds: 5) { aggregator.rootSummary()?.hosts.up == 0 })
    }
}

extension AggregatorProcessTests {
    /// A gmond-style document with `hosts` hosts, fixed in time (every poll repeats LOCALTIME).
    static func staticDocument(cluster: String, hosts: Int) throws -> String {
        let now = Int64(Date().timeIntervalSince1970)
        let document = GangliaDocument(
            source: .gmond,
            items: [
                .cluster(
                    Cluster(
                        name: try ClusterName(cluster), localtime: now,
                        hosts: try (1...hosts).map { i in
                            PlexusCore.Host(
                                name: try HostName("h\(i)"), ip: "10.9.0.\(i)", reported: now, tn: 0, tmax: 3600, dmax: 0,
                                metrics: [
                                    Metric(name: try MetricName("load_one"), value: "\(i).5", type: .float, tn: 0, tmax: 3600)
                                ])
                        }))
            ])
        var bytes: [UInt8] = []
        GangliaXMLWriter(dialect: .gmond).write(document, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func brokenSourcesCostOnlyThemselvesAndAreCountedAndLoggedOnce() async throws {
        let folder = try TemporaryFolder("plexus-faults")
        let agent = try AgentProcess(folder: folder, name: "agent", cluster: "good", hostname: "good-1")
        defer { agent.stop() }
        let whole = try Self.staticDocument(cluster: "cut", hosts: 3)
        // Cut inside the third host: the first two are complete.
        let cut = try await FixedReplyServer(folder: folder, name: "cut", reply: Array(whole[..<whole.range(of: "<HOST NAME=\"h3\"")!.upperBound].utf8))
        let badHost = try await FixedReplyServer(
            folder: folder, name: "badhost",
            reply: Array(
                try Self.staticDocument(cluster: "badhost", hosts: 3).replacingOccurrences(
                    of: "<HOST NAME=\"h2\" IP=\"10.9.0.2\"", with: "<HOST NAME=\"h2\" IP=\"10.9.0.2\" TN=\"-\""
                ).utf8))
        let junk = try await FixedReplyServer(folder: folder, name: "junk", reply: Array("SSH-2.0-OpenSSH_9.2\r\n".utf8))
        defer {
            cut.stop()
            badHost.stop()
            junk.stop()
        }
        let aggregator = try AggregatorProcess(
            folder: folder, name: "aggregator", gridname: "G",
            sources: Self.source("good", agent.port) + Self.source("cut", cut.port)
                + Self.source("badhost", badHost.port) + Self.source("junk", junk.port))
        defer { aggregator.stop() }
        let good = aggregator.root.appendingPathComponent("good/good-1/load_one.rrd")
        try #require(
            await Loopback.eventually(seconds: 30) { await RRDTool.lastUpdate(good) ?? 0 > 0 && Self.int(aggregator.source("cut")?["pollsOK"]) >= 3 },
            "\(aggregator.output)")
        let last = await RRDTool.lastUpdate(good) ?? 0
        #expect(await Loopback.eventually(seconds: 10) { await RRDTool.lastUpdate(good) ?? 0 > last }, "the good source keeps flowing")

        // The cut document delivered its complete hosts, and is counted as truncated.
        let cutStatus = try #require(aggregator.source("cut"))
        #expect(cutStatus["alive"] as? Bool == true && Self.int(cutStatus["truncated"]) >= 3 && Self.int(cutStatus["hosts"]) == 2)
        guard case .grid(let grid)? = aggregator.document("/cut")?.items.first, case .cluster(let cluster)? = grid.children.first else {
            throw Failure("no cut cluster")
        }
        #expect(cluster.hosts.map(\.name.rawValue) == ["h1", "h2"])
        // One malformed host costs only itself.
        let bad = try #require(aggregator.source("badhost"))
        #expect(Self.int(bad["hosts"]) == 2 && Self.int(bad["malformed"]) >= 3)
        #expect(FileManager.default.fileExists(atPath: aggregator.root.appendingPathComponent("badhost/h3/load_one.rrd").path))
        #expect(!FileManager.default.fileExists(atPath: aggregator.root.appendingPathComponent("badhost/h2").path))
        // Something that isn't Ganglia XML: the source is dead, the rest unaffected.
        let junkStatus = try #require(aggregator.source("junk"))
        #expect(junkStatus["alive"] as? Bool == false && Self.int(junkStatus["pollsFailed"]) >= 3)
        #expect(aggregator.rootSummary()?.hosts.up == 5)
        // Repeated LOCALTIMEs are skipped as stale, never an rrdtool error.
        let archive = try #require(aggregator.status()?["archive"] as? [String: Any])
        #expect(Self.int(archive["failed"]) == 0 && Self.int(archive["stale"]) > 0, "\(archive)")
        // Logged once per interval (a minute), not once per poll.
        let log = aggregator.output
        #expect(log.components(separatedBy: "data dropped since the last report").count - 1 == 2, "\(log)")
        #expect(log.components(separatedBy: "data source dead").count - 1 == 1, "\(log)")
    }

    @Test func killNineLeavesValidArchivesAndARestartResumes() async throws {
        let folder = try TemporaryFolder("plexus-kill9")
        let agent = try AgentProcess(folder: folder, name: "agent", cluster: "web", hostname: "web-1")
        defer { agent.stop() }
        var aggregator = try AggregatorProcess(folder: folder, name: "aggregator", gridname: "G", sources: Self.source("web", agent.port))
        let file = aggregator.root.appendingPathComponent("web/web-1/load_one.rrd")
        try #require(await Loopback.eventually(seconds: 30) { await RRDTool.lastUpdate(file) ?? 0 > 0 }, "\(aggregator.output)")
        // Every archive made (the root summary's come a step after the hosts'), then killed.
        try #require(
            await Loopback.eventually(seconds: 30) {
                (FileManager.default.enumerator(at: aggregator.root, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL }
                    .filter { $0.pathExtension == "rrd" }.count ?? 0) == 9
            }, "\(aggregator.output)")
        kill(aggregator.process.pid, SIGKILL)
        aggregator.process.process.waitUntilExit()
        let files = FileManager.default.enumerator(at: aggregator.root, includingPropertiesForKeys: nil)!.compactMap { $0 as? URL }
            .filter { $0.pathExtension == "rrd" }
        #expect(files.count == 9, "3 host, 3 cluster and 3 root summary archives")
        for file in files {
            await #expect(RRDTool.info(file) != nil, "\(file.path) is not a valid RRD after kill -9")
        }
        let killedAt = await RRDTool.lastUpdate(file) ?? 0
        aggregator = try AggregatorProcess(restarting: aggregator, log: folder.url.appendingPathComponent("aggregator-2.log"))
        defer { aggregator.stop() }
        #expect(await Loopback.eventually(seconds: 15) { await RRDTool.lastUpdate(file) ?? 0 > killedAt }, "\(aggregator.output)")
        #expect(!aggregator.output.contains("error"), "\(aggregator.output)")
    }
}

extension AggregatorProcessTests {
    /// Two clusters of agents → two aggregators → one top aggregator, in both federation modes.
    @Test func aTwoLevelTreeRollsUp() async throws {
        let folder = try TemporaryFolder("plexus-federation")
        let (p1a, p1b) = (Loopback.freePort(), Loopback.freePort())
        let agents = try [
            AgentProcess(folder: folder, name: "agent-1a", cluster: "c1", hostname: "c1-a", ip: "127.0.1.1", port: p1a, alsoTo: [p1b]),
            AgentProcess(folder: folder, name: "agent-1b", cluster: "c1", hostname: "c1-b", ip: "127.0.1.2", port: p1b, alsoTo: [p1a]),
            AgentProcess(folder: folder, name: "agent-2a", cluster: "c2", hostname: "c2-a", ip: "127.0.2.1"),
        ]
        defer { for agent in agents { agent.stop() } }
        let child1 = try AggregatorProcess(
            folder: folder, name: "child1", gridname: "G1",
            sources: "[[data_source]]\nname = \"c1\"\nstep = 1\nhosts = [\"127.0.0.1:\(p1a)\", \"127.0.0.1:\(p1b)\"]\n")
        let child2 = try AggregatorProcess(folder: folder, name: "child2", gridname: "G2", sources: Self.source("c2", agents[2].port))
        defer {
            child1.stop()
            child2.stop()
        }
        let top = try AggregatorProcess(
            folder: folder, name: "top", gridname: "Top",
            sources: Self.source("g1", child1.xmlPort) + Self.source("g2", child2.xmlPort))
        let flat = try AggregatorProcess(
            folder: folder, name: "flat", gridname: "Flat",
            sources: Self.source("g1", child1.xmlPort) + Self.source("g2", child2.xmlPort), extra: "scalable = false")
        defer {
            top.stop()
            flat.stop()
        }

        // Stable metrics (cpu_num, mem_total) let the sums be compared exactly.
        func stable(_ summary: Summary?) -> [String: (Double, Int)] {
            Dictionary(
                uniqueKeysWithValues: (summary?.metrics ?? []).filter { ["cpu_num", "mem_total"].contains($0.name.rawValue) }
                    .map { ($0.name.rawValue, ($0.sum, $0.num)) })
        }
        let cpus = Double(ProcessInfo.processInfo.processorCount)
        let rolledUp = await Loopback.eventually(seconds: 40) {
            let t = stable(top.rootSummary())
            return top.rootSummary()?.hosts.up == 3 && t["cpu_num"]?.0 == 3 * cpus && t["mem_total"]?.1 == 3
        }
        try #require(rolledUp, "\(top.output)\n\(child1.output)")
        let s1 = try #require(child1.rootSummary()), s2 = try #require(child2.rootSummary()), st = try #require(top.rootSummary())
        #expect(s1.hosts.up == 2 && s2.hosts.up == 1 && st.hosts.up == s1.hosts.up + s2.hosts.up && st.hosts.down == 0)
        for name in ["cpu_num", "mem_total"] {
            let a = try #require(stable(s1)[name]), b = try #require(stable(s2)[name]), t = try #require(stable(st)[name])
            #expect(t.0 == a.0 + b.0 && t.1 == a.1 + b.1, "\(name): top \(t) = \(a) + \(b)")
        }

        // Scalable: the children are summarized GRIDs, archived under <grid>/__SummaryInfo__.
        let xml = try #require(Loopback.read(port: top.xmlPort))
        let (valid, lint) = try await runCommand("/usr/bin/xmllint", ["--valid", "--noout", "-"], input: xml)
        #expect(valid == 0, "\(lint)")
        guard case .grid(let grid)? = GangliaDocument.read(xml).document?.items.first else { throw Failure("no grid") }
        let children = grid.children.compactMap { child -> Grid? in if case .grid(let g) = child { g } else { nil } }
        #expect(children.map(\.name.rawValue) == ["G1", "G2"] && children.allSatisfy { $0.summary != nil })
        #expect(children.first?.authority == "http://child1.test/ganglia/")
        let g1File = top.root.appendingPathComponent("G1/__SummaryInfo__/cpu_num.rrd")
        #expect(await Loopback.eventually(seconds: 10) { await RRDTool.lastUpdate(g1File) ?? 0 > 0 })
        await #expect(RRDTool.info(g1File)?["ds[num].type"] == "\"GAUGE\"")
        #expect(!FileManager.default.fileExists(atPath: top.root.appendingPathComponent("c1").path), "no per-host archives in scalable mode")

        // Not scalable: the children's clusters are adopted, with per-host archives.
        let adopted = await Loopback.eventually(seconds: 20) {
            guard let g = flat.grid() else { return false }
            return g.children.compactMap { child -> String? in if case .cluster(let c) = child { c.name.rawValue } else { nil } } == ["c1", "c2"]
        }
        #expect(adopted, "\(flat.output)")
        #expect(await Loopback.eventually(seconds: 10) { await RRDTool.lastUpdate(flat.root.appendingPathComponent("c1/c1-b/load_one.rrd")) ?? 0 > 0 })
        #expect(await Loopback.eventually(seconds: 10) { flat.rootSummary()?.hosts.up == 3 }, "\(flat.status() ?? [:])")
    }
}

extension AggregatorProcessTests {
    /// A `listen` data source: the aggregator hears the cluster's UDP itself, no agent polled.
    @Test func aListenedSourceHearsTheClusterDirectly() async throws {
        let folder = try TemporaryFolder("plexus-listen")
        let udp = Loopback.freePort()
        let aggregator = try AggregatorProcess(
            folder: folder, name: "aggregator", gridname: "G",
            sources: """
                [[data_source]]
                name = "heard"
                step = 1
                [data_source.listen]
                bind = "127.0.0.1"
                port = \(udp)
                allow = ["127.0.0.0/8"]
                """)
        defer { aggregator.stop() }
        let agents = try [
            AgentProcess(folder: folder, name: "agent-1", cluster: "ignored", hostname: "h-1", ip: "127.0.3.1", alsoTo: [udp]),
            AgentProcess(folder: folder, name: "agent-2", cluster: "ignored", hostname: "h-2", ip: "127.0.3.2", alsoTo: [udp]),
        ]
        defer { for agent in agents { agent.stop() } }
        let file = aggregator.root.appendingPathComponent("heard/h-2/load_one.rrd")
        let heard = await Loopback.eventually(seconds: 30) {
            await RRDTool.lastUpdate(file) ?? 0 > 0 && aggregator.rootSummary()?.hosts.up == 2
        }
        #expect(heard, "\(aggregator.output)")
        guard case .grid(let grid)? = aggregator.document("/heard")?.items.first, case .cluster(let cluster)? = grid.children.first else {
            throw Failure("no cluster")
        }
        #expect(cluster.hosts.map(\.name.rawValue).sorted() == ["h-1", "h-2"])
        #expect(cluster.hosts.allSatisfy { $0.metrics.contains { $0.name.rawValue == "cpu_num" } })
        let status = try #require(aggregator.source("heard"))
        #expect(status["kind"] as? String == "listen" && Self.int(status["datagrams"]) > 0 && Self.int(status["datagramsDropped"]) == 0)
    }
}

extension AggregatorProcessTests {
    @Test func gzipRepliesTrustedHostsAndIdleClientsThatNeverBlockPolls() async throws {
        let folder = try TemporaryFolder("plexus-serving")
        let agent = try AgentProcess(folder: folder, name: "agent", cluster: "web", hostname: "web-1", gzip: true)
        defer { agent.stop() }
        let aggregator = try AggregatorProcess(
            folder: folder, name: "aggregator", gridname: "G", sources: Self.source("web", agent.port),
            extra: "trusted_hosts = [\"127.0.0.3/32\", \"2001:db8::/32\"]\nserver_timeout = 1.5")
        defer { aggregator.stop() }
        // The agent answers gzipped (gmond's gzip_output): the poll gunzips it.
        try #require(await Loopback.eventually(seconds: 30) { aggregator.rootSummary()?.hosts.up == 1 }, "\(aggregator.output)")

        // 127.0.0.1 is always trusted, 127.0.0.3 is listed, 127.0.0.2 is not: no answer at all.
        #expect(Loopback.request(port: aggregator.queryPort, line: "/", from: "127.0.0.3")?.isEmpty == false)
        #expect(Loopback.request(port: aggregator.queryPort, line: "/", from: "127.0.0.2") == [])
        #expect(Self.int((aggregator.status()?["interactive"] as? [String: Any])?["refused"]) == 1)

        // Clients that connect and then do nothing hold no poll back, and are cut at the deadline.
        let before = Self.int(aggregator.source("web")?["pollsOK"])
        let idle = (0..<20).compactMap { i in IdleConnection(port: i.isMultiple(of: 2) ? aggregator.queryPort : aggregator.xmlPort) }
        #expect(idle.count == 20)
        // Three more polls, and the silent clients cut (server_timeout), while they are held.
        #expect(
            await Loopback.eventually(seconds: 30) {
                Self.int(aggregator.source("web")?["pollsOK"]) >= before + 3
                    && Self.int((aggregator.status()?["interactive"] as? [String: Any])?["failed"]) >= 10
            })
        let status = try #require(aggregator.status())
        let web = try #require((status["sources"] as? [[String: Any]])?.first)
        #expect(Self.int(web["pollsOK"]) >= before + 3 && Self.int(web["pollsMissed"]) == 0, "\(web)")
        #expect(Self.int((status["interactive"] as? [String: Any])?["failed"]) >= 10, "silent query clients are cut after server_timeout")
        withExtendedLifetime(idle) {}
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/rrdcached")))
    func archivesGoThroughRRDCachedWhenConfigured() async throws {
        let folder = try TemporaryFolder("plexus-cached")
        let root = folder.url.appendingPathComponent("aggregator-rrds")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        // Written out every second, so the files show the updates.
        let cached = try RRDCachedProcess(folder: folder, root: root, writeDelay: 1, flushEvery: 10)
        defer { cached.stop() }
        #expect(await cached.ready())
        let socket = cached.socket
        let agent = try AgentProcess(folder: folder, name: "agent", cluster: "web", hostname: "web-1")
        defer { agent.stop() }
        let aggregator = try AggregatorProcess(
            folder: folder, name: "aggregator", gridname: "G", sources: Self.source("web", agent.port), extra: "rrdcached_address = \"unix:\(socket)\"")
        defer { aggregator.stop() }
        let file = root.appendingPathComponent("web/web-1/load_one.rrd")
        var first = 0
        try #require(
            await Loopback.eventually(seconds: 30) {
                first = await RRDTool.lastUpdate(file) ?? 0
                return first > 0
            }, "\(aggregator.output)\n\(cached.output)")
        #expect(await Loopback.eventually(seconds: 5) { await RRDTool.lastUpdate(file) ?? 0 > first }, "\(aggregator.output)\n\(cached.output)")
        let archive = try #require(aggregator.status()?["archive"] as? [String: Any])
        #expect(Self.int(archive["viaRRDCached"]) > 0 && Self.int(archive["fallback"]) == 0 && Self.int(archive["failed"]) == 0, "\(archive)")
    }
}
