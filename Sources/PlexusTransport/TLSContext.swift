import NIOCore
import NIOSSL
import PlexusCore

/// TLS for the XML ports and the polls that read them (`docs/security.md#tls`): a server's
/// certificate and key, optionally the CA its clients' certificates must be signed by (mutual
/// TLS); a client's trusted CA and optionally its own certificate. Built once at start from PEM
/// files; a file that can't be read or used is a `ConfigError` naming the configuration key.
public struct TLSContext: Sendable {
    let context: NIOSSLContext

    /// A server's context. With `clientCA`, a client without a certificate signed by it is refused.
    public static func server(
        certificate: String, key: String, clientCA: String?, file: String, section: String
    ) throws(ConfigError) -> TLSContext {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try chain(certificate, file: file, key: keyPath(section, "tls_cert")).map { .certificate($0) },
            privateKey: .privateKey(try privateKey(key, file: file, key: keyPath(section, "tls_key"))))
        if let clientCA {
            configuration.trustRoots = .certificates(try chain(clientCA, file: file, key: keyPath(section, "tls_client_ca")))
            // A client certificate is required and checked against the CA; clients have no host name to match.
            configuration.certificateVerification = .noHostnameVerification
        }
        return TLSContext(context: try make(configuration, file: file, key: keyPath(section, "tls_cert")))
    }

    /// A polling client's context: the server's certificate must be signed by `ca` (the system's
    /// CAs without one) and name the host polled (or its IP address).
    /// `caKey` names the CA's key in errors.
    public static func client(
        ca: String?, certificate: String?, key: String?, file: String, section: String, caKey: String = "tls_ca"
    ) throws(ConfigError) -> TLSContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let ca { configuration.trustRoots = .certificates(try chain(ca, file: file, key: keyPath(section, caKey))) }
        if let certificate, let key {
            configuration.certificateChain = try chain(certificate, file: file, key: keyPath(section, "tls_cert")).map { .certificate($0) }
            configuration.privateKey = .privateKey(try privateKey(key, file: file, key: keyPath(section, "tls_key")))
        }
        return TLSContext(context: try make(configuration, file: file, key: keyPath(section, caKey)))
    }

    /// The handler a server's accepted connection starts with.
    func serverHandler() -> NIOSSLServerHandler { NIOSSLServerHandler(context: context) }

    /// The handler a client's connection to `host` starts with: SNI and the name checked
    /// against the certificate for a host name, the peer's address for an IP address.
    func clientHandler(host: String) throws -> NIOSSLClientHandler {
        try NIOSSLClientHandler(context: context, serverHostname: IPAddress(host) == nil ? host : nil)
    }

    /// `section.key`, or `key` at the top of the file.
    static func keyPath(_ section: String, _ key: String) -> String { section.isEmpty ? key : "\(section).\(key)" }

    private static func chain(_ path: String, file: String, key: String) throws(ConfigError) -> [NIOSSLCertificate] {
        do {
            let certificates = try NIOSSLCertificate.fromPEMFile(path)
            guard !certificates.isEmpty else { throw ConfigError(file: file, key: key, reason: "\(path) holds no PEM certificate") }
            return certificates
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError(file: file, key: key, reason: "cannot load the certificate \(path): \(describe(error))")
        }
    }

    private static func privateKey(_ path: String, file: String, key: String) throws(ConfigError) -> NIOSSLPrivateKey {
        do {
            return try NIOSSLPrivateKey(file: path, format: .pem)
        } catch {
            throw ConfigError(file: file, key: key, reason: "cannot load the private key \(path): \(describe(error))")
        }
    }

    private static func make(_ configuration: TLSConfiguration, file: String, key: String) throws(ConfigError) -> NIOSSLContext {
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw ConfigError(file: file, key: key, reason: "the certificate and key can't be used together: \(describe(error))")
        }
    }

    /// An operator's words for NIOSSL's errors: BoringSSL's reason, not a Swift enum dump.
    public static func describe(_ error: any Error) -> String {
        switch error {
        case NIOSSLError.handshakeFailed(let failure): "TLS handshake failed: \(reason(failure))"
        case NIOSSLError.noSuchFilesystemObject: "no such file"
        case NIOSSLError.failedToLoadCertificate: "not a PEM certificate"
        case NIOSSLError.failedToLoadPrivateKey: "not a PEM private key"
        case NIOSSLError.uncleanShutdown: "the TLS peer closed without close_notify"
        case let extra as NIOSSLExtraError where extra == .failedToValidateHostname: "the server's certificate does not name the host polled"
        case let failure as BoringSSLError: reason(failure)
        default: "\(error)"
        }
    }

    private static func reason(_ failure: BoringSSLError) -> String {
        switch failure {
        case .sslError(let stack), .unknownError(let stack):
            // "Error: 268435581 error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED at FILE:LINE"
            // → "certificate verify failed".
            let words = stack.map { error -> String in
                let text = "\(error)"
                guard let start = text.firstRange(of: "OPENSSL_internal:")?.upperBound else { return text }
                let reason = text[start...].prefix { $0 != " " }
                return reason.replacing("_", with: " ").lowercased()
            }
            return words.isEmpty ? "\(failure)" : words.joined(separator: "; ")
        default: return "\(failure)"
        }
    }
}
