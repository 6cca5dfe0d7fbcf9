import Foundation
import PlexusCore
import Testing

/// Events: the journal's replay, scopes, validation; and the times operators type.
@Suite struct EventTests {
    @Test func theJournalReplaysAddsAndRemovesAndSkipsBadLines() {
        let deploy = Event(id: 1, start: 1000, text: "v1.4.2 to production", tags: ["deploy"], created: 1001)
        let incident = Event(id: 2, start: 2000, end: 2600, text: "checkout 502s, \"quoted\"", tags: ["incident"], cluster: "web*", created: 2001)
        let journal = EventJournal.line(.add(deploy)) + "not json\n" + EventJournal.line(.add(incident))
            + "{\"op\":\"add\",\"id\":9,\"start\":5,\"text\":\"end before start\",\"end\":1,\"created\":5}\n"
            + EventJournal.line(.remove(id: 1, at: 3000)) + "\n{\"op\":\"explode\",\"id\":3}\n"
        let replay = EventJournal.replay(journal)
        #expect(replay.events == [incident])
        #expect(replay.malformedLines == [2, 4, 7])
        // Ids are never reused after a remove; a refused line hands out no id.
        #expect(replay.nextID == 3)
        #expect(EventJournal.line(.add(deploy)).hasSuffix("}\n") && !EventJournal.line(.add(deploy)).dropLast().contains("\n"))
        #expect(EventJournal.replay("").events.isEmpty && EventJournal.replay("").nextID == 1)
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
            var event = Event(id: 1, start: 100, text: "ok", created: 100)
            change(&event)
            return event.problem()
        }
        #expect(problem { _ in } == nil)
        #expect(problem { $0.text = "  " } != nil)
        #expect(problem { $0.text = "two\nlines" }?.contains("control") == true)
        #expect(problem { $0.end = 50 }?.contains("before") == true)
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

    @Test(arguments: [
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

    @Test(arguments: ["", "yesterday", "2026", "12345", "2026-02-30", "2026-13-01", "2026-11-25T25:00", "-5x", "now+", "25:00",
                      "2026-11-25T14:30+2", "--1h", "1e9"])
    func refuses(text: String) {
        #expect(throws: TimeSpec.Invalid.self) { try TimeSpec.parse(text, now: Self.now, timeZone: Self.utc) }
    }
}
