/// Where rrdcached listens, in the forms rrdcached and gmetad accept: `unix:/path`, `/path`,
/// `host`, `host:port`, `[v6]:port` (default port 42217).
public enum RRDCachedAddress: Sendable, Hashable, CustomStringConvertible {
    case unix(path: String)
    case tcp(host: String, port: Int)

    public static let defaultPort = 42217

    /// Parses an address; nil when it can't be one (the configuration names the key).
    public init?(_ text: String) {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst(5))
            guard path.hasPrefix("/"), path.utf8.count < 108 else { return nil }
            self = .unix(path: path)
            return
        }
        if text.hasPrefix("/") {
            guard text.utf8.count < 108 else { return nil }
            self = .unix(path: text)
            return
        }
        var host = text, port = Self.defaultPort
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let p = Int(rest.dropFirst()) else { return nil }
                port = p
            }
        } else if let colon = text.lastIndex(of: ":"), text.firstIndex(of: ":") == colon {
            host = String(text[..<colon])
            guard let p = Int(text[text.index(after: colon)...]) else { return nil }
            port = p
        } else if text.contains(":") {
            // More than one colon without brackets: an IPv6 address alone, or nothing
            // (`foo:bar:baz` is a typo, not a host).
            guard IPAddress(text) != nil else { return nil }
        }
        guard !host.isEmpty, (1...65535).contains(port), !host.contains(where: { $0 == " " || $0 == "/" }) else { return nil }
        self = .tcp(host: host, port: port)
    }

    public var description: String {
        switch self {
        case .unix(let path): "unix:\(path)"
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }
}
