import Foundation
import Hummingbird
import PlexusArchive
import PlexusCore

/// The parameters every page keeps in its links, in ganglia-web's words: `r` (hour … year),
/// `cs`/`ce` (a custom start and end, as the CLI takes times), `z` (graph size); the cluster
/// page adds `m` (metric), `s` (sort) and `f` (host pattern).
struct PageQuery: Sendable {
    var range: GraphRequest.NamedRange = .hour
    var start: String?
    var end: String?
    var size: GraphRequest.Size = .small
    var metric: String?
    var sort: String?
    var filter: String?

    init(_ request: Request) {
        if let r = request.parameter("r"), let named = GraphRequest.NamedRange(rawValue: r) { range = named }
        start = request.parameter("cs").map { String($0.prefix(64)) }
        end = request.parameter("ce").map { String($0.prefix(64)) }
        if let z = request.parameter("z"), let named = GraphRequest.Size(rawValue: z) { size = named }
        metric = request.parameter("m").map { String($0.prefix(255)) }
        sort = request.parameter("s")
        filter = request.parameter("f").map { String($0.prefix(255)) }
    }

    init() {}

    /// The cluster page's host orders (`s`), ganglia-web's: by name, by the chosen metric's
    /// value either way, or down hosts first.
    enum HostOrder: String, CaseIterable {
        case name, descending, ascending, down

        var label: String {
            switch self {
            case .name: "by name"
            case .descending: "highest first"
            case .ascending: "lowest first"
            case .down: "down first"
            }
        }
    }

    /// The time part of a graph URL: the custom start and end if given, else the range.
    var timeParameters: [(String, String)] {
        if let start { return [("start", start)] + (end.map { [("end", $0)] } ?? []) }
        return [("range", range.rawValue)]
    }

    /// The page parameters to keep (`r` or `cs`/`ce`, `z`, and the cluster page's own).
    var pageParameters: [(String, String)] {
        var parameters: [(String, String)] = start.map { [("cs", $0)] + (end.map { [("ce", $0)] } ?? []) } ?? [("r", range.rawValue)]
        parameters.append(("z", size.rawValue))
        for (name, value) in [("m", metric), ("s", sort), ("f", filter)] {
            if let value { parameters.append((name, value)) }
        }
        return parameters
    }

    /// `path?query` with these page parameters, changed by `changes` (nil removes one).
    func link(_ path: String, _ changes: [String: String?] = [:]) -> String {
        var parameters = pageParameters.filter { changes[$0.0] == nil }
        for (name, value) in changes.sorted(by: { $0.key < $1.key }) {
            if let value { parameters.append((name, value)) }
        }
        return URLText.path(path, parameters)
    }

    /// A graph's URL: `subject` as cluster/host/grid parameters, then what and when.
    func graph(
        _ subject: [(String, String)], _ content: (String, String), size: GraphRequest.Size? = nil,
        range: GraphRequest.NamedRange? = nil
    ) -> String {
        let time = range.map { [("range", $0.rawValue)] } ?? timeParameters
        return URLText.path("/graph.png", subject + [content] + time + [("size", (size ?? self.size).rawValue)])
    }
}

/// Text from the network made safe for HTML, as Mustache's `{{x}}` does, for the long lists
/// rendered without a template (a cluster page with a thousand hosts).
enum HTMLText {
    static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else { return text }
        var out = ByteText(capacity: text.utf8.count + 16)
        out.putHTML(text)
        return out.string
    }
}

/// Building URLs from names that came from the network: every component percent-encoded.
enum URLText {
    /// Unreserved characters only (RFC 3986): everything else is encoded.
    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func component(_ text: String) -> String {
        // Most names need nothing: skip Foundation's encoder for them.
        if text.utf8.allSatisfy({ isUnreserved($0) }) { return text }
        return text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default: false
        }
    }

    static func path(_ path: String, _ parameters: [(String, String)]) -> String {
        guard !parameters.isEmpty else { return path }
        return path + "?" + parameters.map { component($0.0) + "=" + component($0.1) }.joined(separator: "&")
    }

    /// `/cluster/<c>/host/<h>`-style paths, each name encoded.
    static func segments(_ parts: String...) -> String {
        "/" + parts.map(component).joined(separator: "/")
    }

    /// An `http(s)` URL from the network (a child grid's AUTHORITY), or nil: a `javascript:`
    /// link must never reach an `href`.
    static func safeLink(_ text: String) -> String? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil else {
            return nil
        }
        return text
    }
}
