import Foundation
import PlexusCore

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

    public init(
        id: Int, start: Int64, end: Int64? = nil, text: String, tags: [String] = [], cluster: String? = nil,
        host: String? = nil, created: Int64
    ) {
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
