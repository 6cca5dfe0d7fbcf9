/// Who a message is about: the prefix every Ganglia datagram carries (`Ganglia_metric_id`).
public struct MetricIdentity: Hashable, Sendable {
    /// The sender's host name, or `IP:hostname` when `spoof` is set.
    public var host: String
    /// The metric name.
    public var name: String
    /// Whether the sender speaks for another host named in `host`.
    public var spoof: Bool

    public init(host: String, name: String, spoof: Bool = false) {
        self.host = host
        self.name = name
        self.spoof = spoof
    }

    /// For a spoofed identity, the `IP` and `hostname` halves of `IP:hostname` (split at the first
    /// colon after position 0, as gmond does); nil when the text has no such colon or an empty half.
    public var spoofedAddress: (ip: String, hostname: String)? {
        spoofedSplit.map { ($0.ip, String(decoding: host.utf8.dropFirst($0.hostnameOffset), as: UTF8.self)) }
    }

    /// The `IP` half, and where the hostname half begins in `host`'s UTF-8 (the receive path
    /// looks a host up by its IP, and makes a String of the name only for a host it hasn't
    /// heard before).
    var spoofedSplit: (ip: String, hostnameOffset: Int)? {
        var host = host
        return host.withUTF8 { bytes in
            guard bytes.count > 1, let colon = bytes[1...].firstIndex(of: UInt8(ascii: ":")), colon + 1 < bytes.count else { return nil }
            return (String(decoding: UnsafeBufferPointer(rebasing: bytes[..<colon]), as: UTF8.self), colon + 1)
        }
    }

    /// Why the hostname half of a spoofed identity (`spoofedSplit`) can't be a host name, if it can't.
    func spoofedNameProblem(at offset: Int) -> NameError.Problem? {
        var host = host
        return host.withUTF8 { HostName.problem(withBytes: UnsafeBufferPointer(rebasing: $0[offset...])) }
    }
}

/// One Ganglia 3.x datagram: metadata, a value, or a request for metadata.
public enum GangliaMessage: Hashable, Sendable {
    /// `gmetadata_full` (128): what the metric is.
    case metadata(MetricIdentity, MetricMetadata)
    /// `gmetric_*` (129–135): a value and the printf-style format its sender suggests for display.
    case value(MetricIdentity, format: String, value: MetricValue)
    /// `gmetadata_request` (136): please resend the metadata of this metric.
    case metadataRequest(MetricIdentity)

    /// The message id this message is encoded with.
    public var messageID: MessageID {
        switch self {
        case .metadata: .metadata
        case .value(_, _, let value): value.messageID
        case .metadataRequest: .metadataRequest
        }
    }

    /// The host/name/spoof prefix.
    public var identity: MetricIdentity {
        switch self {
        case .metadata(let id, _), .value(let id, _, _), .metadataRequest(let id): id
        }
    }
}
