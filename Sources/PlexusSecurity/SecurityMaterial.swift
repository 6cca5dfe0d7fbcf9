import PlexusCore

#if canImport(Glibc)
    import Glibc
#endif

/// The keys a `[security]` section names, read from their files: the key we sign with and the
/// keyring we accept (our own key added, for the hosts we speak for). Every problem is a
/// `ConfigError` with the file, the key and the reason, so `--check` and start-up say the same.
public struct SecurityMaterial: Sendable {
    public var signingKey: SigningKey?
    public var keyring: Keyring

    public init(signingKey: SigningKey? = nil, keyring: Keyring = Keyring()) {
        self.signingKey = signingKey
        self.keyring = keyring
    }

    /// Reads what `security` names. `section` is the configuration's key for it (`security`,
    /// `data_source[0].listen`), `file` the configuration file; `ownHosts` the names our own
    /// key speaks for in our keyring. `read` returns a file's text (tests give files as values).
    public static func load(
        _ security: AgentConfiguration.Security, section: String, file: String, ownHosts: [String] = [],
        read: (String) throws(ConfigError) -> String = readSecret
    ) throws(ConfigError) -> SecurityMaterial {
        var material = SecurityMaterial()
        if let path = security.keyFile { material.signingKey = try signingKey(file: path, read: read) }
        if let path = security.keyring {
            for (i, entry) in try KeyringFile.parseKeyring(try read(path), file: path).enumerated() {
                var hex = entry.secret
                if let secretFile = entry.secretFile {
                    let (id, secret) = try KeyringFile.parseKey(try read(secretFile), file: secretFile)
                    guard id == entry.id else {
                        throw ConfigError(
                            file: path, key: "key[\(i)].secret_file", reason: "\(secretFile) holds key \(id.debugDescription), not \(entry.id.debugDescription)"
                        )
                    }
                    hex = secret
                }
                let key = SigningKey(id: entry.id, secret: SigningKey.secret(hex: hex ?? "")!)
                material.keyring.addIfAbsent(Keyring.Entry(key: key, hosts: entry.hosts, spoof: entry.spoof))
            }
        }
        if let key = material.signingKey {
            if let listed = material.keyring.entries[key.id], listed.key != key {
                throw ConfigError(
                    file: file, key: "\(section).key_file",
                    reason: "key \(key.id.debugDescription) is in the keyring with another secret")
            }
            material.keyring.addIfAbsent(Keyring.Entry(key: key, hosts: ownHosts))
        }
        return material
    }

    /// The key in a key file (`plexus keygen`'s), as the agent, `plexus send` and the benchmark
    /// flood read it.
    public static func signingKey(
        file path: String, read: (String) throws(ConfigError) -> String = readSecret
    ) throws(ConfigError) -> SigningKey {
        let (id, hex) = try KeyringFile.parseKey(try read(path), file: path)
        return SigningKey(id: id, secret: SigningKey.secret(hex: hex)!)
    }

    /// Files larger than this are not key files.
    public static let maxFileBytes = 1 << 20

    /// A key file's or keyring's text. Refused when every user may read it (as ssh refuses a
    /// private key others can read): a secret others can read is no longer one.
    public static func readSecret(_ path: String) throws(ConfigError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ConfigError(file: path, reason: "cannot read: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ConfigError(file: path, reason: "cannot stat: \(String(cString: strerror(errno)))") }
        guard info.st_mode & S_IFMT == S_IFREG else { throw ConfigError(file: path, reason: "not a regular file") }
        if info.st_mode & S_IROTH != 0 {
            let mode = String(info.st_mode & 0o777, radix: 8)
            throw ConfigError(file: path, reason: "every user may read it (mode \(mode)); keys are secret: chmod o-r \(path)")
        }
        guard info.st_size <= maxFileBytes else { throw ConfigError(file: path, reason: "\(info.st_size) bytes is too large for a key file") }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var filled = 0
        while filled < bytes.count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            guard n > 0 else {
                if n < 0, errno == EINTR { continue }
                throw ConfigError(file: path, reason: "cannot read: \(n == 0 ? "cut short" : String(cString: strerror(errno)))")
            }
            filled += n
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw ConfigError(file: path, reason: "not UTF-8 text") }
        return text
    }
}
