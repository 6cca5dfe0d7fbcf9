/// The key files `plexus keygen` writes and the keyrings receivers read (`docs/format/signed.md`),
/// as TOML in the configuration's style, checked with file, key and reason. Text only: reading a
/// `secret_file` and building the keyring is the caller's.
public enum KeyringFile {
    /// One key: its id, and its secret as 64 hex digits or the path of a key file holding it.
    public struct Entry: Sendable, Equatable {
        public var id: String
        public var secret: String?
        public var secretFile: String?
        public var hosts: [String]
        public var spoof: Bool

        public init(id: String, secret: String? = nil, secretFile: String? = nil, hosts: [String], spoof: Bool = false) {
            self.id = id
            self.secret = secret
            self.secretFile = secretFile
            self.hosts = hosts
            self.spoof = spoof
        }
    }

    /// A key id: 1–64 printable ASCII characters without spaces (the envelope carries it).
    public static func idProblem(_ id: String) -> String? {
        guard (1...64).contains(id.utf8.count), id.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return "a key id is 1 to 64 printable ASCII characters without spaces, found \(id.debugDescription)"
        }
        return nil
    }

    static func secretProblem(_ secret: String) -> String? {
        secret.utf8.count == 64 && secret.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x66) })
            ? nil : "a secret is 64 hex digits (256 bits; plexus keygen makes them)"
    }

    /// A key file: `id` and `secret`.
    public static func parseKey(_ text: String, file: String) throws(ConfigError) -> (id: String, secret: String) {
        var t = try ConfigTable.parse(text, file: file)
        guard let id = try t.string("id") else { throw t.error("id", "a key file names its key") }
        if let problem = idProblem(id) { throw t.error("id", problem) }
        guard let secret = try t.string("secret") else { throw t.error("secret", "a key file holds its secret") }
        if let problem = secretProblem(secret) { throw t.error("secret", problem) }
        try t.finish()
        return (id, secret)
    }

    /// A keyring: `[[key]]` tables of `id`, `secret` or `secret_file`, `hosts`, `spoof`.
    public static func parseKeyring(_ text: String, file: String) throws(ConfigError) -> [Entry] {
        var root = try ConfigTable.parse(text, file: file)
        var entries: [Entry] = []
        for var t in try root.tables("key") ?? [] {
            guard let id = try t.string("id") else { throw t.error("id", "every key needs its id") }
            if let problem = idProblem(id) { throw t.error("id", problem) }
            if entries.contains(where: { $0.id == id }) { throw t.error("id", "\(id.debugDescription) is listed twice") }
            var entry = Entry(id: id, hosts: try t.strings("hosts") ?? [], spoof: try t.bool("spoof") ?? false)
            entry.secret = try t.string("secret")
            entry.secretFile = try t.string("secret_file")
            switch (entry.secret, entry.secretFile) {
            case (let secret?, nil):
                if let problem = secretProblem(secret) { throw t.error("secret", problem) }
            case (nil, let path?):
                guard path.hasPrefix("/") else { throw t.error("secret_file", "must be an absolute path, found \(path.debugDescription)") }
            case (_?, _?): throw t.error("secret_file", "a key has secret or secret_file, not both")
            case (nil, nil): throw t.error("secret", "a key needs secret = \"…\" or secret_file = \"/path\"")
            }
            if entry.hosts.isEmpty, !entry.spoof {
                throw t.error("hosts", "a key speaks for the hosts listed here (or for any host with spoof = true)")
            }
            try t.finish()
            entries.append(entry)
        }
        try root.finish()
        return entries
    }

    /// The keyring entry for a key, as `plexus keygen` prints it.
    public static func entryText(id: String, secret: String, hosts: [String], spoof: Bool) -> String {
        let quoted = hosts.map { "\"" + $0.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\"" }
        return """
            [[key]]
            id = "\(id)"
            secret = "\(secret)"
            hosts = [\(quoted.joined(separator: ", "))]
            spoof = \(spoof)

            """
    }
}
