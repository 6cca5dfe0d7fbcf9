import Foundation
import PlexusCore

/// The events file: an append-only journal of JSON lines, one `add` or `remove` per line, so a
/// writer never rewrites what others may be reading and a crash loses at most the line being
/// written. Replaying it gives the current events; lines that don't parse are counted and
/// skipped, never fatal.
public enum EventJournal {
    /// One line of the journal.
    public enum Entry: Sendable, Hashable {
        case add(Event)
        case remove(id: Int, at: Int64)
    }

    public struct Replay: Sendable, Equatable {
        /// In the order they were added.
        public private(set) var events: [Event] = []
        /// The id the next `add` gets: ids are never reused, even after a remove, and not even
        /// an id that only a malformed line names (a half-written add may have been handed
        /// out before the disk filled).
        public private(set) var nextID = 1
        /// 1-based numbers of the lines that were not journal entries.
        public private(set) var malformedLines: [Int] = []
        /// Lines read so far (`apply` numbers the next text's lines after them).
        public private(set) var lineCount = 0
        /// Each event's index in `events`.
        private var positions: [Int: Int] = [:]

        public init() {}

        /// Reads whole lines of journal text (what follows the text applied before).
        public mutating func apply(_ text: Substring) {
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                lineCount += 1
                if line.allSatisfy(\.isWhitespace) { continue }
                guard let entry = EventJournal.decode(line) else {
                    malformedLines.append(lineCount)
                    if let id = EventJournal.mentionedID(line) { nextID = max(nextID, id + 1) }
                    continue
                }
                apply(entry)
            }
            // The text ends with a newline: the empty piece after it is no line.
            if text.last == "\n" || text.isEmpty { lineCount -= 1 }
        }

        mutating func apply(_ entry: Entry) {
            switch entry {
            case .add(let event):
                if let position = positions[event.id] {
                    events[position] = event
                } else {
                    positions[event.id] = events.count
                    events.append(event)
                }
                nextID = max(nextID, event.id + 1)
            case .remove(let id, _):
                nextID = max(nextID, id + 1)
                guard let position = positions.removeValue(forKey: id) else { return }
                events.remove(at: position)
                for i in position..<events.count { positions[events[i].id] = i }
            }
        }
    }

    public static func replay(_ text: String) -> Replay {
        var replay = Replay()
        replay.apply(text[...])
        return replay
    }

    /// The id a line that doesn't parse still names (`"id":29`), if any.
    static func mentionedID(_ line: Substring) -> Int? {
        guard let range = line.range(of: "\"id\":") else { return nil }
        let digits = line[range.upperBound...].prefix { $0.isASCII && $0.isNumber }.prefix(18)
        return Int(digits)
    }

    /// The journal line of `entry`, with its newline.
    public static func line(_ entry: Entry) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let record: Record =
            switch entry {
            case .add(let event): Record(op: "add", event: event)
            case .remove(let id, let at): Record(op: "remove", id: id, removed: at)
            }
        // Encoding plain strings and integers cannot fail.
        let data = (try? encoder.encode(record)) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func decode(_ line: Substring) -> Entry? {
        guard let record = try? JSONDecoder().decode(Record.self, from: Data(line.utf8)) else { return nil }
        switch record.op {
        case "add":
            guard let start = record.start, let text = record.text, let created = record.created, record.id > 0 else { return nil }
            let event = Event(
                id: record.id, start: start, end: record.end, text: text, tags: record.tags ?? [],
                cluster: record.cluster, host: record.host, created: created)
            return event.problem() == nil ? .add(event) : nil
        case "remove":
            guard let removed = record.removed else { return nil }
            return .remove(id: record.id, at: removed)
        default:
            return nil
        }
    }

    /// The JSON shape of a line.
    struct Record: Codable {
        var op: String
        var id: Int
        var start: Int64?
        var end: Int64?
        var text: String?
        var tags: [String]?
        var cluster: String?
        var host: String?
        var created: Int64?
        var removed: Int64?

        init(op: String, event: Event) {
            self.op = op
            id = event.id
            start = event.start
            end = event.end
            text = event.text
            tags = event.tags
            cluster = event.cluster
            host = event.host
            created = event.created
        }

        init(op: String, id: Int, removed: Int64) {
            self.op = op
            self.id = id
            self.removed = removed
        }
    }
}
