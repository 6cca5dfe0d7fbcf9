import PlexusTestSupport
import Testing

@testable import PlexusCore

/// Sharing the texts hosts repeat: the same values as without, one copy of each text and list.
@Suite struct TextTableTests {
    static func text(_ table: inout TextTable, _ string: String) -> String {
        Array(string.utf8).withUnsafeBufferPointer { table.text($0) }
    }

    /// Where a String's bytes live (the same address: one shared copy).
    static func storage(_ string: String) -> UnsafeRawPointer? {
        var string = string
        return string.withUTF8 { UnsafeRawPointer($0.baseAddress) }
    }

    static func storage(_ list: [ExtraElement]) -> UnsafeRawPointer? {
        list.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
    }

    @Test func aRepeatedTextIsOneCopy() {
        var table = TextTable()
        let first = Self.text(&table, "One minute load average")
        let second = Self.text(&table, "One minute load average")
        let other = Self.text(&table, "Five minute load average")
        #expect(first == "One minute load average" && other == "Five minute load average")
        #expect(Self.storage(first) == Self.storage(second))
        #expect(Self.storage(first) != Self.storage(other))
        #expect(table.count == 2)
        #expect(table.bytes == 23 + 24)
    }

    @Test func shortTextsAreNotKept() {
        var table = TextTable()
        #expect(Self.text(&table, "load") == "load")
        #expect(Self.text(&table, "exactly 15 byte") == "exactly 15 byte")
        #expect(table.count == 0)
    }

    /// A fixed seed: with a random one, a run of colliding slots longer than `maxProbes` (the
    /// bound a hostile source meets) happens now and then by chance, and that text is then
    /// rightly returned unshared (CI at e297513 met one).
    @Test func manyTextsStayFoundAsTheTableGrows() {
        var table = TextTable(seed: 0x5EED_1234_ABCD_0001)
        let texts = (0..<5_000).map { "a text that is long enough \($0)" }
        let first = texts.map { Self.text(&table, $0) }
        let again = texts.map { Self.text(&table, $0) }
        #expect(first == texts && again == texts)
        #expect(zip(first, again).allSatisfy { Self.storage($0) == Self.storage($1) })
        #expect(table.count == 5_000)
    }

    @Test func pastItsBoundsATextIsReturnedUnshared() {
        var table = TextTable(maxEntries: 2, maxBytes: 1 << 20)
        _ = Self.text(&table, "the first long text")
        _ = Self.text(&table, "the second long text")
        let third = Self.text(&table, "the third long text")
        let again = Self.text(&table, "the third long text")
        #expect(third == "the third long text" && again == third)
        #expect(Self.storage(third) != Self.storage(again))
        #expect(table.count == 2)

        var small = TextTable(maxEntries: 100, maxBytes: 40)
        _ = Self.text(&small, "twenty-five bytes of text")
        _ = Self.text(&small, "twenty-five more of these")
        #expect(small.count == 1 && small.bytes == 25)
    }

    /// Texts aimed at one slot (found here knowing the seed; a source can't know it) cost at most
    /// `maxProbes` looks each: past that they are returned unshared, still right.
    @Test func textsAimedAtOneSlotAreBoundedAndStayCorrect() {
        var table = TextTable(seed: 42)
        var aimed: [String] = []
        var candidate = 0
        while aimed.count < 60 {
            let text = "a colliding text number \(candidate)"
            candidate += 1
            if Array(text.utf8).withUnsafeBufferPointer({ table.hash($0) }) & 127 == 0 { aimed.append(text) }
        }
        let first = aimed.map { Self.text(&table, $0) }
        let again = aimed.map { Self.text(&table, $0) }
        #expect(first == aimed && again == aimed)
        #expect(table.count < aimed.count)
        #expect(table.count >= TextTable.maxProbes)
    }

    @Test func aFullTableStartsOverAtTheNextDocument() {
        var table = TextTable(maxEntries: 2, maxBytes: 1 << 20)
        _ = Self.text(&table, "the first long text")
        table.startDocument()
        #expect(table.count == 1, "not full: kept")
        _ = Self.text(&table, "the second long text")
        table.startDocument()
        #expect(table.count == 0)
        _ = Self.text(&table, "the third long text")
        #expect(table.count == 1)
    }

    @Test func equalListsShareOneArray() {
        var table = TextTable()
        let a = [ExtraElement(name: "GROUP", value: "load"), ExtraElement(name: "DESC", value: "One minute load average")]
        let b = [ExtraElement(name: "GROUP", value: "load"), ExtraElement(name: "DESC", value: "One minute load average")]
        let c = [ExtraElement(name: "GROUP", value: "loa"), ExtraElement(name: "DESC", value: "dOne minute load average")]
        let first = table.list(a)
        let second = table.list(b)
        let third = table.list(c)
        #expect(first == a && second == b && third == c)
        #expect(Self.storage(first) == Self.storage(second))
        #expect(Self.storage(third) != Self.storage(first))
        #expect(table.list([]) == [])
        #expect(TextTable.disabled.isEnabled == false)
    }

    /// What a reader with a table delivers is what one without delivers: the documents written
    /// back are the same bytes, for every real capture and a large generated grid, on a first
    /// read and on a second one that finds every text in the table.
    @Test(arguments: Fixtures.xmlFiles + ["synthetic"])
    func readingWithATableGivesTheSameDocument(_ file: String) throws {
        let bytes: [UInt8]
        if file == "synthetic" {
            var out: [UInt8] = []
            GangliaXMLWriter(dialect: .gmetad).write(try SyntheticGrid(hosts: 200, metricsPerHost: 30).document(), into: &out)
            bytes = out
        } else {
            bytes = try Fixtures.bytes("xml/\(file)")
        }
        let plain = try #require(GangliaDocument.read(bytes).document)
        var expected: [UInt8] = []
        GangliaXMLWriter(dialect: plain.source).write(plain, into: &expected)
        var table = TextTable()
        for round in 1...2 {
            let shared = try #require(GangliaDocument.read(bytes, texts: &table).document)
            #expect(shared == plain, "round \(round)")
            var out: [UInt8] = []
            GangliaXMLWriter(dialect: shared.source).write(shared, into: &out)
            #expect(out == expected, "round \(round)")
        }
        // The synthetic grid repeats DESC and TITLE on every host (a federated capture may hold
        // no text long enough to share).
        if file == "synthetic" { #expect(table.count > 0) }
    }

    /// Through the reader, every host's copy of a metric's DESC and extra data is one String and
    /// one array, within a poll and from one poll to the next.
    @Test func theReaderSharesAcrossHostsAndPolls() throws {
        var bytes: [UInt8] = []
        GangliaXMLWriter(dialect: .gmond).write(try SyntheticGrid(hosts: 20, metricsPerHost: 30).clusterDocument(), into: &bytes)
        var table = TextTable()
        var polls: [[Host]] = []
        for _ in 0..<2 {
            var hosts: [Host] = []
            _ = GangliaXMLReader.read(bytes, texts: &table) { if case .host(let host) = $0 { hosts.append(host) } }
            polls.append(hosts)
        }
        let first = try #require(polls[0].first?.metrics.first)
        #expect(first.extraData.count == 3)
        for host in polls[0] + polls[1] {
            let metric = try #require(host.metrics.first)
            #expect(metric.extraData == first.extraData)
            #expect(Self.storage(metric.extraData) == Self.storage(first.extraData))
            let desc = try #require(metric.extraData.first { $0.name == "DESC" }?.value)
            #expect(Self.storage(desc) == Self.storage(try #require(first.extraData.first { $0.name == "DESC" }?.value)))
        }
    }

    /// Texts with entities or non-ASCII bytes are decoded as always (and not shared).
    @Test func escapedAndNonASCIITextsAreDecodedAsBefore() throws {
        let xml = """
            <GANGLIA_XML VERSION="3.7.2" SOURCE="gmond"><CLUSTER NAME="c" LOCALTIME="100" OWNER="" LATLONG="" URL="">
            <HOST NAME="h" IP="10.0.0.1" REPORTED="100" TN="0" TMAX="20" DMAX="0" LOCATION="" GMOND_STARTED="0" TAGS="">
            <METRIC NAME="m" VAL="1" TYPE="float" UNITS="bytes &amp; packets/sec" TN="0" TMAX="60" DMAX="0" SLOPE="both" SOURCE="gmond">
            <EXTRA_DATA><EXTRA_ELEMENT NAME="DESC" VAL="Température du cœur de la machine"/></EXTRA_DATA></METRIC>
            </HOST></CLUSTER></GANGLIA_XML>
            """
        var table = TextTable()
        let document = try #require(GangliaDocument.read(Array(xml.utf8), texts: &table).document)
        guard case .cluster(let cluster)? = document.items.first else {
            Issue.record("no cluster")
            return
        }
        let metric = try #require(cluster.hosts.first?.metrics.first)
        #expect(metric.units == "bytes & packets/sec")
        #expect(metric.extraData == [ExtraElement(name: "DESC", value: "Température du cœur de la machine")])
    }
}
