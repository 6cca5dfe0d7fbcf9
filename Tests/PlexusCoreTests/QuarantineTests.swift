import PlexusCore
import Testing

@Suite struct QuarantineTests {
    @Test func subjectsAreCountedBoundedAndTheStalestGoesFirst() {
        var q = Quarantine(capacity: 2)
        q.record("web/a", reason: "host limit", now: 1)
        q.record("web/b", reason: "host limit", now: 2)
        q.record("web/a", reason: "host limit", now: 3)
        #expect(q.entries.map(\.subject) == ["web/b", "web/a"] && q.entries[1].count == 2 && q.entries[1].first == 1)
        q.record("web/c", reason: "host limit", now: 4)
        #expect(q.entries.map(\.subject) == ["web/a", "web/c"] && q.total == 4)
        q.record(String(repeating: "x", count: 10_000), reason: "long", now: 5)
        #expect(q.entries.last?.subject.utf8.count == 255)
    }
}
