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

/// The replay windows of one key: one per sender (the high 32 bits of the sequence number, a
/// random id each sender picks when it starts), so an agent and a `plexus send` sharing the
/// host's key don't refuse each other. At most `maxSenders` are kept; the least recently heard
/// is forgotten first, and from then on a sender never heard before is only taken with a
/// timestamp after the last one accepted from any forgotten sender (a forgotten sender's
/// datagrams replayed later are stale for it).
public struct SenderWindows: Sendable, Equatable {
    struct Sender: Sendable, Equatable {
        var window = ReplayWindow()
        var lastTimestamp: UInt64 = 0
        var heard: UInt64 = 0
    }

    public static let maxSenders = 16
    private var senders: [UInt32: Sender] = [:]
    private var heard: UInt64 = 0
    /// The newest timestamp accepted from a forgotten sender.
    public private(set) var forgottenThrough: UInt64?

    public init() {}

    public var count: Int { senders.count }

    /// Whether `sequence` (sent at `timestamp`) is new, recording it if so.
    public mutating func accept(_ sequence: UInt64, timestamp: UInt64) -> Bool {
        let id = UInt32(truncatingIfNeeded: sequence >> 32)
        let counter = sequence & 0xFFFF_FFFF
        heard &+= 1
        if var sender = senders[id] {
            guard sender.window.accept(counter) else { return false }
            sender.lastTimestamp = max(sender.lastTimestamp, timestamp)
            sender.heard = heard
            senders[id] = sender
            return true
        }
        if let through = forgottenThrough, timestamp <= through { return false }
        var sender = Sender(lastTimestamp: timestamp, heard: heard)
        _ = sender.window.accept(counter)
        senders[id] = sender
        if senders.count > Self.maxSenders, let oldest = senders.min(by: { $0.value.heard < $1.value.heard }) {
            senders[oldest.key] = nil
            forgottenThrough = max(forgottenThrough ?? 0, oldest.value.lastTimestamp)
        }
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

    /// Adds `entry` unless a key with its id is already there (a receiver's own key is added
    /// to its keyring this way, so it hears itself without listing its key twice).
    public mutating func addIfAbsent(_ entry: Entry) {
        if entries[entry.key.id] == nil { entries[entry.key.id] = entry }
    }

    /// Whether key `id` may speak for `host`: the name the receiver files the message under
    /// (for a spoofed message, the spoofed host; for a host already known, the name it has).
    public func allows(_ id: String, host: String) -> Bool {
        guard let entry = entries[id] else { return false }
        return entry.spoof || entry.hosts.contains(host.lowercased())
    }
}

/// Opens signed envelopes: refuses what is malformed, signed by a key not in the keyring, not
/// signed by the key it names (bad MAC), sent outside the time window (stale), or seen before
/// (replay). The host check comes after the payload is decoded (`Keyring.allows`). Pure: the
/// time is given; the replay windows are kept per key and sender, bounded by the keyring and
/// `SenderWindows.maxSenders`, since only authentic envelopes reach them.
public struct EnvelopeVerifier: Sendable {
    public enum Refusal: String, Sendable, CaseIterable, Error, Codable {
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
    private var replays: [String: SenderWindows] = [:]

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
        guard replays[parsed.keyID, default: SenderWindows()].accept(parsed.sequence, timestamp: parsed.timestamp) else {
            return .failure(.replay)
        }
        return .success(Opened(payload: parsed.payload, keyID: parsed.keyID, timestamp: parsed.timestamp, sequence: parsed.sequence))
    }

    /// Whether the key of `opened` may speak for `host` (see `Keyring.allows`).
    public func allows(_ opened: Opened, host: String) -> Bool {
        keyring.allows(opened.keyID, host: host)
    }
}

/// A sender's sequence numbers: a sender id in the high 32 bits (random, picked when the sender
/// starts, so receivers keep a window per sender) and a counter below. A counter that passes
/// 2^32 carries into the high half: receivers then see a new sender, never a wrap.
public struct SequenceCounter: Sendable, Equatable {
    public private(set) var next: UInt64

    public init(sender: UInt32) {
        next = UInt64(sender) << 32
    }

    public mutating func take() -> UInt64 {
        defer { next &+= 1 }
        return next
    }
}
