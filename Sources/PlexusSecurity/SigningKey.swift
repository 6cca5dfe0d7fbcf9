import Crypto
import FoundationEssentials

/// A 256-bit key and the id it is named by in keyrings and envelopes (`docs/security.md`).
public struct SigningKey: Sendable, Equatable {
    public let id: String
    public let secret: [UInt8]
    /// HMAC-SHA256 with the key already mixed in: each message copies it and adds only its own
    /// bytes (keying costs two SHA-256 blocks, as much again as a short message). Never
    /// mutated: swift-crypto's digest state is copy-on-write (`isKnownUniquelyReferenced`), so
    /// concurrent copies each get their own.
    nonisolated(unsafe) let keyed: HMAC<SHA256>

    public init(id: String, secret: [UInt8]) {
        self.id = id
        self.secret = secret
        keyed = HMAC<SHA256>(key: SymmetricKey(data: secret))
    }

    public static func == (a: SigningKey, b: SigningKey) -> Bool { a.id == b.id && a.secret == b.secret }

    /// HMAC-SHA256 of `bytes` under this key.
    func mac(_ bytes: some DataProtocol) -> HMAC<SHA256>.MAC {
        var hmac = keyed
        hmac.update(data: bytes)
        return hmac.finalize()
    }

    /// A new key of 32 random bytes (the system's generator, through swift-crypto).
    public static func generate(id: String) -> SigningKey {
        SigningKey(id: id, secret: SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) })
    }

    /// The secret as 64 lowercase hex digits, as key files and keyrings write it.
    public var hex: String {
        secret.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// A secret written as 64 hex digits (either case); nil otherwise.
    public static func secret(hex text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count == 64 else { return nil }
        var bytes: [UInt8] = []
        for i in stride(from: 0, to: 64, by: 2) {
            guard let high = nibble(digits[i]), let low = nibble(digits[i + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
