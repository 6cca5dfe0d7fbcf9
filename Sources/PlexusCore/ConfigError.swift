/// A configuration problem, naming the file, the key and the reason, as an operator needs it:
/// `agent.toml: key udp_send_channel[0].port: expected an integer, found a string`.
public struct ConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    public var file: String
    /// Dotted path of the key (`globals.host_dmax`, `udp_send_channel[1].ttl`); nil for syntax.
    public var key: String?
    /// Line and column of a syntax error.
    public var line: Int?
    public var column: Int?
    public var reason: String

    public init(file: String, key: String? = nil, line: Int? = nil, column: Int? = nil, reason: String) {
        self.file = file
        self.key = key
        self.line = line
        self.column = column
        self.reason = reason
    }

    public var description: String {
        if let key { return "\(file): key \(key): \(reason)" }
        if let line, let column { return "\(file):\(line):\(column): \(reason)" }
        return "\(file): \(reason)"
    }
}
