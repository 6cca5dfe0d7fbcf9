import Foundation
import PlexusCore

/// Operator-side commands to an rrdcached: its statistics, flushing a file or everything. Each
/// call opens its own connection (these are rare, unlike updates). Blocking: call it off the
/// cooperative pool or accept a short wait.
public struct RRDCachedControl: Sendable {
    public let address: RRDCachedAddress

    public init(address: RRDCachedAddress) {
        self.address = address
    }

    /// `STATS`: QueueLength, UpdatesReceived, FlushesReceived, UpdatesWritten, DataSetsWritten...
    public func stats() throws(RRDError) -> [String: Int] {
        try RRDCachedClient(address: address).stats()
    }

    /// `FLUSH path`: returns when the file is current on disk.
    public func flush(_ path: String) throws(RRDError) {
        try RRDCachedClient(address: address).flush(path)
    }

    /// `FLUSHALL`, then waits (up to `timeout`) until rrdcached's queue is empty and it has
    /// stopped writing.
    public func flushAll(timeout: Duration = .seconds(600)) throws(RRDError) {
        let client = RRDCachedClient(address: address)
        try client.command(["FLUSHALL"])
        let deadline = ContinuousClock.now + timeout
        var lastWritten = -1
        while ContinuousClock.now < deadline {
            let stats = try client.stats()
            let written = stats["DataSetsWritten"] ?? 0
            if stats["QueueLength"] == 0, written == lastWritten { return }
            lastWritten = written
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw RRDError(.rrdcached, message: "FLUSHALL did not finish within \(timeout)")
    }
}
