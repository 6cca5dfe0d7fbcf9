/// Reading the export keys: gmetad's `carbon_*` and `graphite_*`, `export_metrics` and
/// `[[remote_write]]` (their names appear here only; `docs/exports.md`).
extension AggregatorConfiguration {
    static func readExports(_ t: inout ConfigTable) throws(ConfigError) -> ExportConfiguration {
        var exports = ExportConfiguration()
        let carbonKeys = ["carbon_port", "carbon_protocol", "carbon_timeout", "graphite_prefix", "graphite_path", "carbon_queue_capacity"]
        if let server = try t.string("carbon_server") {
            guard !server.isEmpty, !server.contains(where: \.isWhitespace) else { throw t.error("carbon_server", "expected a host name or address") }
            var g = ExportConfiguration.Graphite(server: server)
            g.port = try t.integer("carbon_port", in: 1...65535) ?? g.port
            if let text = try t.string("carbon_protocol") {
                guard let transport = ExportConfiguration.Graphite.Transport(rawValue: text.lowercased()) else {
                    throw t.error("carbon_protocol", "expected tcp or udp, found \(text.debugDescription)")
                }
                g.transport = transport
            }
            g.timeoutMilliseconds = try t.integer("carbon_timeout", in: 1...600_000) ?? g.timeoutMilliseconds
            g.prefix = try pathPart(&t, "graphite_prefix")
            g.path = try pathPart(&t, "graphite_path")
            if let path = g.path, !["%s", "%h", "%m"].contains(where: path.contains) {
                throw t.error("graphite_path", "uses none of %s (cluster), %h (host), %m (metric): every value would have the same path")
            }
            g.queueCapacity = try t.integer("carbon_queue_capacity", in: 1...100_000_000) ?? g.queueCapacity
            exports.graphite = g
        } else if let key = carbonKeys.first(where: t.has) {
            throw t.error(key, "has no effect without carbon_server")
        }
        if let globs = try t.strings("export_metrics") {
            for (i, glob) in globs.enumerated() {
                if let problem = Self.globProblem(glob) { throw t.error("export_metrics[\(i)]", problem) }
            }
            exports.metrics = globs.map(NamePattern.init)
        }
        if let tables = try t.tables("remote_write") {
            exports.remoteWrite = try tables.map { table throws(ConfigError) in try readRemoteWrite(table) }
            var names: Set<String> = []
            for (i, destination) in exports.remoteWrite.enumerated() where !names.insert(destination.name).inserted {
                throw t.error("remote_write[\(i)].name", "\(destination.name.debugDescription) names another remote_write too")
            }
        }
        return exports
    }

    /// A prefix or path: no whitespace (it would end the line carbon reads).
    private static func pathPart(_ t: inout ConfigTable, _ key: String) throws(ConfigError) -> String? {
        guard let text = try t.string(key) else { return nil }
        guard !text.isEmpty, !text.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw t.error(key, "must not be empty or hold spaces (carbon reads `path value time` lines)")
        }
        return text
    }

    static func readRemoteWrite(_ table: ConfigTable) throws(ConfigError) -> ExportConfiguration.RemoteWrite {
        var t = table
        guard let url = try t.string("url") else { throw t.error("url", "every remote_write needs the receiver's url") }
        guard let target = RemoteWriteURL(url) else {
            throw t.error("url", "expected an http:// or https:// URL with a host, found \(url.debugDescription)")
        }
        var r = ExportConfiguration.RemoteWrite(url: url, name: try t.string("name") ?? target.hostAndPort)
        if r.name.isEmpty { throw t.error("name", "must not be empty") }
        r.bearerToken = try t.string("bearer_token")
        r.bearerTokenFile = try absolutePath(&t, "bearer_token_file")
        if r.bearerToken != nil, r.bearerTokenFile != nil { throw t.error("bearer_token_file", "give bearer_token or bearer_token_file, not both") }
        r.basicAuthUsername = try t.string("basic_auth_username")
        r.basicAuthPassword = try t.string("basic_auth_password")
        r.basicAuthPasswordFile = try absolutePath(&t, "basic_auth_password_file")
        if r.basicAuthPassword != nil, r.basicAuthPasswordFile != nil {
            throw t.error("basic_auth_password_file", "give basic_auth_password or basic_auth_password_file, not both")
        }
        if r.basicAuthUsername == nil, r.basicAuthPassword != nil || r.basicAuthPasswordFile != nil {
            throw t.error("basic_auth_username", "a basic_auth password needs its username")
        }
        if r.basicAuthUsername != nil, r.bearerToken != nil || r.bearerTokenFile != nil {
            throw t.error("basic_auth_username", "give a bearer token or basic auth, not both (one Authorization header)")
        }
        if let name = r.basicAuthUsername, name.contains(":") { throw t.error("basic_auth_username", "must not contain ':'") }
        r.caFile = try absolutePath(&t, "ca_file")
        if r.caFile != nil, !target.tls { throw t.error("ca_file", "is for an https:// url") }
        r.remoteTimeout = try t.number("remote_timeout", in: 0.1...3600) ?? r.remoteTimeout
        r.queueCapacity = try t.integer("queue_capacity", in: 1...100_000_000) ?? r.queueCapacity
        r.maxSamplesPerSend = try t.integer("max_samples_per_send", in: 1...1_000_000) ?? r.maxSamplesPerSend
        if r.maxSamplesPerSend > r.queueCapacity { throw t.error("max_samples_per_send", "is more than queue_capacity (\(r.queueCapacity))") }
        r.batchSendDeadline = try t.number("batch_send_deadline", in: 0.01...3600) ?? r.batchSendDeadline
        r.minBackoff = try t.number("min_backoff", in: 0.001...3600) ?? r.minBackoff
        r.maxBackoff = try t.number("max_backoff", in: 0.001...86_400) ?? r.maxBackoff
        if r.maxBackoff < r.minBackoff { throw t.error("max_backoff", "is less than min_backoff (\(r.minBackoff))") }
        try t.finish()
        return r
    }

    private static func absolutePath(_ t: inout ConfigTable, _ key: String) throws(ConfigError) -> String? {
        guard let path = try t.string(key) else { return nil }
        guard path.hasPrefix("/") else { throw t.error(key, "must be an absolute path, found \(path.debugDescription)") }
        return path
    }
}

/// The parts of a remote-write URL the configuration checks: scheme and host (no Foundation
/// in the core).
struct RemoteWriteURL {
    var tls: Bool
    var hostAndPort: String

    init?(_ text: String) {
        let lower = text.lowercased()
        let rest: Substring
        if lower.hasPrefix("https://") {
            tls = true
            rest = text.dropFirst(8)
        } else if lower.hasPrefix("http://") {
            tls = false
            rest = text.dropFirst(7)
        } else {
            return nil
        }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let host = authority.split(separator: "@", maxSplits: 1).last.map(String.init) ?? ""
        guard !host.isEmpty, !text.contains(where: { $0.isWhitespace || $0.isNewline }) else { return nil }
        hostAndPort = host
    }
}
