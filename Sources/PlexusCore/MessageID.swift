/// The XDR discriminant that starts every Ganglia datagram (`enum Ganglia_msg_formats`).
///
/// Ids start at 128 so that Ganglia 2.5 packets (ids 0–30) are never mistaken for 3.x ones.
public enum MessageID: UInt32, CaseIterable, Hashable, Sendable {
    case metadata = 128
    case ushortValue = 129
    case shortValue = 130
    case intValue = 131
    case uintValue = 132
    case stringValue = 133
    case floatValue = 134
    case doubleValue = 135
    case metadataRequest = 136

    /// gmond's name for the message (`gmetadata_full`, `gmetric_float`...).
    public var gangliaName: String {
        switch self {
        case .metadata: "gmetadata_full"
        case .ushortValue: "gmetric_ushort"
        case .shortValue: "gmetric_short"
        case .intValue: "gmetric_int"
        case .uintValue: "gmetric_uint"
        case .stringValue: "gmetric_string"
        case .floatValue: "gmetric_float"
        case .doubleValue: "gmetric_double"
        case .metadataRequest: "gmetadata_request"
        }
    }
}
