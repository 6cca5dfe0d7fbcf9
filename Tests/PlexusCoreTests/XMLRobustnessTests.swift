import PlexusTestSupport
import Testing

@testable import PlexusCore

/// Broken, hostile and truncated documents: a bad HOST or METRIC costs only itself.
@Suite struct XMLRobustnessTests {
    static func gmondText() throws -> String {
        String(decoding: try Fixtures.bytes("xml/gmond-tcp-8649.xml"), as: UTF8.self)
    }

    /// The gmond capture with the `localhost` host copied twice more as `web1` and `web2`, and
    /// `broken` (a HOST start tag with an unescaped quote) between them.
    static func documentWithBrokenHost() throws -> String {
        let text = try gmondText()
        let start = try #require(text.range(of: "<HOST NAME=\"localhost\""))
        let end = try #require(text.range(of: "</HOST>", range: start.upperBound..<text.endIndex))
        let localhost = String(text[start.lowerBound..<end.upperBound])
        let web1 = localhost.replacingOccurrences(of: "NAME=\"localhost\"", with: "NAME=\"web1\"")
        let web2 = localhost.replacingOccurrences(of: "NAME=\"localhost\"", with: "NAME=\"web2\"")
        let broken = localhost.replacingOccurrences(of: "<HOST NAME=\"localhost\"", with: "<HOST NAME=\"bro\"ken\"")
        return text.replacingOccurrences(of: localhost, with: [localhost, web1, broken, web2].joined(separator: "\n"))
    }

    static func hosts(in text: String) -> (hosts: [Host], report: XMLReadReport) {
        var hosts: [Host] = []
        let report = GangliaXMLReader.read(Array(text.utf8)) { if case .host(let h) = $0 { hosts.append(h) } }
        return (hosts, report)
    }

    @Test func brokenHostInTheMiddleCostsOnlyItself() throws {
        let text = try Self.documentWithBrokenHost()
        let (hosts, report) = Self.hosts(in: text)
        #expect(hosts.map(\.name.rawValue) == ["switch9.example", "localhost", "web1", "web2"])
        #expect(hosts.allSatisfy { $0.name.rawValue == "switch9.example" || $0.metrics.count == 22 })
        #expect(report.fatal == nil)
        #expect(report.skipped.count == 1)
        let skip = try #require(report.skipped.first)
        #expect(skip.element == "HOST")
        let brokenLine = text.split(separator: "\n", omittingEmptySubsequences: false)
            .firstIndex { $0.hasPrefix("<HOST NAME=\"bro\"ken\"") }.map { $0 + 1 }
        #expect(skip.line == brokenLine)
        #expect(report.hosts == 4)
    }

    @Test func brokenMetricCostsOnlyItself() throws {
        let text = try Self.gmondText()
            .replacingOccurrences(of: "<METRIC NAME=\"cpu_num\" VAL=\"2\"", with: "<METRIC NAME=\"cpu_num\" VAL=2")
            .replacingOccurrences(of: "NAME=\"cpu_speed\" VAL=\"2596\" TYPE=\"uint32\"", with: "NAME=\"cpu_speed\" VAL=\"2596\" TYPE=\"uint64\"")
            .replacingOccurrences(of: "<METRIC NAME=\"mem_free\"", with: "<METRIC NAME=\"../../../pwned\"")
        let (hosts, report) = Self.hosts(in: text)
        let local = try #require(hosts.first { $0.name.rawValue == "localhost" })
        #expect(local.metrics.count == 19)
        #expect(!local.metrics.contains { ["cpu_num", "cpu_speed", "mem_free", "../../../pwned"].contains($0.name.rawValue) })
        #expect(report.skipped.map(\.element) == ["METRIC", "METRIC", "METRIC"])
        #expect(report.skipped.map(\.error).contains(.invalidAttribute(element: "METRIC", attribute: "TYPE", value: "uint64")))
        #expect(report.skipped.contains { if case .invalidName(let e) = $0.error { e.problem == .slash } else { false } })
        #expect(report.fatal == nil)
    }

    @Test func gmondsUnescapedNamesAreRecovered() throws {
        // gmond 3.7.2 prints names raw: a metric called name<x> reached gmetad like this and
        // made expat drop the rest of the cluster.
        let text = try Self.gmondText().replacingOccurrences(of: "<METRIC NAME=\"load_one\"", with: "<METRIC NAME=\"name<x>\"")
        let (hosts, report) = Self.hosts(in: text)
        #expect(report.isClean)
        #expect(hosts[1].metrics.contains { $0.name.rawValue == "name<x>" })
        #expect(hosts[1].metrics.count == 22)
    }

    @Test func entitiesAndCharacterReferencesAreDecoded() {
        let doc = """
            <GANGLIA_XML VERSION="3.7.2" SOURCE="gmond"><CLUSTER NAME="a&amp;b" LOCALTIME="5">
            <HOST NAME="h&#233;&#xE9;" IP="1.2.3.4" REPORTED="1" LOCATION="&lt;r&gt; &quot;1&apos; &bogus; &#0; AT&T">
            <METRIC NAME="m" VAL="caf\u{E9}" TYPE="string"/></HOST></CLUSTER></GANGLIA_XML>
            """
        let result = GangliaDocument.read(Array(doc.utf8))
        #expect(result.report.isClean, "\(result.report)")
        guard case .cluster(let cluster)? = result.document?.items.first else {
            Issue.record("no cluster")
            return
        }
        #expect(cluster.name.rawValue == "a&b")
        #expect(cluster.hosts.first?.name.rawValue == "héé")
        #expect(cluster.hosts.first?.location == "<r> \"1' &bogus; \u{FFFD} AT&T")
        #expect(cluster.hosts.first?.metrics.first?.value == "café")
    }

    @Test func latin1BytesAreReadAsDeclared() {
        var bytes = Array(#"<GANGLIA_XML VERSION="3.7.2" SOURCE="gmond"><HOST NAME="h" IP="i" REPORTED="1" LOCATION="M"#.utf8)
        bytes += [0xFC, 0x6E, 0x63, 0x68, 0x65, 0x6E]  // "München" in ISO-8859-1 (minus the M)
        bytes += Array(#""/></GANGLIA_XML>"#.utf8)
        var location = ""
        _ = GangliaXMLReader.read(bytes) { if case .host(let h) = $0 { location = h.location } }
        #expect(location == "München")
    }

    @Test func strayEndTagSkipsOnlyItsElement() throws {
        let text = try Self.gmondText().replacingOccurrences(
            of: "<EXTRA_ELEMENT NAME=\"GROUP\" VAL=\"load\"/>", with: "<EXTRA_ELEMENT NAME=\"GROUP\" VAL=\"load\"/></BOGUS>")
        let (hosts, report) = Self.hosts(in: text)
        #expect(hosts.count == 2)
        #expect(report.skipped.map(\.element) == ["EXTRA_DATA"])
        let load = try #require(hosts[1].metrics.first { $0.name.rawValue == "load_one" })
        #expect(hosts[1].metrics.count == 22)
        #expect(load.extraData.first == ExtraElement(name: "GROUP", value: "load"))
    }

    @Test func unknownElementsAreSteppedOver() {
        let doc = """
            <GANGLIA_XML VERSION="9" SOURCE="gmond"><FUTURE a="1"><HOST NAME="x" IP="1" REPORTED="1"/></FUTURE>
            <CLUSTER NAME="c" LOCALTIME="1"><NOTE/><HOST NAME="h" IP="i" REPORTED="2"></HOST></CLUSTER></GANGLIA_XML>
            """
        let (hosts, report) = Self.hosts(in: doc)
        #expect(report.isClean)
        #expect(hosts.map(\.name.rawValue) == ["h"])
    }

    @Test func truncationAtEveryOffsetKeepsWhatWasComplete() throws {
        let bytes = try Fixtures.bytes("xml/gmetad-xml-8651.xml")
        let complete = Self.hosts(in: String(decoding: bytes, as: UTF8.self)).hosts
        let hostEnds = Self.offsets(of: "</HOST>", in: bytes)
        for length in stride(from: 0, to: bytes.count, by: 7) {
            var hosts: [Host] = []
            let report = GangliaXMLReader.read(Array(bytes[..<length])) { if case .host(let h) = $0 { hosts.append(h) } }
            #expect(report.fatal != nil, "cut at \(length)")
            let finished = hostEnds.filter { $0 + 7 <= length }.count
            #expect(hosts == Array(complete.prefix(finished)), "cut at \(length)")
        }
    }

    @Test func randomGarbageNeverTraps() throws {
        let original = try Fixtures.bytes("xml/gmond-tcp-8649.xml")
        var rng = SeededGenerator(seed: 42)
        let alphabet = Array("<>/=\"'& \n!?-[]#;x".utf8)
        for _ in 0..<400 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...20, using: &rng) {
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] = alphabet.randomElement(using: &rng)!
            }
            var hosts = 0
            let report = GangliaXMLReader.read(bytes) { if case .host = $0 { hosts += 1 } }
            #expect(hosts == report.hosts)
        }
    }

    @Test func floodsOfBrokenMetricsAreCountedNotHoarded() {
        let broken = String(repeating: "<METRIC NAME=\"x\" VAL=\"1\" TYPE=\"bogus\"><EXTRA_DATA></EXTRA_DATA></METRIC>\n", count: 20_000)
        let doc = """
            <GANGLIA_XML VERSION="3.7.2" SOURCE="gmond"><CLUSTER NAME="c" LOCALTIME="1">
            <HOST NAME="h" IP="i" REPORTED="1">
            \(broken)<METRIC NAME="ok" VAL="1" TYPE="uint32"/></HOST></CLUSTER></GANGLIA_XML>
            """
        let (hosts, report) = Self.hosts(in: doc)
        #expect(hosts.first?.metrics.map(\.name.rawValue) == ["ok"])
        #expect(report.skippedCount == 20_000)
        #expect(report.skipped.count == XMLReadReport.maxRecordedSkips)
        #expect(report.skipped.last?.line == 102, "line numbers stay right while counting on")
    }

    static func offsets(of needle: String, in bytes: [UInt8]) -> [Int] {
        let n = Array(needle.utf8)
        return (0...(bytes.count - n.count)).filter { bytes[$0..<($0 + n.count)].elementsEqual(n) }
    }

    /// 100,000 nested GRIDs (1.4 MB) once overflowed the stack of a release build at ~3,000.
    /// Past `maxGridDepth` the GRID is skipped alone and what follows it is still read.
    @Test func deeplyNestedGridsAreSkippedNotRecursedInto() throws {
        let levels = 100_000
        var text = "<GANGLIA_XML VERSION=\"3.7.2\" SOURCE=\"gmetad\">"
        text += String(repeating: "<GRID NAME=\"g\" AUTHORITY=\"x\" LOCALTIME=\"1\">", count: levels)
        text += "<CLUSTER NAME=\"deep\" LOCALTIME=\"1\"><HOST NAME=\"h\" IP=\"1.2.3.4\" REPORTED=\"1\"/></CLUSTER>"
        text += String(repeating: "</GRID>", count: levels)
        text += "<CLUSTER NAME=\"after\" LOCALTIME=\"1\"><HOST NAME=\"kept\" IP=\"1.2.3.5\" REPORTED=\"1\"/></CLUSTER></GANGLIA_XML>"
        var grids = 0, deepest = 0, depth = 0
        var hosts: [String] = []
        let report = GangliaXMLReader.read(Array(text.utf8)) { event in
            switch event {
            case .gridStart:
                grids += 1
                depth += 1
                deepest = max(deepest, depth)
            case .gridEnd: depth -= 1
            case .host(let h): hosts.append(h.name.rawValue)
            default: break
            }
        }
        #expect(report.fatal == nil)
        #expect(deepest == GangliaXMLReader.maxGridDepth && grids == GangliaXMLReader.maxGridDepth && depth == 0)
        #expect(report.skipped.map(\.error) == [.tooDeep(element: "GRID", limit: GangliaXMLReader.maxGridDepth)])
        #expect(hosts == ["kept"])
    }

    /// The same nesting through the whole read into a document value, as the CLI does.
    @Test func deeplyNestedGridsBecomeABoundedDocument() throws {
        let text =
            "<GANGLIA_XML VERSION=\"3.7.2\" SOURCE=\"gmetad\">"
            + String(repeating: "<GRID NAME=\"g\" AUTHORITY=\"x\" LOCALTIME=\"1\">", count: 10_000)
            + String(repeating: "</GRID>", count: 10_000) + "</GANGLIA_XML>"
        let result = GangliaDocument.read(Array(text.utf8))
        var depth = 0
        guard case .grid(let root)? = result.document?.items.first else { throw Failure("no grid") }
        var grid: Grid? = root
        while let g = grid {
            depth += 1
            grid = g.children.lazy.compactMap { if case .grid(let child) = $0 { child } else { nil } }.first
        }
        #expect(depth == GangliaXMLReader.maxGridDepth && result.report.skippedCount == 1)
    }
}
