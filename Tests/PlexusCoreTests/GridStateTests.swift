import Foundation
import Testing

@testable import PlexusCore

/// The aggregator's state: what a poll becomes (held hosts, summaries, federation modes), how
/// it ages and expires, and how it is served (compared with real gmetad 3.7.2 captures).
@Suite struct GridStateTests {
    static let t0: Int64 = 1_795_543_700

    static func metric(_ name: String, _ value: String, _ type: MetricType = .float, tn: UInt32 = 5, dmax: UInt32 = 0, units: String = "") throws -> Metric {
        Metric(name: try MetricName(name), value: value, type: type, units: units, tn: tn, tmax: 60, dmax: dmax)
    }

    static func host(_ name: String, tn: UInt32 = 5, dmax: UInt32 = 86400, _ metrics: [Metric]) throws -> PlexusCore.Host {
        Host(name: try HostName(name), ip: "10.0.0.1", reported: t0 - Int64(tn), tn: tn, tmax: 20, dmax: dmax, metrics: metrics)
    }

    static func gmondXML(cluster: String = "web", localtime: Int64 = t0, _ hosts: [PlexusCore.Host]) throws -> [UInt8] {
        var bytes: [UInt8] = []
        let document = GangliaDocument(source: .gmond, items: [.cluster(Cluster(name: try ClusterName(cluster), localtime: localtime, hosts: hosts))])
        GangliaXMLWriter(dialect: .gmond).write(document, into: &bytes)
        return bytes
    }

    static func read(_ bytes: [UInt8], now: Int64 = t0, previous: SourceContent? = nil, options: SourceAssembler.Options = .init()) -> (
        SourceContent, SourceAssembler, XMLReadReport
    ) {
        var reader = SourceAssembler(options: options, now: now)
        let report = GangliaXMLReader.read(bytes) { reader.apply($0) }
        return (reader.finish(previous: previous), reader, report)
    }

    static func sums(_ summary: Summary) -> [String: Double] {
        Dictionary(uniqueKeysWithValues: summary.metrics.map { ($0.name.rawValue, $0.sum) })
    }

    @Test func clusterSummaryCountsUpHostsAndSumsTheirNumericMetrics() throws {
        let bytes = try Self.gmondXML([
            try Self.host("a", [try Self.metric("load_one", "0.50"), try Self.metric("cpu_num", "4", .uint16), try Self.metric("os_name", "Linux", .string)]),
            try Self.host("b", [try Self.metric("load_one", "1.25"), try Self.metric("cpu_num", "8", .uint16)]),
            // Down: TN ≥ 4·TMAX. Counted, not summed.
            try Self.host("c", tn: 80, [try Self.metric("load_one", "9"), try Self.metric("cpu_num", "64", .uint16)]),
            // A metric past its DMAX and a value that isn't a number are left out.
            try Self.host(
                "d", [try Self.metric("load_one", "0.25"), try Self.metric("cpu_num", "x", .uint16), try Self.metric("gone", "5", tn: 100, dmax: 60)]),
        ])
        let (content, _, report) = Self.read(bytes)
        #expect(report.isClean)
        let cluster = try #require(content.clusters.first)
        #expect(cluster.hosts.map(\.host.name.rawValue) == ["a", "b", "c", "d"])
        #expect(cluster.summary.hosts.up == 3 && cluster.summary.hosts.down == 1)
        #expect(Self.sums(cluster.summary) == ["load_one": 2.0, "cpu_num": 12])
        let load = try #require(cluster.summary.metrics.first { $0.name.rawValue == "load_one" })
        #expect(load.num == 3 && load.precision == 2 && load.type == .double)
        #expect(cluster.summary.metrics.first { $0.name.rawValue == "cpu_num" }?.precision == 0)
    }

    @Test func unsummarizedPrefixesAreLeftOutOfEverySummary() throws {
        let bytes = try Self.gmondXML([
            try Self.host("a", [try Self.metric("disk_free", "5"), try Self.metric("disk_total", "9"), try Self.metric("load_one", "1")])
        ])
        let (content, _, _) = Self.read(bytes, options: .init(unsummarized: ["disk_"]))
        #expect(Self.sums(content.clusters[0].summary) == ["load_one": 1])
        var state = GridState(gridname: try GridName("g"), authority: "", sources: ["s"], unsummarized: ["disk_"])
        state.sources[0].content = content
        state.sources[0].alive = true
        #expect(Self.sums(state.rootSummary) == ["load_one": 1])
    }

    @Test func hostsAPollNoLongerListsAgeAndExpireAfterDmax() throws {
        let first = try Self.gmondXML([
            try Self.host("a", [try Self.metric("load_one", "1")]), try Self.host("b", dmax: 100, [try Self.metric("load_one", "2")]),
        ])
        let (one, _, _) = Self.read(first)
        let second = try Self.gmondXML([try Self.host("a", [try Self.metric("load_one", "3")])])
        // 30 s later b is still held, with TN grown by 30 and down (35 ≥ 4·TMAX would need 80: up).
        let (two, _, _) = Self.read(second, now: Self.t0 + 30, previous: one)
        let b = try #require(two.clusters[0].host(named: try HostName("b")))
        #expect(b.tn(at: Self.t0 + 30) == 35)
        #expect(two.clusters[0].summary.hosts.up == 2)
        #expect(Self.sums(two.clusters[0].summary) == ["load_one": 5])
        // 80 s after its last poll b is down; after 100 s (its DMAX) it is gone.
        let (three, _, _) = Self.read(second, now: Self.t0 + 80, previous: two)
        #expect(three.clusters[0].summary.hosts.up == 1 && three.clusters[0].summary.hosts.down == 1)
        let (four, _, _) = Self.read(second, now: Self.t0 + 101, previous: three)
        #expect(four.clusters[0].hosts.map(\.host.name.rawValue) == ["a"])
    }

    @Test func aMalformedHostCostsOnlyItself() throws {
        var text = String(
            decoding: try Self.gmondXML([
                try Self.host("a", [try Self.metric("load_one", "1")]), try Self.host("b", [try Self.metric("load_one", "2")]),
                try Self.host("c", [try Self.metric("load_one", "4")]),
            ]), as: UTF8.self)
        text = text.replacingOccurrences(of: "<HOST NAME=\"b\" IP=\"10.0.0.1\"", with: "<HOST NAME=\"b\" IP=\"10.0.0.1\" REPORTED=\"soon\"")
        let (content, _, report) = Self.read(Array(text.utf8))
        #expect(report.skipped.count == 1)
        #expect(content.clusters[0].hosts.map(\.host.name.rawValue) == ["a", "c"])
        #expect(Self.sums(content.clusters[0].summary) == ["load_one": 5])
    }

    /// A child aggregator's document: two clusters and a summarized grandchild grid.
    static func childGridXML() throws -> [UInt8] {
        let grandchild = Grid(
            name: try GridName("Far"), authority: "http://far/", localtime: t0,
            summary: Summary(
                hosts: HostCounts(up: 5, down: 2), metrics: [MetricSummary(name: try MetricName("load_one"), sum: 10, precision: 2, num: 5)]))
        let child = Grid(
            name: try GridName("Child"), authority: "http://child/", localtime: t0 - 3,
            children: [
                .cluster(Cluster(name: try ClusterName("c1"), localtime: t0, hosts: [try host("a", [try metric("load_one", "1.5")])])),
                .cluster(
                    Cluster(
                        name: try ClusterName("c2"), localtime: t0,
                        hosts: [
                            try host("b", [try metric("load_one", "2.5")]), try host("z", tn: 200, [try metric("load_one", "100")]),
                        ])),
                .grid(grandchild),
            ])
        var bytes: [UInt8] = []
        GangliaXMLWriter(dialect: .gmetad).write(GangliaDocument(source: .gmetad, items: [.grid(child)]), into: &bytes)
        return bytes
    }

    @Test func scalableModeKeepsOnlyTheChildGridsSummary() throws {
        let (content, _, report) = Self.read(try Self.childGridXML(), options: .init(scalable: true))
        #expect(report.isClean)
        #expect(content.clusters.isEmpty)
        let grid = try #require(content.grids.first)
        #expect(content.grids.count == 1 && grid.name.rawValue == "Child" && grid.grid.localtime == Self.t0 - 3)
        #expect(grid.grid.authority == "http://child/")
        #expect(grid.summary.hosts.up == 7 && grid.summary.hosts.down == 3)
        #expect(Self.sums(grid.summary) == ["load_one": 14])
        #expect(grid.summary.metrics[0].num == 7)
    }

    @Test func nonScalableModeAdoptsTheChildsClusters() throws {
        let (content, _, _) = Self.read(try Self.childGridXML(), options: .init(scalable: false))
        #expect(content.clusters.map(\.name.rawValue) == ["c1", "c2"])
        #expect(content.clusters[1].summary.hosts.up == 1 && content.clusters[1].summary.hosts.down == 1)
        #expect(content.grids.map(\.name.rawValue) == ["Far"])
        #expect(content.grids[0].summary.hosts.up == 5)
    }

    @Test func rootSummaryAddsAliveSourcesOnly() throws {
        var state = GridState(gridname: try GridName("Top"), authority: "http://top/", sources: ["one", "two", "dead"])
        state.sources[0].content = Self.read(try Self.gmondXML(cluster: "c1", [try Self.host("a", [try Self.metric("load_one", "1.5")])])).0
        state.sources[1].content = Self.read(try Self.childGridXML()).0
        state.sources[2].content = Self.read(try Self.gmondXML(cluster: "c3", [try Self.host("q", [try Self.metric("load_one", "50")])])).0
        state.sources[0].alive = true
        state.sources[1].alive = true
        let root = state.rootSummary
        #expect(root.hosts.up == 8 && root.hosts.down == 3)
        #expect(Self.sums(root) == ["load_one": 15.5])
        #expect(root.metrics.allSatisfy { $0.extraData.isEmpty })
    }

    @Test func twoSourcesWithOneClusterNameShowTheFirst() throws {
        var state = GridState(gridname: try GridName("g"), authority: "", sources: ["one", "two"])
        state.sources[0].content = Self.read(try Self.gmondXML(cluster: "same", [try Self.host("a", [])])).0
        state.sources[1].content = Self.read(try Self.gmondXML(cluster: "same", [try Self.host("b", [])])).0
        #expect(state.nodes.count == 1)
        #expect(!state.isShadowed("same", inSource: 0) && state.isShadowed("same", inSource: 1))
    }

    // MARK: - Serving, against gmetad's own replies

    /// gmetad 3.7.2's XML port dump, held as our own state (its cluster adopted as polled).
    static func capturedState() throws -> (GridState, now: Int64) {
        let bytes = try Fixtures.bytes("xml/gmetad-xml-8651.xml")
        guard case .grid(let grid) = try #require(GangliaDocument.read(bytes).document?.items.first) else { throw Failure("no grid") }
        let now = try #require(grid.localtime)
        var state = GridState(gridname: grid.name, authority: grid.authority, sources: ["capture"])
        state.sources[0].content = read(bytes, now: now, options: .init(scalable: false)).0
        state.sources[0].alive = true
        return (state, now)
    }

    static func render(_ state: GridState, now: Int64, _ line: String) throws -> String {
        guard case .tree(let path, let summary, let http) = try GridQuery.parse(line) else { throw Failure("not a tree query") }
        var bytes: [UInt8] = []
        GridRenderer(state: state, now: now).render(path: path, summary: summary, http: http, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Blanks the attributes that depend on when a reply was taken.
    static func timeless(_ text: String) -> String {
        text.replacingOccurrences(of: #"(TN|LOCALTIME|REPORTED|VAL|SUM)="[^"]*""#, with: "$1=\"*\"", options: .regularExpression)
    }

    @Test func theWholeGridIsServedAsGmetadServedIt() throws {
        let (state, now) = try Self.capturedState()
        var bytes: [UInt8] = []
        GridRenderer(state: state, now: now).renderTree(into: &bytes)
        #expect(bytes == (try Fixtures.bytes("xml/gmetad-xml-8651.xml")))
    }

    @Test(arguments: [
        ("/CaptureCluster/localhost/load_one", "gmetad-query-cluster-host-metric.xml"),
        ("/CaptureCluster", "gmetad-query-cluster.xml"),
    ])
    func pathQueriesMatchGmetads(line: String, capture: String) throws {
        let (state, now) = try Self.capturedState()
        let ours = try Self.render(state, now: now, line)
        let theirs = String(decoding: try Fixtures.bytes("xml/\(capture)"), as: UTF8.self)
        #expect(Self.timeless(ours) == Self.timeless(theirs))
    }

    @Test func httpQueriesCarryAHeaderAndTheSameDocument() throws {
        let (state, now) = try Self.capturedState()
        let ours = try Self.render(state, now: now, "GET /CaptureCluster/localhost HTTP/1.0")
        let theirs = String(decoding: try Fixtures.bytes("xml/gmetad-query-http-get-cluster-host.txt"), as: UTF8.self)
        #expect(ours.hasPrefix("HTTP/1.0 200 OK\r\n") && ours.contains("Content-Type: application/xml\r\n"))
        #expect(!ours.contains("Access-Control-Allow-Origin"))
        func body(_ text: String) -> String { String(text[text.range(of: "<?xml")!.lowerBound...]) }
        #expect(Self.timeless(body(ours)) == Self.timeless(body(theirs)))
        let document = try #require(GangliaDocument.read(Array(ours.utf8)).document)
        guard case .grid(let grid) = document.items.first, case .cluster(let cluster) = grid.children.first else { throw Failure("shape") }
        #expect(cluster.hosts.count == 1 && cluster.hosts[0].metrics.count > 20)
    }

    /// Summaries are compared parsed: gmetad lists METRICS in hash order.
    @Test(arguments: [
        ("/?filter=summary", "gmetad-query-root-filter-summary.xml"), ("/CaptureCluster?filter=summary", "gmetad-query-cluster-filter-summary.xml"),
    ])
    func summaryQueriesMatchGmetads(line: String, capture: String) throws {
        let (state, now) = try Self.capturedState()
        let ours = try #require(GangliaDocument.read(Array(try Self.render(state, now: now, line).utf8)).document)
        let theirs = try #require(GangliaDocument.read(try Fixtures.bytes("xml/\(capture)")).document)
        func summaries(_ document: GangliaDocument) -> [String: Summary] {
            guard case .grid(let grid) = document.items.first else { return [:] }
            var result: [String: Summary] = [:]
            result["grid"] = grid.summary
            for case .cluster(let cluster) in grid.children { result[cluster.name.rawValue] = cluster.summary }
            return result
        }
        let a = summaries(ours), b = summaries(theirs)
        #expect(Set(a.keys) == Set(b.keys))
        for key in b.keys {
            let x = try #require(a[key]), y = try #require(b[key])
            #expect(x.hosts == y.hosts, "\(key)")
            let mine = Dictionary(uniqueKeysWithValues: x.metrics.map { ($0.name.rawValue, $0) })
            #expect(Set(mine.keys) == Set(y.metrics.map(\.name.rawValue)), "\(key)")
            for expected in y.metrics {
                let got = try #require(mine[expected.name.rawValue])
                #expect(got.num == expected.num && got.units == expected.units && got.slope == expected.slope && got.type == .double)
                #expect(Set(got.extraData) == Set(expected.extraData), "\(expected.name)")
                // Values that don't move between two captures must agree exactly.
                if ["cpu_num", "cpu_speed", "mem_total", "daily_signups", "boottime", "swap_total"].contains(expected.name.rawValue) {
                    #expect(got.sum == expected.sum && got.precision == expected.precision, "\(expected.name)")
                }
            }
        }
    }

    @Test func unknownElementsShowTheSubtreeOrNothingOverHTTP() throws {
        let (state, now) = try Self.capturedState()
        let plain = try Self.render(state, now: now, "/CaptureCluster/nosuchhost")
        #expect(plain.components(separatedBy: "<HOST ").count == 3)
        let http = try Self.render(state, now: now, "GET /CaptureCluster/nosuchhost HTTP/1.1")
        #expect(!http.contains("<HOST ") && http.contains("<CLUSTER NAME=\"CaptureCluster\""))
        let wildcard = try Self.render(state, now: now, "GET /*/*/load_one HTTP/1.1")
        // Both hosts are walked; the one that has load_one shows only it, the other nothing.
        #expect(wildcard.components(separatedBy: "<HOST ").count == 3)
        #expect(wildcard.components(separatedBy: "<METRIC ").count == 2 && wildcard.contains("<METRIC NAME=\"load_one\""))
        let unknownRoot = try Self.render(state, now: now, "GET /Nope HTTP/1.0")
        #expect(!unknownRoot.contains("<CLUSTER"))
    }

    @Test func heldHostsAgeOnOutput() throws {
        let (state, now) = try Self.capturedState()
        let later = try #require(GangliaDocument.read(Array(try Self.render(state, now: now + 100, "/CaptureCluster").utf8)).document)
        let earlier = try #require(GangliaDocument.read(Array(try Self.render(state, now: now, "/CaptureCluster").utf8)).document)
        guard case .grid(let a) = later.items[0], case .cluster(let ca) = a.children[0],
            case .grid(let b) = earlier.items[0], case .cluster(let cb) = b.children[0]
        else { throw Failure("shape") }
        #expect(a.localtime == now + 100)
        for (x, y) in zip(ca.hosts, cb.hosts) {
            #expect(x.tn == y.tn + 100)
            // Metrics with a DMAX that 100 more seconds pass are left out.
            let expected = y.metrics.filter { $0.dmax == 0 || $0.tn + 100 <= $0.dmax }
            #expect(x.metrics.map(\.name) == expected.map(\.name))
            #expect(zip(x.metrics, expected).allSatisfy { $0.tn == $1.tn + 100 })
        }
    }

    // MARK: - Request lines

    @Test func requestLines() throws {
        #expect(try GridQuery.parse("/") == .tree(path: [], summary: false, http: false))
        #expect(try GridQuery.parse("/c/h/m\r") == .tree(path: ["c", "h", "m"], summary: false, http: false))
        #expect(try GridQuery.parse("/c?filter=summary") == .tree(path: ["c"], summary: true, http: false))
        #expect(try GridQuery.parse("GET /c/h HTTP/1.1") == .tree(path: ["c", "h"], summary: false, http: true))
        #expect(try GridQuery.parse("/STATUS") == .status(callback: nil, http: false))
        #expect(try GridQuery.parse("GET /status?callback=cb.x_1 HTTP/1.0") == .status(callback: "cb.x_1", http: true))
        // gmetad reflected the callback unescaped; an unsafe one is dropped.
        #expect(try GridQuery.parse("/status?callback=alert(1)//") == .status(callback: nil, http: false))
        #expect(throws: GridQuery.Refusal.empty) { try GridQuery.parse("  ") }
        #expect(throws: GridQuery.Refusal.notAPath) { try GridQuery.parse("c/h") }
        #expect(throws: GridQuery.Refusal.badHTTP) { try GridQuery.parse("GET /c HTTP/2") }
        #expect(throws: GridQuery.Refusal.unknownFilter("bogus")) { try GridQuery.parse("/c?filter=bogus") }
        for c in GridQuery.forbidden {
            #expect(throws: GridQuery.Refusal.forbiddenCharacter(c)) { try GridQuery.parse("/c\(c)x") }
        }
    }
}
