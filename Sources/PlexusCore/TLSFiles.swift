/// TLS for an XML port (`tls_cert`, `tls_key`, `tls_client_ca`): PEM files, read at start.
/// With a client CA, clients must present a certificate it signed (mutual TLS).
public struct ServerTLS: Sendable, Equatable {
    public var certificate: String
    public var key: String
    public var clientCA: String?

    public init(certificate: String, key: String, clientCA: String? = nil) {
        self.certificate = certificate
        self.key = key
        self.clientCA = clientCA
    }
}

/// TLS for a poll (`tls = true`, `tls_ca`, `tls_cert`, `tls_key`): the CA the server's
/// certificate must be signed by (the system's CAs without one), and our own certificate for a
/// server that asks for one.
public struct ClientTLS: Sendable, Equatable {
    public var ca: String?
    public var certificate: String?
    public var key: String?

    public init(ca: String? = nil, certificate: String? = nil, key: String? = nil) {
        self.ca = ca
        self.certificate = certificate
        self.key = key
    }
}
