import Foundation
import PlexusCore
import PlexusTestSupport
import Testing

/// plexus-aggregator and a real gmetad 3.7.2 (Debian's gmetad) on loopback, every way round.
/// scripts/test installs gmetad and ganglia-monitor; without them these tests are skipped.
@Suite(.serialized, .enabled(if: Gmetad.enabled, "gmetad or gmond is not installed (scripts/test installs them)"))
struct GmetadInteropTests {
    static let metrics = ["load_one", "cpu_num", "mem_total", "cpu_user", "bytes_in", "proc_total", "os_name"]

    /// Every `.rrd` below `root`, as relative paths.
    static func archives(in root: URL) -> Set<String> {
        let prefix = root.resolvingSymlinksInPath().path + "/"
        return Set(
            (FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? [])
                .filter { $0.pathExtension == "rrd" }.map { String($0.resolvingSymlinksInPath().path.dropFirst(prefix.count)) })
    }

    /// `rrdtool info` without what depends on when and what was written.
    static func geometry(_ file: URL) async -> [String: String]? {
        await RRDTool.info(file)?.filter { key, _ in
            !(key == "filename" || key == "last_update" || key.hasSuffix(".last_ds") || key.hasSuffix(".value")
                || key.hasSuffix(".unknown_sec") || key.hasSuffix(".cur_row") || key.contains(".cdp_prep["))
        }
    }

    @Test func gmondPolledByBothMakesTheSameArchivesAndWePollGmetadBothWays() async throws {
        let folder = try TemporaryFolder("plexus-gmetad")
        let gmondPort = Loopback.freePort()
        let gmond = try LocalProcess(
            Gmond.path,
            [
                "-f", "-c",
                try folder.write(
                    "gmond.conf",
                    Gmond.config(
                        sendTo: [gmondPort], receive: gmondPort, xml: gmondPort, metrics: Self.metrics)
                ).path,
            ],
            log: folder.url.appendingPathComponent("gmond.log"))
        defer { gmond.stop() }
        let gmetad = try Gmetad(folder: folder, name: "gmetad", gridname: "RealGrid", sources: ["Interop": gmondPort])
        defer { gmetad.stop() }
        let ours = try AggregatorProcess(
            folder: folder, name: "ours", gridname: "OurGrid", sources: AggregatorProcessTests.source("Interop", gmondPort, step: 2))
        defer { ours.stop() }

        // Both archive the same gmond: the same files, with the same geometry.
        var theirs: Set<String> = [], mine: Set<String> = []
        let same = await Loopback.eventually(seconds: 40) {
            theirs = Self.archives(in: gmetad.root).filter { !$0.hasPrefix("__SummaryInfo__") }
            mine = Self.archives(in: ours.root).filter { !$0.hasPrefix("__SummaryInfo__") }
            return theirs.count > 10 && theirs == mine && theirs.contains { $0.hasSuffix("/load_one.rrd") && !$0.contains("__") }
        }
        #expect(same, "gmetad: \(theirs.sorted())\nours: \(mine.sorted())\n\(ours.output)")
        for file in theirs.sorted() {
            let a = await Self.geometry(gmetad.root.appendingPathComponent(file)), b = await Self.geometry(ours.root.appendingPathComponent(file))
            #expect(a != nil && a == b, "\(file): gmetad \(a ?? [:]) vs ours \(b ?? [:])")
        }
        // The root summary holds the same metrics (its step is the shortest source step for us;
        // gmetad hard-codes 15 s).
        #expect(
            await Loopback.eventually(seconds: 10) {
                let a = Self.archives(in: ours.root).filter { $0.hasPrefix("__SummaryInfo__") }
                return !a.isEmpty && a == Self.archives(in: gmetad.root).filter { $0.hasPrefix("__SummaryInfo__") }
            })

        // We poll gmetad: scalable keeps its grid's summary, not scalable adopts its cluster.
        let scalable = try AggregatorProcess(
            folder: folder, name: "scalable", gridname: "Top", sources: AggregatorProcessTests.source("real", gmetad.xmlPort, step: 2))
        let adopting = try AggregatorProcess(
            folder: folder, name: "adopting", gridname: "Top", sources: AggregatorProcessTests.source("real", gmetad.xmlPort, step: 2),
            extra: "scalable = false")
        defer {
            scalable.stop()
            adopting.stop()
        }
        let summarized = await Loopback.eventually(seconds: 20) {
            guard let grid = scalable.grid(), case .grid(let child)? = grid.children.first else { return false }
            guard child.name.rawValue == "RealGrid" && child.summary?.hosts.up == 1 else { return false }
            return await RRDTool.lastUpdate(scalable.root.appendingPathComponent("RealGrid/__SummaryInfo__/load_one.rrd")) ?? 0 > 0
        }
        #expect(summarized, "\(scalable.output)")
        let host = try #require(theirs.first { $0.hasPrefix("Interop/") && !$0.contains("__") && $0.hasSuffix("/load_one.rrd") })
        let adopted = await Loopback.eventually(seconds: 20) {
            guard let grid = adopting.grid(), case .cluster(let cluster)? = grid.children.first else { return false }
            guard cluster.name.rawValue == "Interop" && cluster.hosts.count == 1 else { return false }
            return await RRDTool.lastUpdate(adopting.root.appendingPathComponent(host)) ?? 0 > 0
        }
        #expect(adopted, "\(adopting.output)")
        #expect(adopting.rootSummary()?.hosts.up == 1)
    }

    @Test func gmetadPollsOurAggregatorAndOurAgent() async throws {
        let folder = try TemporaryFolder("plexus-gmetad-parent")
        let agent = try AgentProcess(folder: folder, name: "agent", cluster: "AgentCluster", hostname: "plexus-host")
        defer { agent.stop() }
        let ours = try AggregatorProcess(
            folder: folder, name: "ours", gridname: "PlexusGrid", sources: AggregatorProcessTests.source("agents", agent.port, step: 2))
        defer { ours.stop() }
        let gmetad = try Gmetad(
            folder: folder, name: "gmetad", gridname: "Parent",
            sources: ["agent": agent.port, "plexus": ours.xmlPort])
        defer { gmetad.stop() }
        let hostFile = gmetad.root.appendingPathComponent("AgentCluster/plexus-host/load_one.rrd")
        let gridFile = gmetad.root.appendingPathComponent("PlexusGrid/__SummaryInfo__/cpu_num.rrd")
        let written = await Loopback.eventually(seconds: 40) {
            await [hostFile, gridFile].asyncMap { await RRDTool.lastUpdate($0) ?? 0 }.allSatisfy { $0 > 0 }
        }
        #expect(written, "\(Self.archives(in: gmetad.root).sorted())\n\(gmetad.output.suffix(3000))")
        await #expect(RRDTool.info(gridFile)?["ds[num].type"] == "\"GAUGE\"")
        // gmetad's own query port shows our grid, summarized, with our host up.
        let summary = Loopback.request(port: gmetad.queryPort, line: "/?filter=summary").flatMap { GangliaDocument.read($0).document }
        guard case .grid(let parent)? = summary?.items.first else { throw Failure("gmetad served no grid") }
        let child = parent.children.compactMap { child -> Grid? in if case .grid(let g) = child { g } else { nil } }.first
        #expect(child?.name.rawValue == "PlexusGrid" && child?.summary?.hosts.up == 1)
        #expect(child?.authority == "http://ours.test/ganglia/")

        // The operators' CLI reads a real gmetad: its query port and its archives.
        let address = ["--aggregator", "127.0.0.1:\(gmetad.queryPort)"]
        let clusters = try await CLIArchiveTests.plexus(["query", "clusters", "--csv"] + address)
        #expect(clusters.status == 0 && clusters.stdout.contains("\r\nAgentCluster,Parent,1,0,"), "\(clusters.stdout)\(clusters.stderr)")
        let hosts = try await CLIArchiveTests.plexus(["query", "hosts", "AgentCluster"] + address)
        #expect(hosts.status == 0 && hosts.stdout.contains("\nAgentCluster  plexus-host  127.0.0.1  up "), "\(hosts.stdout)\(hosts.stderr)")
        // gmetad zeroes its root summary and sums its sources into it again every few seconds: a
        // query in between sees part of the grid. Asked again until it sees all of it.
        let whole = "{\"grid\":\"Parent\",\"clusters\":1,\"hosts_up\":2,"
        var grid = try await CLIArchiveTests.plexus(["query", "--json"] + address)
        for _ in 0..<40 where !grid.stdout.hasPrefix(whole) {
            try await Task.sleep(for: .milliseconds(250))
            grid = try await CLIArchiveTests.plexus(["query", "--json"] + address)
        }
        #expect(grid.stdout.hasPrefix(whole), "\(grid.stdout)")
        let image = folder.url.appendingPathComponent("gmetad-load.png").path
        let graph = try await CLIArchiveTests.plexus([
            "graph", "--rrd-root", gmetad.root.path, "--host", "plexus-host", "--report", "load",
            "--start", "-10m", "-q", "-o", image,
        ])
        #expect(graph.status == 0, "\(graph.stderr)")
        #expect(try PNGImage([UInt8](Data(contentsOf: URL(fileURLWithPath: image)))).colorCount > 10)
    }
}

extension GmetadInteropTests {
    /// A gmond document (current times) with one host up and one down since 1,000 s.
    static func documentWithADeadHost() -> [UInt8] {
        let now = Int(Date().timeIntervalSince1970)
        func host(_ name: String, tn: Int) -> String {
            """
            <HOST NAME="\(name)" IP="10.0.0.1" REPORTED="\(now - tn)" TN="\(tn)" TMAX="20" DMAX="86400" LOCATION="unspecified" GMOND_STARTED="\(now - 9000)" TAGS="">
            <METRIC NAME="load_one" VAL="0.5" TYPE="float" UNITS=" " TN="\(tn)" TMAX="70" DMAX="0" SLOPE="both" SOURCE="gmond"></METRIC>
            <METRIC NAME="os_name" VAL="Linux" TYPE="string" UNITS="" TN="\(tn)" TMAX="1200" DMAX="0" SLOPE="zero" SOURCE="gmond"></METRIC>
            </HOST>
            """
        }
        return Array(
            """
            <?xml version="1.0" encoding="ISO-8859-1" standalone="yes"?>
            <GANGLIA_XML VERSION="3.7.2" SOURCE="gmond">
            <CLUSTER NAME="c" LOCALTIME="\(now)" OWNER="unspecified" LATLONG="unspecified" URL="unspecified">
            \(host("alive", tn: 5))
            \(host("dead", tn: 1000))
            </CLUSTER>
            </GANGLIA_XML>
            """.utf8)
    }

    /// Issue 14's parity finding: gmetad keeps no METRIC of a host that is down when it is
    /// polled (it serves the host bare and archives nothing of it); neither do we.
    @Test func aHostDownWhenPolledIsServedBareAndNotArchivedByEither() async throws {
        let folder = try TemporaryFolder("plexus-gmetad-dead")
        let source = try await FixedReplyServer(folder: folder, name: "source", reply: Self.documentWithADeadHost())
        defer { source.stop() }
        let gmetad = try Gmetad(folder: folder, name: "gmetad", gridname: "G", sources: ["c": source.port])
        defer { gmetad.stop() }
        let ours = try AggregatorProcess(folder: folder, name: "ours", gridname: "G", sources: AggregatorProcessTests.source("c", source.port, step: 2))
        defer { ours.stop() }
        func hosts(_ port: Int) -> [String: Int]? {
            guard let bytes = Loopback.read(port: port), case .grid(let grid)? = GangliaDocument.read(bytes).document?.items.first,
                case .cluster(let cluster)? = grid.children.first
            else { return nil }
            return Dictionary(uniqueKeysWithValues: cluster.hosts.map { ($0.name.rawValue, $0.metrics.count) })
        }
        var theirs: [String: Int]?, mine: [String: Int]?
        #expect(
            await Loopback.eventually(seconds: 30) {
                theirs = hosts(gmetad.xmlPort)
                mine = hosts(ours.xmlPort)
                return theirs != nil && mine != nil && Self.archives(in: ours.root).contains("c/alive/load_one.rrd")
            }, "gmetad: \(String(describing: theirs)) ours: \(String(describing: mine))")
        #expect(theirs == ["alive": 2, "dead": 0], "what gmetad 3.7.2 does")
        #expect(mine == theirs)
        #expect(!Self.archives(in: ours.root).contains { $0.hasPrefix("c/dead/") } && !Self.archives(in: gmetad.root).contains { $0.hasPrefix("c/dead/") })
    }
}

extension GmetadInteropTests {
    /// A cluster with one counter (`SLOPE="positive"`) and one gauge.
    static func documentWithACounter() -> [UInt8] {
        let now = Int(Date().timeIntervalSince1970)
        return Array(
            """
            <?xml version="1.0" encoding="ISO-8859-1" standalone="yes"?>
            <GANGLIA_XML VERSION="3.7.2" SOURCE="gmond">
            <CLUSTER NAME="c" LOCALTIME="\(now)" OWNER="unspecified" LATLONG="unspecified" URL="unspecified">
            <HOST NAME="web-1" IP="10.0.0.1" REPORTED="\(now - 5)" TN="5" TMAX="20" DMAX="86400" LOCATION="unspecified" GMOND_STARTED="\(now - 9000)" TAGS="">
            <METRIC NAME="requests" VAL="123456" TYPE="uint32" UNITS="req" TN="5" TMAX="60" DMAX="0" SLOPE="positive" SOURCE="gmetric"></METRIC>
            <METRIC NAME="load_one" VAL="0.5" TYPE="float" UNITS=" " TN="5" TMAX="70" DMAX="0" SLOPE="both" SOURCE="gmond"></METRIC>
            </HOST>
            </CLUSTER>
            </GANGLIA_XML>
            """.utf8)
    }

    /// Issue 15's parity finding: the data-source types of a counter's files, side by side. The
    /// host's and the cluster summary's `sum` are COUNTERs on both; the grid summary is all
    /// GAUGE on both (ganglia-web's `graph.php?me=GRID&m=requests` reads that `sum`, so it draws
    /// the same over either tree). gmetad makes the cluster summary's `num` (a host count) a
    /// COUNTER; ganglia-web never draws a counter's `num`, and ours stays a GAUGE, a true count.
    @Test func aCountersArchivesHaveGmetadsTypesWhereGangliaWebReadsThem() async throws {
        let folder = try TemporaryFolder("plexus-gmetad-counter")
        let source = try await FixedReplyServer(folder: folder, name: "source", reply: Self.documentWithACounter())
        defer { source.stop() }
        let gmetad = try Gmetad(folder: folder, name: "gmetad", gridname: "G", sources: ["c": source.port])
        defer { gmetad.stop() }
        let ours = try AggregatorProcess(folder: folder, name: "ours", gridname: "G", sources: AggregatorProcessTests.source("c", source.port, step: 2))
        defer { ours.stop() }
        let files = ["c/web-1/requests.rrd", "c/__SummaryInfo__/requests.rrd", "__SummaryInfo__/requests.rrd"]
        func types(_ root: URL) async -> [String: String] {
            var found: [String: String] = [:]
            for file in files {
                guard let info = await RRDTool.info(root.appendingPathComponent(file)) else { continue }
                for ds in ["sum", "num"] { found["\(file) \(ds)"] = info["ds[\(ds)].type"] }
            }
            return found
        }
        var theirs: [String: String] = [:], mine: [String: String] = [:]
        #expect(
            await Loopback.eventually(seconds: 60) {
                (theirs, mine) = (await types(gmetad.root), await types(ours.root))
                return theirs.count == 5 && mine.count == 5
            }, "gmetad: \(theirs) ours: \(mine)\n\(gmetad.output)")
        #expect(
            theirs == [
                "c/web-1/requests.rrd sum": "\"COUNTER\"", "c/__SummaryInfo__/requests.rrd sum": "\"COUNTER\"",
                "c/__SummaryInfo__/requests.rrd num": "\"COUNTER\"", "__SummaryInfo__/requests.rrd sum": "\"GAUGE\"",
                "__SummaryInfo__/requests.rrd num": "\"GAUGE\"",
            ], "what gmetad 3.7.2 writes")
        var expected = theirs
        expected["c/__SummaryInfo__/requests.rrd num"] = "\"GAUGE\""
        #expect(mine == expected)
    }
}

/// A real gmetad on loopback, with its RRD root in the test's folder.
final class Gmetad: @unchecked Sendable {
    static let path = "/usr/sbin/gmetad"
    static var installed: Bool { FileManager.default.isExecutableFile(atPath: path) && Gmond.installed }
    /// scripts/test sets PLEXUS_REQUIRE_GANGLIA=1: there a missing gmetad is a failure, not a skip.
    static var enabled: Bool { installed || ProcessInfo.processInfo.environment["PLEXUS_REQUIRE_GANGLIA"] == "1" }

    let process: LocalProcess
    let xmlPort = Loopback.freePort()
    let queryPort = Loopback.freePort()
    let root: URL

    init(folder: TemporaryFolder, name: String, gridname: String, sources: [String: Int], step: Int = 2) throws {
        root = folder.url.appendingPathComponent("\(name)-rrds")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let config = try folder.write(
            "\(name).conf",
            """
            \(sources.sorted { $0.key < $1.key }.map { "data_source \"\($0.key)\" \(step) 127.0.0.1:\($0.value)" }.joined(separator: "\n"))
            gridname "\(gridname)"
            authority "http://\(name).test/ganglia/"
            xml_port \(xmlPort)
            interactive_port \(queryPort)
            rrd_rootdir "\(root.path)"
            setuid off
            case_sensitive_hostnames 1
            debug_level 1

            """)
        process = try LocalProcess(Self.path, ["-c", config.path], log: folder.url.appendingPathComponent("\(name).log"))
    }

    func stop() { process.stop(grace: 2) }
    var output: String { process.output }
}
