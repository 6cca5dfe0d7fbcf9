import Foundation

/// Something that happened — a deploy, an incident, a maintenance window — marked on graphs.
///
/// Events are scoped like ganglia-web's: a cluster pattern and a host pattern (shell globs,
/// `*` and `?` and `[...]`); no pattern means everywhere. A host graph shows the events whose
/// patterns match its cluster and host, a cluster graph those whose cluster pattern matches, the
/// grid every event.
public struct Event: Sendable, Hashable, Codable {
    public var id: Int
    /// Seconds since the epoch.
    public var start: Int64
    /// For events that last (a maintenance window, an incident); nil for a moment (a deploy).
    public var end: Int64?
    public var text: String
    /// `deploy`, `incident`, or any word of the team's own.
    public var tags: [String]
    public var cluster: String?
    public var host: String?
    /// When it was recorded.
    public var created: Int64

    public init(id: Int, start: Int64, end: Int64? = nil, text: String, tags: [String] = [], cluster: String? = nil,
                host: String? = nil, created: Int64) {
        self.id = id
        self.start = start
        self.end = end
        self.text = text
        self.tags = tags
        self.cluster = cluster
        self.host = host
        self.created = created
    }

    /// What an event applies to.
    public enum Scope: Sendable, Hashable {
        case host(cluster: String, host: String)
        case cluster(String)
        case grid

        /// A host's graph with both, a cluster's with a cluster, the grid's with neither.
        public init(cluster: String?, host: String?) {
            self = if let cluster, let host { .host(cluster: cluster, host: host) } else if let cluster { .cluster(cluster) } else { .grid }
        }
    }

    /// The events that a graph of `scope` over `start...end` shows, with `tag` if given (any
    /// case), oldest first: what `plexus events list`, the events API and the graphs select.
    public static func select(_ events: [Event], start: Int64 = .min, end: Int64 = .max, scope: Scope = .grid, tag: String? = nil) -> [Event] {
        events.filter { event in
            event.overlaps(start: start, end: end) && event.applies(to: scope)
                && (tag.map { wanted in event.tags.contains { $0.lowercased() == wanted.lowercased() } } ?? true)
        }.sorted { ($0.start, $0.id) < ($1.start, $1.id) }
    }

    public func applies(to scope: Scope) -> Bool {
        switch scope {
        case .grid: true
        case .cluster(let c): Self.matches(cluster, c)
        case .host(let c, let h): Self.matches(cluster, c) && Self.matches(host, h)
        }
    }

    /// True when the event overlaps `start...end`.
    public func overlaps(start: Int64, end: Int64) -> Bool {
        self.start <= end && (self.end ?? self.start) >= start
    }

    static func matches(_ pattern: String?, _ name: String) -> Bool {
        pattern.map { NamePattern($0).matches(name) } ?? true
    }

    /// Why an event can't be recorded, or nil.
    public func problem() -> String? {
        if text.trimmingCharacters(in: .whitespaces).isEmpty { return "the event needs a text" }
        if text.count > Self.maxTextLength { return "the text is longer than \(Self.maxTextLength) characters" }
        if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "the text has a control character (a line break?)"
        }
        for text in [text, cluster ?? "", host ?? ""] {
            if let scalar = text.unicodeScalars.first(where: Self.isDirectionControl) {
                return "the text has a bidirectional control character (U+\(String(scalar.value, radix: 16, uppercase: true))), "
                    + "which would show it in another order than it was written"
            }
        }
        for (what, time) in [("start", start), ("end", end ?? start)] where !Self.times.contains(time) {
            return "the \(what) (\(time)) is not between 2000-01-01 and 2100-01-01"
        }
        if let end, end < start { return "the end (\(end)) is before the start (\(start))" }
        for tag in tags where !Self.isTag(tag) {
            return "tag \(tag.debugDescription) must be 1–32 letters, digits, '-' or '_'"
        }
        for pattern in [cluster, host].compactMap({ $0 }) where pattern.isEmpty || pattern.count > 255 {
            return "a cluster or host pattern must be 1–255 characters"
        }
        return nil
    }

    public static let maxTextLength = 500
    /// The times an event may have: 2000-01-01 to 2100-01-01 (what graphs can show, with room
    /// for maintenance planned years ahead; `Int64.max` is a typo, not a plan).
    public static let times: ClosedRange<Int64> = 946_684_800...4_102_444_800

    /// The explicit embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): text
    /// that shows in another order than it reads ("Trojan Source"). Marks (U+200E, U+200F)
    /// and joiners stay allowed: they change no order on their own.
    static func isDirectionControl(_ scalar: Unicode.Scalar) -> Bool {
        (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
    }

    static func isTag(_ tag: String) -> Bool {
        (1...32).contains(tag.count) && tag.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}

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
        let record: Record = switch entry {
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
            let event = Event(id: record.id, start: start, end: record.end, text: text, tags: record.tags ?? [],
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

/// A shell glob (`*`, `?`, `[...]`, as `fnmatch` reads them) over host, cluster or metric names,
/// case-insensitive as host names are.
public struct NamePattern: Sendable, Hashable {
    public var pattern: String

    public init(_ pattern: String) {
        self.pattern = pattern
    }

    public func matches(_ name: String) -> Bool {
        fnmatch(pattern.lowercased(), name.lowercased(), 0) == 0
    }
}
