import PlexusCore
import Synchronization

/// What a receiver counts of signed and plain datagrams: signed ones accepted, and refusals by
/// reason (`EnvelopeVerifier.Refusal`). In the agent's statistics and metrics, and per listened
/// source in the aggregator's `/status` and `/metrics`.
public struct SignatureCounts: Sendable, Equatable, Codable {
    /// Signed datagrams accepted.
    public var signed = 0
    public var malformed = 0
    public var unknownKey = 0
    public var badMAC = 0
    public var stale = 0
    public var replay = 0
    public var hostNotAllowed = 0
    public var unsigned = 0

    public init() {}

    public subscript(_ refusal: EnvelopeVerifier.Refusal) -> Int {
        get {
            switch refusal {
            case .malformed: malformed
            case .unknownKey: unknownKey
            case .badMAC: badMAC
            case .stale: stale
            case .replay: replay
            case .hostNotAllowed: hostNotAllowed
            case .unsigned: unsigned
            }
        }
        set {
            switch refusal {
            case .malformed: malformed = newValue
            case .unknownKey: unknownKey = newValue
            case .badMAC: badMAC = newValue
            case .stale: stale = newValue
            case .replay: replay = newValue
            case .hostNotAllowed: hostNotAllowed = newValue
            case .unsigned: unsigned = newValue
            }
        }
    }

    /// By the agent's metric names (`SecurityCollector`): `datagrams_signed`, `datagrams_refused_REASON`.
    public var metricValues: [String: Int] {
        var values = ["datagrams_signed": signed]
        for refusal in EnvelopeVerifier.Refusal.allCases { values["datagrams_refused_\(refusal.rawValue)"] = self[refusal] }
        return values
    }

    public var refused: Int { EnvelopeVerifier.Refusal.allCases.reduce(0) { $0 + self[$1] } }
}

/// `SignatureCounts` behind a lock, for the receive tasks that count and the collector that
/// reports.
public final class SignatureTally: Sendable {
    private let counts = Mutex(SignatureCounts())

    public init() {}

    public var current: SignatureCounts { counts.withLock { $0 } }

    public func countSigned() { counts.withLock { $0.signed += 1 } }

    public func count(_ refusal: EnvelopeVerifier.Refusal) { counts.withLock { $0[refusal] += 1 } }
}

/// Signs what one sender sends: its key and its sequence numbers.
public struct Signer: Sendable {
    public let key: SigningKey
    private var sequence: SequenceCounter

    /// `sender`: a random id picked when the sender starts (`SequenceCounter`).
    public init(key: SigningKey, sender: UInt32) {
        self.key = key
        sequence = SequenceCounter(sender: sender)
    }

    /// `payload` (a Ganglia datagram) in an envelope stamped `now`.
    public mutating func seal(_ payload: [UInt8], now: Int64) -> [UInt8] {
        Envelope.seal(payload, key: key, timestamp: UInt64(max(0, now)), sequence: sequence.take())
    }

    /// Bytes the envelope adds to a payload of `count` bytes.
    public func overhead(payload count: Int) -> Int { Envelope.length(keyID: key.id.utf8.count, payload: count) - count }
}

/// A receive path's policy for signed and plain datagrams (`[security]`): what it accepts,
/// shared by the receive channels of one agent (or one listened source), so a datagram heard
/// on two channels counts once. Times are given; the replay windows sit behind a lock.
public final class SignedReceiver: Sendable {
    public let keyring: Keyring
    public let requireSigned: Bool
    public let acceptUnsignedFrom: [CIDRBlock]
    private let verifier: Mutex<EnvelopeVerifier>

    public init(keyring: Keyring, window: UInt32 = 60, requireSigned: Bool = false, acceptUnsignedFrom: [CIDRBlock] = []) {
        self.keyring = keyring
        self.requireSigned = requireSigned
        self.acceptUnsignedFrom = acceptUnsignedFrom
        verifier = Mutex(EnvelopeVerifier(keyring: keyring, window: UInt64(window)))
    }

    /// What a datagram turned out to be.
    public enum Outcome: Sendable {
        /// A Ganglia message, plain (`keyID` nil) or from an authentic, fresh envelope.
        case message(GangliaMessage, keyID: String?)
        case refused(EnvelopeVerifier.Refusal)
        /// Not a Ganglia message (plain or inside an authentic envelope).
        case undecodable(XDRError)
    }

    /// Opens (or takes plain) one datagram from `address` and decodes its Ganglia message.
    public func receive(_ bytes: UnsafeRawBufferPointer, from address: IPAddress, now: Int64) -> Outcome {
        guard Envelope.isEnvelope(bytes) else {
            if requireSigned, !(acceptUnsignedFrom.contains { $0.contains(address) }) { return .refused(.unsigned) }
            do {
                return .message(try GangliaMessage(xdr: bytes), keyID: nil)
            } catch {
                return .undecodable(error)
            }
        }
        switch verifier.withLock({ $0.open(Array(bytes), now: now) }) {
        case .failure(let refusal):
            return .refused(refusal)
        case .success(let opened):
            do {
                let message = try GangliaMessage(xdr: opened.payload)
                return .message(message, keyID: opened.keyID)
            } catch {
                return .undecodable(error)
            }
        }
    }

    /// Whether a decoded message may be filed: plain ones and metadata requests (which name
    /// the host whose metadata is wanted, not the sender) always; signed ones when their key
    /// speaks for the host `state` would file them under.
    public func mayFile(_ message: GangliaMessage, keyID: String?, in state: ClusterState, from sender: ClusterState.Sender) -> Bool {
        guard let keyID else { return true }
        if case .metadataRequest = message { return true }
        // A name the state refuses is refused there (and counted as a bad name).
        guard let name = state.hostName(for: message.identity, from: sender) else { return true }
        return keyring.allows(keyID, host: name)
    }
}
