/// One request line of the interactive port (gmetad's 8652), parsed:
///
/// - `/`, `/cluster`, `/cluster/host`, `/cluster/host/metric`, each with `?filter=summary`;
/// - the same as `GET <path> HTTP/1.0|1.1` (the reply then starts with an HTTP header, and a
///   path element may be `*` for every child);
/// - `/status` (any case), optionally `?callback=name` for JSONP.
public enum GridQuery: Sendable, Equatable {
    case tree(path: [String], summary: Bool, http: Bool)
    case status(callback: String?, http: Bool)

    /// Why a request line was refused.
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        case empty
        case notAPath
        case badHTTP
        case forbiddenCharacter(Character)
        case unknownFilter(String)

        public var description: String {
            switch self {
            case .empty: "empty request"
            case .notAPath: "a request must be a path starting with /"
            case .badHTTP: "GET requests must end with HTTP/1.0 or HTTP/1.1"
            case .forbiddenCharacter(let c): "character \(String(c).debugDescription) is not allowed in a request"
            case .unknownFilter(let f): "unknown filter \(f.debugDescription) (known: summary)"
            }
        }
    }

    /// Characters gmetad refuses anywhere in a path.
    public static let forbidden: Set<Character> = [">", "!", "@", "#", "$", "%", "`", ";", "|", "\"", "\\", "'", "<"]

    /// Longest request line read (gmetad's REQUESTLEN).
    public static let maxLength = 2048

    public static func parse(_ line: String) throws(Refusal) -> GridQuery {
        var path = Substring(line.trimmingASCIIWhitespace())
        guard !path.isEmpty else { throw .empty }
        var http = false
        if path.hasPrefix("GET ") {
            guard path.hasSuffix(" HTTP/1.0") || path.hasSuffix(" HTTP/1.1") else { throw .badHTTP }
            path = path.dropFirst(4).dropLast(9)
            while path.first == " " { path = path.dropFirst() }
            http = true
        }
        guard path.first == "/" else { throw .notAPath }
        if path.count >= 7, path.prefix(7).lowercased() == "/status" {
            return .status(callback: Self.callback(in: path), http: http)
        }
        if let bad = path.first(where: { forbidden.contains($0) }) { throw .forbiddenCharacter(bad) }
        var summary = false
        if let question = path.firstIndex(of: "?") {
            let filter = path[path.index(after: question)...]
            path = path[..<question]
            let value = filter.split(separator: "=", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
            guard filter.hasPrefix("filter=") else { throw .unknownFilter(String(filter)) }
            guard value == "summary" else { throw .unknownFilter(value) }
            summary = true
        }
        let elements = path.split(separator: "/").map(String.init)
        return .tree(path: elements, summary: summary, http: http)
    }

    /// A JSONP callback name, only if it is a plain JavaScript identifier path (gmetad
    /// reflected anything, an XSS hole).
    static func callback(in path: Substring) -> String? {
        guard let range = path.firstRange(of: "?callback=") else { return nil }
        let name = path[range.upperBound...]
        guard !name.isEmpty, name.count <= 64, let first = name.first, first.isLetter || first == "_" || first == "$",
            name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "$" || $0 == ".") })
        else { return nil }
        return String(name)
    }
}
