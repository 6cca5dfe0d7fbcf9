import Logging
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

/// Counts what a source's documents lost (malformed elements, cut-short documents, shadowed
/// clusters, samples the archive queue refused) and logs it at most once a minute per source.
struct DropReporter {
    private var malformed = 0
    private var truncated = 0
    private var shadowed: Set<String> = []
    private var duplicates = 0
    private var refused = 0
    private var example: String?
    private var lastLogged: ContinuousClock.Instant?
    static let interval = Duration.seconds(60)

    mutating func note(report: XMLReadReport, shadowed names: Set<String>, duplicates count: Int, refused samples: Int) {
        malformed += report.skippedCount
        if let fatal = report.fatal {
            truncated += 1
            example = example ?? "\(fatal)"
        }
        if example == nil, let first = report.skipped.first { example = "\(first)" }
        shadowed.formUnion(names)
        duplicates += count
        refused += samples
    }

    mutating func logIfDue(source: String, logger: Logger) {
        guard malformed + truncated + duplicates + refused > 0 || !shadowed.isEmpty else { return }
        let now = ContinuousClock.now
        if let last = lastLogged, now - last < Self.interval { return }
        var metadata: Logger.Metadata = ["source": "\(source)"]
        if malformed > 0 { metadata["malformed"] = "\(malformed)" }
        if truncated > 0 { metadata["truncated"] = "\(truncated)" }
        if duplicates > 0 { metadata["duplicates"] = "\(duplicates)" }
        if refused > 0 { metadata["samples_refused"] = "\(refused)" }
        if !shadowed.isEmpty { metadata["shadowed"] = "\(shadowed.sorted().joined(separator: ","))" }
        if let example { metadata["first"] = "\(example)" }
        logger.warning("data dropped since the last report", metadata: metadata)
        self = DropReporter()
        lastLogged = now
    }
}
