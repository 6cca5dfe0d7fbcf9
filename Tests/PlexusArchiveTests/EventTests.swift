import Foundation
import PlexusArchive
import PlexusCore
import Testing

/// Events: the journal's replay, scopes, validation; and the times operators type.
@Suite struct EventTests {
    static let t: Int64 = 1_795_543_200

    @Test func theJournalReplaysAddsAndRemovesAndSkipsBadLines() {
        let t = Self.t
        let deploy = Event(id: 1, start: t + 1000, text: "v1.4.2 to production", tags: ["deploy"], created: t + 1001)
        let incident = Event(id: 2, start: t + 2000, end: t + 2600, text: "checkout 502s, \"quoted\"", tags: ["incident"], cluster: "web*", created: t + 2001)
        let journal =
            EventJournal.line(.add(deploy)) + "not json\n" + EventJournal.line(.add(incident))
            + "{\"op\":\"add\",\"id\":2,\"start\":\(t + 5),\"text\":\"end before start\",\"end\":\(t),\"created\":\(t)}\n"
            + EventJournal.line(.remove(id: 1, at: t + 3000)) + "\n{\"op\":\"explode\",\"id\":3}\n"
        let replay = EventJournal.replay(journal)
        #expect(replay.events == [incident])
        #expect(replay.malformedLines == [2, 4, 7])
        // Ids are never reused after a remove, nor one a malformed line names: a half-written
        // add may have reported it.
        #expect(replay.nextID == 4)
        #expect(EventJournal.line(.add(deploy)).hasSuffix("}\n") && !EventJournal.line(.add(deploy)).dropLast().contains("\n"))
        #expect(EventJournal.replay("").events.isEmpty && EventJournal.replay("").nextID == 1)
        // The cut-off start of an add (a full disk took part of the line) still keeps its id.
        let partial = String(EventJournal.line(.add(Event(id: 29, start: t, text: "deploy", created: t))).prefix(30))
        #expect(EventJournal.replay(journal + partial).nextID == 30 && EventJournal.replay(journal + partial).malformedLines == [2, 4, 7, 8])
    }

    @Test func readingTheJournalInPiecesGivesWhatReadingItWholeGives() {
        let t = Self.t
        var lines: [String] = []
        for id in 1...40 {
            lines.append(EventJournal.line(.add(Event(id: id, start: t + Int64(id), text: "e\(id)", created: t))))
            if id % 3 == 0 { lines.append(EventJournal.line(.remove(id: id - 1, at: t + 100))) }
            if id % 7 == 0 { lines.append("garbage\n") }
            if id % 11 == 0 { lines.append(EventJournal.line(.add(Event(id: id - 4, start: t, text: "edited", created: t)))) }
        }
        let whole = EventJournal.replay(lines.joined())
        for cut in [0, 1, 5, 17, lines.count - 1, lines.count] {
            var pieces = EventJournal.Replay()
            pieces.apply(lines[..<cut].joined()[...])
            pieces.apply(lines[cut...].joined()[...])
            #expect(pieces == whole, "cut at line \(cut)")
        }
        // 40 added, 13 removed, and 29 added again after its removal (the edit at 33).
        #expect(whole.malformedLines.count == 5 && whole.events.count == 40 - 13 + 1 && whole.nextID == 41)
    }

    @Test func scopesFollowClusterAndHostPatterns() {
        let everywhere = Event(id: 1, start: 0, text: "a", created: 0)
        let web = Event(id: 2, start: 0, text: "b", cluster: "web*", created: 0)
        let dbHosts = Event(id: 3, start: 0, text: "c", cluster: "db", host: "db-[12]", created: 0)
        #expect([everywhere, web, dbHosts].allSatisfy { $0.applies(to: .grid) })
        #expect(everywhere.applies(to: .cluster("db")) && !web.applies(to: .cluster("db")) && dbHosts.applies(to: .cluster("db")))
        #expect(web.applies(to: .host(cluster: "WEB-eu", host: "x")))
        #expect(dbHosts.applies(to: .host(cluster: "db", host: "db-2")) && !dbHosts.applies(to: .host(cluster: "db", host: "db-3")))
        #expect(NamePattern("cpu_*").matches("CPU_user") && !NamePattern("cpu_*").matches("load_one"))
    }

    @Test func badEventsAreRefusedWithAReason() {
        func problem(_ change: (inout Event) -> Void) -> String? {
            var event = Event(id: 1, start: Self.t, text: "ok", created: Self.t)
            change(&event)
            return event.problem()
        }
        #expect(problem { _ in } == nil)
        #expect(problem { $0.text = "  " } != nil)
        #expect(problem { $0.text = "two\nlines" }?.contains("control") == true)
        #expect(problem { $0.end = Self.t - 50 }?.contains("before") == true)
        #expect(problem { $0.start = .max }?.contains("not between 2000-01-01 and 2100-01-01") == true)
        #expect(problem { $0.end = .max }?.contains("end") == true)
        #expect(problem { $0.start = -1 } != nil && problem { $0.start = 946_684_800 } == nil)
        // Text that would show in another order than it reads; marks and emoji joiners stay.
        #expect(problem { $0.text = "deploy \u{202E}lanigiro" }?.contains("U+202E") == true)
        #expect(problem { $0.host = "web\u{2066}-1" }?.contains("bidirectional") == true)
        #expect(problem { $0.text = "שלום \u{200F} ok 👩\u{200D}💻" } == nil)
        #expect(problem { $0.tags = ["de ploy"] }?.contains("tag") == true)
        #expect(problem { $0.text = String(repeating: "x", count: 501) } != nil)
        #expect(problem { $0.host = "" } != nil)
    }

    @Test func overlapsIncludeEventsStillGoingOn() {
        let moment = Event(id: 1, start: 100, text: "m", created: 0)
        let window = Event(id: 2, start: 50, end: 150, text: "w", created: 0)
        #expect(moment.overlaps(start: 100, end: 200) && !moment.overlaps(start: 101, end: 200))
        #expect(window.overlaps(start: 120, end: 200) && !window.overlaps(start: 151, end: 200))
    }
}

@Suite struct TimeSpecTests {
    static let now: Int64 = 1_795_622_400  // 2026-11-25T16:00:00Z
    static let utc = TimeZone(secondsFromGMT: 0)!

    @Test(
        arguments: [
            ("now", now), ("NOW", now), ("now-2h", now - 7200), ("-90m", now - 5400), ("+30s", now + 30), ("-1d", now - 86400),
            ("-2w", now - 14 * 86400), ("1764064800", 1_764_064_800), ("2026-11-25", 1_795_564_800),
            ("2026-11-25T14:30", 1_795_617_000), ("2026-11-25 14:30:15", 1_795_617_015), ("2026-11-25T14:30:00Z", 1_795_617_000),
            ("2026-11-25T14:30+02:00", 1_795_609_800), ("09:15", 1_795_598_100), ("2024-02-29", 1_709_164_800),
        ] as [(String, Int64)])
    func parses(text: String, expected: Int64) throws {
        #expect(try TimeSpec.parse(text, now: Self.now, timeZone: Self.utc) == expected)
    }

    @Test func localTimesUseTheGivenZone() throws {
        let seoul = TimeZone(secondsFromGMT: 9 * 3600)!
        #expect(try TimeSpec.parse("2026-11-25T14:30", now: Self.now, timeZone: seoul) == 1_795_617_000 - 9 * 3600)
        // An explicit offset wins over the zone.
        #expect(try TimeSpec.parse("2026-11-25T14:30Z", now: Self.now, timeZone: seoul) == 1_795_617_000)
    }

    @Test(arguments: [
        "", "yesterday", "2026", "12345", "2026-02-30", "2026-13-01", "2026-11-25T25:00", "-5x", "now+", "25:00",
        "2026-11-25T14:30+2", "--1h", "1e9",
    ])
    func refuses(text: String) {
        #expect(throws: TimeSpec.Invalid.self) { try TimeSpec.parse(text, now: Self.now, timeZone: Self.utc) }
    }
}
