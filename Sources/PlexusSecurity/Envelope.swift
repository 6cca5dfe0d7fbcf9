import Crypto
import PlexusCore

/// The signed envelope around an unchanged Ganglia XDR datagram (`docs/format/signed.md`):
///
///     id "PLXS" (uint32 0x504C5853) · version 1 · key id (XDR string, 1–64 bytes) ·
///     timestamp (uint64, seconds) · sequence (uint64) · payload (XDR opaque) ·
///     HMAC-SHA256 of everything before it (32 bytes)
///
/// The id is one gmond 3.7 doesn't know (its are 128–136), so a gmond that receives an envelope
/// drops it as an unknown message. Values only: sealing and reading; `EnvelopeVerifier` decides.
public enum Envelope {
    public static let id: UInt32 = 0x504C_5853
    public static let version: UInt32 = 1
    public static let macLength = 32
    /// A key id's bounds, and the largest payload (a UDP datagram's).
    public static let maxKeyID = 64
    public static let maxPayload = 65_000

    /// What an envelope says, before its MAC is checked.
    public struct Parsed: Sendable, Equatable {
        public var keyID: String
        public var timestamp: UInt64
        public var sequence: UInt64
        public var payload: [UInt8]
        /// The bytes the MAC covers, and the MAC.
        public var signed: ArraySlice<UInt8>
        public var mac: ArraySlice<UInt8>
    }

    public enum Malformed: Error, Sendable, Equatable, CustomStringConvertible {
        case notAnEnvelope
        case unknownVersion(UInt32)
        case badLength(String)

        public var description: String {
            switch self {
            case .notAnEnvelope: "not a signed envelope"
            case .unknownVersion(let v): "envelope version \(v) is not known (1 is)"
            case .badLength(let what): "malformed envelope: \(what)"
            }
        }
    }

    /// Whether `datagram` begins as an envelope (and is not a plain Ganglia message).
    public static func isEnvelope(_ datagram: some Collection<UInt8>) -> Bool {
        var index = datagram.startIndex
        for byte: UInt8 in [0x50, 0x4C, 0x58, 0x53] {
            guard index != datagram.endIndex, datagram[index] == byte else { return false }
            index = datagram.index(after: index)
        }
        return true
    }

    /// The length of an envelope around `payload` bytes under a key id of `keyID` bytes.
    public static func length(keyID: Int, payload: Int) -> Int {
        func padded(_ n: Int) -> Int { (n + 3) & ~3 }
        return 12 + padded(keyID) + 16 + 4 + padded(payload) + macLength
    }

    /// `payload` sealed with `key` at `timestamp` as message `sequence` of its sender.
    public static func seal(_ payload: [UInt8], key: SigningKey, timestamp: UInt64, sequence: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(payload.count + key.id.utf8.count + 72)
        put32(&out, id)
        put32(&out, version)
        putOpaque(&out, Array(key.id.utf8))
        put64(&out, timestamp)
        put64(&out, sequence)
        putOpaque(&out, payload)
        out += key.mac(out)
        return out
    }

    /// The fields of an envelope, every length checked; the MAC is not checked here.
    public static func parse(_ datagram: [UInt8]) throws(Malformed) -> Parsed {
        guard isEnvelope(datagram) else { throw .notAnEnvelope }
        var at = 4
        func read32() throws(Malformed) -> UInt32 {
            guard at + 4 <= datagram.count else { throw .badLength("cut short at byte \(at)") }
            defer { at += 4 }
            return datagram[at..<at + 4].reduce(0) { $0 << 8 | UInt32($1) }
        }
        func read64() throws(Malformed) -> UInt64 {
            UInt64(try read32()) << 32 | UInt64(try read32())
        }
        func readOpaque(_ what: String, limit: Int) throws(Malformed) -> [UInt8] {
            let length = Int(try read32())
            guard length >= 1, length <= limit else { throw .badLength("\(what) of \(length) bytes (1 to \(limit))") }
            let padded = (length + 3) & ~3
            guard at + padded <= datagram.count else { throw .badLength("\(what) runs past the datagram") }
            defer { at += padded }
            guard datagram[(at + length)..<(at + padded)].allSatisfy({ $0 == 0 }) else { throw .badLength("\(what)'s padding is not zero") }
            return Array(datagram[at..<(at + length)])
        }
        let version = try read32()
        guard version == Self.version else { throw .unknownVersion(version) }
        let keyID = try readOpaque("key id", limit: maxKeyID)
        guard keyID.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { throw .badLength("key id is not printable ASCII") }
        let timestamp = try read64()
        let sequence = try read64()
        let payload = try readOpaque("payload", limit: maxPayload)
        guard datagram.count - at == macLength else {
            throw .badLength("\(datagram.count - at) bytes after the payload (the MAC is \(macLength))")
        }
        return Parsed(
            keyID: String(decoding: keyID, as: UTF8.self), timestamp: timestamp, sequence: sequence, payload: payload,
            signed: datagram[..<at], mac: datagram[at...])
    }

    /// Whether `parsed`'s MAC is `key`'s (compared in constant time).
    public static func authentic(_ parsed: Parsed, key: SigningKey) -> Bool {
        let expected = key.mac(parsed.signed)
        guard parsed.mac.count == macLength else { return false }
        // Every byte compared whatever the first difference: no timing tells a forger how far it got.
        var difference: UInt8 = 0
        expected.withUnsafeBytes { code in
            for (i, byte) in zip(parsed.mac.indices, code) { difference |= parsed.mac[i] ^ byte }
        }
        return difference == 0
    }

    static func put32(_ out: inout [UInt8], _ v: UInt32) {
        out += [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
    }

    static func put64(_ out: inout [UInt8], _ v: UInt64) {
        put32(&out, UInt32(v >> 32))
        put32(&out, UInt32(v & 0xFFFF_FFFF))
    }

    static func putOpaque(_ out: inout [UInt8], _ bytes: [UInt8]) {
        put32(&out, UInt32(bytes.count))
        out += bytes
        out += [UInt8](repeating: 0, count: (4 - bytes.count % 4) % 4)
    }
}
