import PlexusCore
import Testing

/// The history reply's text: golden bytes, round trips, odd names and numbers, and every way a
/// reply can be refused.
@Suite struct HistoryTextTests {
    static let t0: Int64 = 1_795_543_200

    static func series() -> [(key: HistoryKey, entries: [HistoryRing.Entry])] {
        [
            (HistoryKey(cluster: "db", host: "db 1", metric: "load_one"), [.init(time: t0, value: 0.5), .init(time: t0 + 15, value: 0.25)]),
            (HistoryKey(cluster: "web", host: "web-1", metric: "bytes_in"), [.init(time: t0 + 5, value: 1_234_567), .init(time: t0 + 20, value: 1e300)]),
        ]
    }

    @Test func theReplyIsGoldenText() {
        #expect(
            HistoryText.encode(Self.series(), now: Self.t0 + 30) == """
                PLEXUS-HISTORY 1 1795543230
                C db
                S db%201 load_one 2
                1795543200 0.5
                +15 0.25
                C web
                S web-1 bytes_in 2
                1795543205 1234567
                +15 1e+300
                END 2 4

                """)
    }

    @Test func whatIsWrittenReadsBackExactly() throws {
        var odd = Self.series()
        odd.append((HistoryKey(cluster: "web", host: "ü:host%20\u{1}", metric: "temp"), [.init(time: 7, value: -0.1), .init(time: 9, value: .infinity)]))
        odd.append((HistoryKey(cluster: "web", host: "x", metric: "nan"), [.init(time: 1, value: .nan)]))
        let reply = try HistoryText.decode(Substring(HistoryText.encode(odd, now: 99)))
        #expect(reply.now == 99 && reply.series.count == 4)
        for (key, entries) in odd where key.metric != "nan" {
            #expect(reply.series[key] == entries, "\(key)")
        }
        #expect(reply.series[HistoryKey(cluster: "web", host: "x", metric: "nan")]?.first?.value.isNaN == true)
        #expect(try HistoryText.decode(Substring(HistoryText.encode([], now: 5))).series.isEmpty)
    }

    @Test(arguments: [
        ("", "history line 1: not a PLEXUS-HISTORY 1 header"),
        ("PLEXUS-HISTORY 2 5\nEND 0 0\n", "history line 1: not a PLEXUS-HISTORY 1 header"),
        ("PLEXUS-HISTORY 1 5\nC c\nS a m 2\n10 1\n", "history line 4: cut short inside a series"),
        ("PLEXUS-HISTORY 1 5\nC c\nS a m 1\n10 1\n", "history line 4: no END line (cut short)"),
        ("PLEXUS-HISTORY 1 5\nC c\nS a m 2\n10 1\n+0 2\nEND 1 2\n", "history line 5: expected +SECONDS (more than 0) after the previous value"),
        ("PLEXUS-HISTORY 1 5\nC c\nS a m 2\n10 1\n11 2\nEND 1 2\n", "history line 5: expected +SECONDS (more than 0) after the previous value"),
        ("PLEXUS-HISTORY 1 5\nC c\nS a m 1\n10 x\nEND 1 1\n", "history line 4: expected TIME VALUE"),
        ("PLEXUS-HISTORY 1 5\nC c\nS a m 1\n10 1\nEND 1 2\n", "history line 5: END's totals don't match the series and values read"),
        ("PLEXUS-HISTORY 1 5\nC c\nS a m 1\n10 1\nS a m 1\n11 1\nEND 2 2\n", "history line 5: c/a/m twice"),
        ("PLEXUS-HISTORY 1 5\nC c\nS a%2 m 1\n10 1\nEND 1 1\n", "history line 3: expected S HOST METRIC COUNT"),
        ("PLEXUS-HISTORY 1 5\nEND 0 0\nmore\n", "history line 3: text after END"),
        ("PLEXUS-HISTORY 1 5\nX\n", "history line 2: expected C, S or END"),
        ("PLEXUS-HISTORY 1 5\nS a m 1\n10 1\nEND 1 1\n", "history line 2: a series before any C CLUSTER line"),
        ("PLEXUS-HISTORY 1 5\nC\nEND 0 0\n", "history line 2: expected C CLUSTER"),
        ("PLEXUS-HISTORY-ERROR version 2 not served (1 is)\n", "history line 1: the source refused: version 2 not served (1 is)"),
    ])
    func aBadReplyIsRefusedWithItsLine(text: String, message: String) {
        #expect(throws: HistoryText.Malformed.self) { try HistoryText.decode(Substring(text)) }
        do {
            _ = try HistoryText.decode(Substring(text))
        } catch {
            #expect("\(error)" == message)
        }
    }

    @Test func aSourceCantMakeTheReaderHoldMoreThanItsLimits() {
        var limits = HistoryText.Limits()
        limits.maxValues = 3
        let text = HistoryText.encode(Self.series() + [(HistoryKey(cluster: "web", host: "z", metric: "m"), [.init(time: 1, value: 1)])], now: 1)
        #expect(throws: HistoryText.Malformed(line: 7, reason: "more than 3 values")) { try HistoryText.decode(Substring(text), limits: limits) }
        limits = HistoryText.Limits()
        limits.maxLineBytes = 10
        #expect(throws: HistoryText.Malformed.self) { try HistoryText.decode(Substring(text), limits: limits) }
    }

    @Test func aRequestNamesTheTimeItAsksFrom() throws {
        #expect(HistoryText.request(from: 1_795_543_200) == "PLEXUS-HISTORY 1 FROM 1795543200")
        #expect(try HistoryText.parseRequest(HistoryText.request(from: 42)).get() == 42)
        for bad in [nil, "", "GET / HTTP/1.0", "PLEXUS-HISTORY 1 FROM", "PLEXUS-HISTORY 1 FROM -5", "PLEXUS-HISTORY 1 SINCE 5"] {
            #expect(throws: HistoryText.Malformed(line: 1, reason: "expected PLEXUS-HISTORY 1 FROM TIME")) { try HistoryText.parseRequest(bad).get() }
        }
        #expect(throws: HistoryText.Malformed(line: 1, reason: "version 2 not served (1 is)")) {
            try HistoryText.parseRequest("PLEXUS-HISTORY 2 FROM 5").get()
        }
        // The refusal reads back as what the source said.
        #expect(throws: HistoryText.Malformed(line: 1, reason: "the source refused: no history kept")) {
            try HistoryText.decode(Substring(HistoryText.error("no history kept")))
        }
    }
}
