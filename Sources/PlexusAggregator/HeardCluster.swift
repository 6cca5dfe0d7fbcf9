import NIOCore
import PlexusCore
import Synchronization

/// The cluster a listened data source hears: the agent's receive path (decode, allow-list,
/// `ClusterState.apply`) behind a lock, read as snapshots.
final class HeardCluster: Sendable {
    private let state = Mutex(ClusterState())

    /// Applies one datagram; false when it was refused or malformed (dropped).
    func apply(_ envelope: AddressedEnvelope<ByteBuffer>, allow: [CIDRBlock], now: Int64) -> Bool {
        guard let source = envelope.remoteAddress.ipAddress, let ip = IPAddress(source), allow.allows(ip) else { return false }
        guard let message = try? envelope.data.withUnsafeReadableBytes({ try GangliaMessage(xdr: $0) }) else { return false }
        _ = state.withLock { $0.apply(message, from: .init(address: source), now: now) }
        return true
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
