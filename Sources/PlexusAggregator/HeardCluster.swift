import NIOCore
import PlexusCore
import PlexusSecurity
import Synchronization

/// The cluster a listened data source hears: the agent's receive path (allow-list, signed or
/// plain by `[security]`, decode, `ClusterState.apply`) behind a lock, read as snapshots.
final class HeardCluster: Sendable {
    private let state = Mutex(ClusterState())
    let intake: SignedReceiver

    init(intake: SignedReceiver = SignedReceiver(keyring: Keyring())) {
        self.intake = intake
    }

    enum Outcome: Sendable, Equatable {
        case applied(signed: Bool)
        /// Outside the allow-list, or not a Ganglia message.
        case dropped
        /// Refused by `[security]`; `detail` names the sender (and the key and host).
        case refused(EnvelopeVerifier.Refusal, detail: String)
    }

    /// Applies one datagram.
    func apply(_ envelope: AddressedEnvelope<ByteBuffer>, allow: [CIDRBlock], now: Int64) -> Outcome {
        guard let source = envelope.remoteAddress.ipAddress, let ip = IPAddress(source), allow.allows(ip) else { return .dropped }
        switch envelope.data.withUnsafeReadableBytes({ intake.receive($0, from: ip, now: now) }) {
        case .undecodable: return .dropped
        case .refused(let reason): return .refused(reason, detail: source)
        case .message(let message, let keyID):
            let sender = ClusterState.Sender(address: source)
            let filed = state.withLock { state in
                guard intake.mayFile(message, keyID: keyID, in: state, from: sender) else { return false }
                _ = state.apply(message, from: sender, now: now)
                return true
            }
            guard filed else { return .refused(.hostNotAllowed, detail: "\(source) key \(keyID ?? "") for host \(message.identity.host)") }
            return .applied(signed: keyID != nil)
        }
    }

    /// The cluster as gmond would serve it, after forgetting hosts and metrics past their DMAX.
    func snapshot(of cluster: Cluster, now: Int64, hostTmax: UInt32, hostDmax: UInt32) -> Cluster {
        let copy = state.withLock { state in
            state.expire(now: now, hostDmax: hostDmax)
            return state
        }
        return copy.snapshot(of: cluster, now: now, hostTmax: hostTmax, hostDmax: hostDmax)
    }
}
