/// The sequence numbers seen from one key: the highest, and which of the 63 below it (the
/// anti-replay window of IPsec, RFC 4303 §3.4.3). A number seen before, or older than the
/// window, is a replay.
public struct ReplayWindow: Sendable, Equatable {
    public private(set) var highest: UInt64 = 0
    /// Bit i: `highest - i` was seen.
    private var seen: UInt64 = 0
    public static let size: UInt64 = 64

    public init() {}

    /// Whether `sequence` is new, recording it if so.
    public mutating func accept(_ sequence: UInt64) -> Bool {
        if seen == 0 || sequence > highest {
            let shift = seen == 0 ? Self.size : sequence - highest
            seen = shift >= Self.size ? 1 : seen << shift | 1
            highest = sequence
            return true
        }
        let back = highest - sequence
        guard back < Self.size else { return false }
        let bit: UInt64 = 1 << back
        guard seen & bit == 0 else { return false }
        seen |= bit
        return true
    }
}

/// The keys a receiver accepts (`docs/security.md`): by id, each with the hosts it may speak
/// for, and whether it may speak for any host (`spoof`, for relays such as BMC collectors). Two
/// keys may name the same host, so keys rotate without a gap.
public struct Keyring: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var key: SigningKey
        /// Host names, compared without case (as Ganglia's are).
        public var hosts: [String]
        public var spoof: Bool

        public init(key: SigningKey, hosts: [String], spoof: Bool = false) {
            self.key = key
            self.hosts = hosts.map { $0.lowercased() }
            self.spoof = spoof
        }
    }

    public private(set) var entries: [String: Entry] = [:]

    public init(_ entries: [Entry] = []) {
        for entry in entries { self.entries[entry.key.id] = entry }
    }
}

/// Opens signed envelopes: refuses what is malformed, signed by a key not in the keyring, not
/// signed by the key it names (bad MAC), sent outside the time window (stale), or seen before
/// (replay); then, once the payload is decoded, what speaks for a host its key may not. Pure:
/// the time is given; the replay windows are kept per key (bounded by the keyring, since only
/// authentic envelopes reach them).
public struct EnvelopeVerifier: Sendable {
    public enum Refusal: String, Sendable, CaseIterable, Error {
        case malformed
        case unknownKey = "unknown_key"
        case badMAC = "bad_mac"
        case stale
        case replay
        case hostNotAllowed = "host_not_allowed"
        case unsigned
    }

    /// What an authentic, fresh envelope carried.
    public struct Opened: Sendable, Equatable {
        public var payload: [UInt8]
        public var keyID: String
        public var timestamp: UInt64
        public var sequence: UInt64
    }

    public var keyring: Keyring
    /// Seconds a sender's clock may differ from ours.
    public var window: UInt64
    private var replays: [String: ReplayWindow] = [:]

    public init(keyring: Keyring, window: UInt64 = 60) {
        self.keyring = keyring
        self.window = window
    }

    public mutating func open(_ datagram: [UInt8], now: Int64) -> Result<Opened, Refusal> {
        let parsed: Envelope.Parsed
        do {
            parsed = try Envelope.parse(datagram)
        } catch {
            return .failure(.malformed)
        }
        guard let entry = keyring.entries[parsed.keyID] else { return .failure(.unknownKey) }
        guard Envelope.authentic(parsed, key: entry.key) else { return .failure(.badMAC) }
        let now = UInt64(max(0, now))
        let skew = parsed.timestamp > now ? parsed.timestamp - now : now - parsed.timestamp
        guard skew <= window else { return .failure(.stale) }
        guard replays[parsed.keyID, default: ReplayWindow()].accept(parsed.sequence) else { return .failure(.replay) }
        return .success(Opened(payload: parsed.payload, keyID: parsed.keyID, timestamp: parsed.timestamp, sequence: parsed.sequence))
    }

    /// Whether the key of `opened` may speak for `host` (`spoofed`: the message says it speaks
    /// for another host, as `gmetric --spoof` does).
    public func allows(_ opened: Opened, host: String, spoofed: Bool) -> Bool {
        guard let entry = keyring.entries[opened.keyID] else { return false }
        if entry.spoof { return true }
        return !spoofed && entry.hosts.contains(host.lowercased())
    }
}

/// A sender's sequence numbers: its start time in the high 32 bits and a counter below, so a
/// restarted sender (a later start) always continues above what receivers saw, and a counter
/// that passes 2^32 carries into the high half instead of wrapping.
public struct SequenceCounter: Sendable, Equatable {
    public private(set) var next: UInt64

    public init(started: Int64) {
        next = UInt64(UInt32(clamping: max(0, started))) << 32
    }

    public mutating func take() -> UInt64 {
        defer { next &+= 1 }
        return next
    }
}
