import PlexusTestSupport
import Testing

@testable import PlexusCore

/// The reader's two shortcuts (issue 20): EXTRA_DATA content found by its bytes in the source's
/// `TextTable` instead of being read again, and attribute keys recognized by where the element
/// had them last time. Neither may change what is read: every document here, clean, broken or
/// cut short, gives the same hosts and the same report as a plain read, whatever the table holds.
@Suite struct XMLReaderShortcutTests {
    struct Reading: Equatable {
        var hosts: [Host]
        var summaries: [MetricSummary]
        var report: XMLReadReport
    }

    static func read(_ bytes: [UInt8], texts: inout TextTable) -> Reading {
        var hosts: [Host] = []
        var summaries: [MetricSummary] = []
        let report = GangliaXMLReader.read(bytes, texts: &texts) {
            if case .host(let h) = $0 { hosts.append(h) }
            if case .metricSummary(let m) = $0 { summaries.append(m) }
        }
        return Reading(hosts: hosts, summaries: summaries, report: report)
    }

    static func plain(_ bytes: [UInt8]) -> Reading {
        var none = TextTable.disabled
        return read(bytes, texts: &none)
    }

    static func gmondText() throws -> String {
        String(decoding: try Fixtures.bytes("xml/gmond-tcp-8649.xml"), as: UTF8.self)
    }

    /// A table that has read the clean capture twice (every block of it remembered).
    static func warmTable() throws -> TextTable {
        var table = TextTable(seed: 7)
        let clean = try Fixtures.bytes("xml/gmond-tcp-8649.xml")
        for _ in 0..<2 { _ = read(clean, texts: &table) }
        return table
    }

    /// Variants of the capture whose EXTRA_DATA is unusual or broken.
    static func variants() throws -> [String: String] {
        let text = try gmondText()
        let group = "<EXTRA_ELEMENT NAME=\"GROUP\" VAL=\"load\"/>"
        #expect(text.contains(group))
        return [
            "clean": text,
            // The end tag's text inside a quoted value: the block ends later than it seems.
            "end tag in a value": text.replacingOccurrences(
                of: group, with: "<EXTRA_ELEMENT NAME=\"GROUP\" VAL=\"a</EXTRA_DATA>b\"/>"),
            // The same content, then an end tag with a space in it.
            "spaced end tag": text.replacingOccurrences(of: "</EXTRA_DATA>", with: "</EXTRA_DATA >"),
            // A second EXTRA_DATA in each metric: both count, in order.
            "two blocks": text.replacingOccurrences(
                of: "</EXTRA_DATA>", with: "</EXTRA_DATA><EXTRA_DATA><EXTRA_ELEMENT NAME=\"SOURCE\" VAL=\"second\"/></EXTRA_DATA>"),
            // A broken EXTRA_ELEMENT: skipped (and reported) on every read, never remembered.
            "broken element": text.replacingOccurrences(of: group, with: "<EXTRA_ELEMENT NAME=\"GROUP\" VAL=load/>"),
            // A missing VAL: the metric keeps its other elements.
            "missing value": text.replacingOccurrences(of: group, with: "<EXTRA_ELEMENT NAME=\"GROUP\"/>"),
            "empty block": text.replacingOccurrences(of: group, with: ""),
        ]
    }

    @Test func unusualExtraDataReadsTheSameWithAWarmTable() throws {
        for (label, text) in try Self.variants() {
            let bytes = Array(text.utf8)
            let expected = Self.plain(bytes)
            #expect(!expected.hosts.isEmpty, "\(label)")
            var table = try Self.warmTable()
            for round in 1...3 {
                #expect(Self.read(bytes, texts: &table) == expected, "\(label), round \(round)")
            }
        }
    }

    @Test func brokenExtraDataIsReportedOnEveryRead() throws {
        let bytes = Array(try #require(Self.variants()["broken element"]).utf8)
        var table = try Self.warmTable()
        let first = Self.read(bytes, texts: &table)
        let second = Self.read(bytes, texts: &table)
        #expect(first.report.skippedCount > 0)
        #expect(second.report.skipped == first.report.skipped)
    }

    @Test func aSecondBlockAddsToTheFirst() throws {
        let bytes = Array(try #require(Self.variants()["two blocks"]).utf8)
        var table = TextTable()
        for _ in 0..<2 {
            let reading = Self.read(bytes, texts: &table)
            let metric = try #require(reading.hosts.last?.metrics.first { $0.name.rawValue == "load_one" })
            #expect(metric.extraData.map(\.name) == ["GROUP", "DESC", "TITLE", "SOURCE"])
            #expect(metric.extraData.last?.value == "second")
        }
    }

    /// Cut anywhere, with every block already in the table: what was complete is delivered,
    /// exactly as without the table.
    @Test func truncationReadsTheSameWithAWarmTable() throws {
        let bytes = try Fixtures.bytes("xml/gmond-tcp-8649.xml")
        var table = try Self.warmTable()
        for length in stride(from: 0, to: bytes.count, by: 13) {
            let cut = Array(bytes[..<length])
            #expect(Self.read(cut, texts: &table) == Self.plain(cut), "cut at \(length)")
        }
    }

    @Test func garbageReadsTheSameWithAWarmTable() throws {
        let original = try Fixtures.bytes("xml/gmond-tcp-8649.xml")
        var rng = SeededGenerator(seed: 20)
        let alphabet = Array("<>/=\"'& \n!?-[]#;x".utf8)
        var table = try Self.warmTable()
        for _ in 0..<300 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...12, using: &rng) {
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] = alphabet.randomElement(using: &rng)!
            }
            #expect(Self.read(bytes, texts: &table) == Self.plain(bytes))
        }
    }

    /// Content longer than the bound is read every time and never kept; content within it is
    /// kept after its first read.
    @Test func onlyContentWithinTheBoundIsRemembered() throws {
        let long = String(repeating: "x", count: GangliaXMLParser.maxRememberedExtraData)
        let blocks = ["<EXTRA_ELEMENT NAME=\"DESC\" VAL=\"\(long)\"/>", "<EXTRA_ELEMENT NAME=\"DESC\" VAL=\"short\"/>"]
        let metrics = blocks.enumerated().map { i, block in
            "<METRIC NAME=\"m\(i)\" VAL=\"1\" TYPE=\"float\" UNITS=\"\" TN=\"0\" TMAX=\"60\"><EXTRA_DATA>\(block)</EXTRA_DATA></METRIC>"
        }
        let xml = """
            <GANGLIA_XML VERSION="3.7.2" SOURCE="gmond"><CLUSTER NAME="c" LOCALTIME="100">
            <HOST NAME="h" IP="10.0.0.1" REPORTED="100">\(metrics.joined())</HOST></CLUSTER></GANGLIA_XML>
            """
        let bytes = Array(xml.utf8)
        var table = TextTable()
        for _ in 0..<2 {
            let reading = Self.read(bytes, texts: &table)
            #expect(reading == Self.plain(bytes))
            #expect(reading.hosts.first?.metrics.map { $0.extraData.first?.value.count } == [long.count, 5])
        }
        for (block, kept) in zip(blocks, [false, true]) {
            let found = Array(block.utf8).withUnsafeBufferPointer { table.block($0) }
            #expect((found != nil) == kept)
        }
    }

    /// Keys in another order than the element had last time, keys that begin with a known key,
    /// repeated keys and spaces around `=`: each read as a reader without prediction would.
    @Test func attributeKeysAreRecognizedWhateverTheOrder() throws {
        let xml = """
            <GANGLIA_XML VERSION="3.7.2" SOURCE="gmond"><CLUSTER NAME="c" LOCALTIME="100" OWNER="" LATLONG="" URL="">
            <HOST NAME="h" IP="10.0.0.1" REPORTED="100" TN="0" TMAX="20" DMAX="0" LOCATION="" GMOND_STARTED="0" TAGS="">
            <METRIC NAME="a" VAL="1" TYPE="float" UNITS="s" TN="1" TMAX="60" DMAX="0" SLOPE="both" SOURCE="gmond"/>
            <METRIC VAL="2" NAME="b" UNITS="s" TYPE="uint32" TMAX="60" TN="2" DMAX="0" SLOPE="zero" SOURCE="gmond"/>
            <METRIC NAMES="x" NAME="c" VALUE="9" VAL="3" TYPE="double" TN="3" TMAX="60"/>
            <METRIC NAME="d" NAME="e" VAL="4" VAL="5" TYPE="int8" TN = "4" TMAX='60'/>
            <METRIC NAME="f" VAL="6" TYPE="string" TN="5" TMAX="60" DMAX="0" SLOPE="both" SOURCE="gmond" UNITS="u"/>
            </HOST></CLUSTER></GANGLIA_XML>
            """
        var table = TextTable()
        let reading = Self.read(Array(xml.utf8), texts: &table)
        #expect(reading.report.isClean)
        let metrics = try #require(reading.hosts.first?.metrics)
        #expect(metrics.map(\.name.rawValue) == ["a", "b", "c", "d", "f"])
        #expect(metrics.map(\.value) == ["1", "2", "3", "4", "6"])
        #expect(metrics.map(\.type) == [.float, .uint32, .double, .int8, .string])
        #expect(metrics.map(\.tn) == [1, 2, 3, 4, 5])
        #expect(metrics.map(\.slope) == [.both, .zero, .unspecified, .unspecified, .both])
        #expect(metrics.map(\.units) == ["s", "s", "", "", "u"])
    }

    /// A key cut off by the end of the document where a known key was expected.
    @Test func aPredictedKeyAtTheEndOfTheDocumentIsAnEnd() {
        let xml = "<GANGLIA_XML VERSION=\"3.7.2\" SOURCE=\"gmond\"><CLUSTER NAME=\"c\" LOCALTIME=\"1\"><HOST NAME=\"h\" IP=\"1\" REPORTED=\"1\"/><HOST NAM"
        let reading = Self.plain(Array(xml.utf8))
        #expect(reading.hosts.map(\.name.rawValue) == ["h"])
        #expect(reading.report.fatal != nil)
    }
}
