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
        if let tls = configuration.tls {
            secrets.serverTLS = try TLSContext.server(certificate: tls.certificate, key: tls.key, clientCA: tls.clientCA, file: file, section: "")
        }
        return secrets
    }

    func security(_ index: Int) -> SecurityMaterial { index < security.count ? security[index] : SecurityMaterial() }
    func pollTLS(_ index: Int) -> TLSContext? { index < pollTLS.count ? pollTLS[index] : nil }
}
