import Foundation
import PlexusArchive
import PlexusCore
import PlexusTestSupport
import Testing

/// The events journal on a real filesystem: an acknowledged add is durable or reported failed,
/// never both (a full disk included), ids are never handed out twice, and a long-running
/// reader reads only what was appended.
@Suite struct EventJournalTests {
    static let t: Int64 = 1_795_543_200

    static func event(_ text: String) -> (Int) -> Event {
        { Event(id: $0, start: t, text: text, tags: ["deploy"], created: t) }
    }

    @Test func anAddOnAFullDiskLeavesNothingBehindAndSaysWhy() throws {
        let disk = try SmallFilesystem(bytes: 64 << 10)
        defer { disk.unmount() }
        let file = EventFile(path: disk.appending("events.jsonl"))
        // Enough events that the next long one crosses into a page the disk no longer has.
        var added = 0
        func size() throws -> Int { try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int ?? 0 }
        repeat {
            added = try file.add(Self.event("deploy \(added)")).id
        } while try size() % 4096 < 3500
        disk.fill()
        let before = try Data(contentsOf: URL(fileURLWithPath: file.path))
        let long = String(repeating: "x", count: Event.maxTextLength)
        #expect {
            _ = try file.add(Self.event(long))
        } throws: { error in
            let text = "\(error)"
            return text.contains("No space left on device (errno 28)") && text.contains("bytes written") && text.contains(file.path)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: file.path)) == before, "the half line was taken back")
        #expect(try file.read().malformedLines.isEmpty)
        disk.free()
        let next = try file.add(Self.event(long))
        #expect(next.id == added + 1)
        let replay = try file.read()
        #expect(replay.events.last == next && replay.malformedLines.isEmpty && replay.nextID == added + 2)
    }

    @Test func aHalfLineFromACrashNeitherSwallowsTheNextAddNorLendsItsID() throws {
        let dir = try TemporaryDirectory(prefix: "plexus-journal")
        defer { dir.remove() }
        let file = EventFile(path: dir.appending("events.jsonl"))
        _ = try file.add(Self.event("one"))
        // What a writer killed mid-line (or an older version on a full disk) left.
        let half = EventJournal.line(.add(Event(id: 2, start: Self.t, text: "two", created: Self.t))).prefix(40)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file.path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(half.utf8))
        try handle.close()
        let three = try file.add(Self.event("three"))
        #expect(three.id == 3, "id 2 may have been reported to whoever wrote the half line")
        let replay = try file.read()
        #expect(replay.events.map(\.text) == ["one", "three"] && replay.malformedLines == [2])
        #expect(try file.add(Self.event("four")).id == 4)
    }

    @Test func aReaderReadsOnlyWhatWasAppended() throws {
        let dir = try TemporaryDirectory(prefix: "plexus-journal")
        defer { dir.remove() }
        let file = EventFile(path: dir.appending("events.jsonl"))
        let lines = (1...3000).map { EventJournal.line(.add(Event(id: $0, start: Self.t + Int64($0), text: "event \($0)", created: Self.t))) }
        try lines.joined().write(toFile: file.path, atomically: false, encoding: .utf8)
        let size = lines.joined().utf8.count
        let reader = EventJournalReader(file: file)
        let first = try reader.current()
        #expect(first.events.count == 3000 && reader.bytesRead == size)
        for _ in 0..<50 { _ = try reader.current() }
        #expect(reader.bytesRead == size, "nothing new, nothing read")
        // Another writer (the CLI) appends: only its line is read.
        let added = try file.add(Self.event("from the CLI"))
        let after = try reader.current()
        #expect(after.events.last == added && after.nextID == 3002)
        #expect(reader.bytesRead == size + EventJournal.line(.add(added)).utf8.count)
        // Adds through the reader read only what is new, under the writer's lock.
        let removed = try reader.remove(id: 1, at: Self.t)
        let afterRemoval = try reader.current()
        #expect(removed?.text == "event 1" && afterRemoval.events.first?.id == 2)
        // Replaced by another file (an operator's edit saved as a new file): read whole again.
        try EventJournal.line(.add(Event(id: 7, start: Self.t, text: "only", created: Self.t))).write(toFile: file.path, atomically: true, encoding: .utf8)
        #expect(try reader.current().events.map(\.text) == ["only"])
        unlink(file.path)
        #expect(try reader.current().events.isEmpty)
    }
}
