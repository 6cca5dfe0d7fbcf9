import Foundation
import PlexusCore
import PlexusSecurity
import PlexusTransport

/// What the configuration names in files that must be read before the aggregator starts: each
/// listened source's keys (`[data_source.listen] keyring`), the TLS of the XML and interactive
/// ports, and each polled source's TLS. Loaded by `--check` and at start alike, so both report
/// the same problems (file, key, reason).
public struct AggregatorSecrets: Sendable {
    /// By data source index (missing ones: no keys).
    public var security: [SecurityMaterial] = []
    public var serverTLS: TLSContext?
    /// By data source index (missing ones: plain TCP).
    public var pollTLS: [TLSContext?] = []
    /// By `[[remote_write]]` index: the Authorization header and the TLS context (`ca_file`).
    public var remoteWrite: [(authorization: String?, tls: TLSContext?)] = []

    public init() {}

    public static func load(_ configuration: AggregatorConfiguration, file: String) throws(ConfigError) -> AggregatorSecrets {
        var secrets = AggregatorSecrets()
        for (i, source) in configuration.dataSources.enumerated() {
            secrets.security.append(try SecurityMaterial.load(source.security, section: "data_source[\(i)].listen", file: file))
            secrets.pollTLS.append(
                try source.tls.map { tls throws(ConfigError) in
                    try TLSContext.client(ca: tls.ca, certificate: tls.certificate, key: tls.key, file: file, section: "data_source[\(i)]")
                })
        }
        for (i, destination) in configuration.exports.remoteWrite.enumerated() {
            let section = "remote_write[\(i)]"
            var token = destination.bearerToken
            if let path = destination.bearerTokenFile { token = try secret(path, file: file, key: "\(section).bearer_token_file") }
            var password = destination.basicAuthPassword
            if let path = destination.basicAuthPasswordFile { password = try secret(path, file: file, key: "\(section).basic_auth_password_file") }
            let tls = try destination.caFile.map { ca throws(ConfigError) in
                try TLSContext.client(ca: ca, certificate: nil, key: nil, file: file, section: section, caKey: "ca_file")
            }
            secrets.remoteWrite.append(
                (RemoteWriteSender.authorization(bearerToken: token, user: destination.basicAuthUsername, password: password), tls))
        }
        if let tls = configuration.tls {
            secrets.serverTLS = try TLSContext.server(certificate: tls.certificate, key: tls.key, clientCA: tls.clientCA, file: file, section: "")
        }
        return secrets
    }

    /// A token or password file's content, without the line end editors leave.
    static func secret(_ path: String, file: String, key: String) throws(ConfigError) -> String {
        guard let data = FileManager.default.contents(atPath: path), data.count <= 65_536 else {
            throw ConfigError(file: file, key: key, reason: "cannot read \(path) (or it is larger than 64 KiB)")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, !text.contains(where: \.isNewline) else {
            throw ConfigError(file: file, key: key, reason: "\(path) must hold one line, the secret")
        }
        return text
    }

    func security(_ index: Int) -> SecurityMaterial { index < security.count ? security[index] : SecurityMaterial() }
    func pollTLS(_ index: Int) -> TLSContext? { index < pollTLS.count ? pollTLS[index] : nil }
}
