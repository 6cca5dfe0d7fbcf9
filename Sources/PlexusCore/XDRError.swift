/// Why a datagram is not a Ganglia 3.x message. Every malformed input maps to one of these;
/// decoding never traps.
public enum XDRError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The datagram ends inside `field`, which starts at `offset` and needs `needed` more bytes.
    case truncated(field: String, offset: Int, needed: Int)
    /// A length or count prefix at `offset` promises more than the datagram holds.
    case lengthBeyondDatagram(field: String, offset: Int, length: UInt32, available: Int)
    /// The message id is not 128–136 (ids below 128 are Ganglia 2.5's).
    case unsupportedMessageID(UInt32)
    /// A string field is not valid UTF-8.
    case invalidUTF8(field: String, offset: Int)
    /// An XDR boolean that is neither 0 nor 1.
    case invalidBool(field: String, value: UInt32)
    /// A slope outside 0–5.
    case unknownSlope(UInt32)
    /// A metadata type that Ganglia doesn't define.
    case unknownMetricType(String)
    /// A 16-bit value whose 4-byte XDR word doesn't fit 16 bits.
    case valueOutOfRange(field: String, word: UInt32)
    /// Bytes left over after a complete message.
    case trailingBytes(count: Int, offset: Int)

    public var description: String {
        switch self {
        case .truncated(let field, let offset, let needed):
            "datagram ends inside \(field) at byte \(offset) (\(needed) more bytes needed)"
        case .lengthBeyondDatagram(let field, let offset, let length, let available):
            "\(field) at byte \(offset) claims \(length) entries or bytes, only \(available) bytes remain"
        case .unsupportedMessageID(let id) where id < 128:
            "message id \(id) is from Ganglia 2.5 or not Ganglia at all (3.x ids are 128-136)"
        case .unsupportedMessageID(let id):
            "unknown message id \(id) (3.x ids are 128-136)"
        case .invalidUTF8(let field, let offset):
            "\(field) at byte \(offset) is not valid UTF-8"
        case .invalidBool(let field, let value):
            "\(field) is \(value), not a boolean"
        case .unknownSlope(let value):
            "slope \(value) is not 0-5"
        case .unknownMetricType(let type):
            "metric type \(type.debugDescription) is not a Ganglia type"
        case .valueOutOfRange(let field, let word):
            "\(field) word 0x\(String(word, radix: 16)) doesn't fit 16 bits"
        case .trailingBytes(let count, let offset):
            "\(count) bytes of trailing garbage after the message at byte \(offset)"
        }
    }
}
