import PlexusCore

#if canImport(Glibc)
    import Glibc
#endif

extension ArchiveWriter {
    /// Each key's archive's last update, for the keys whose file exists (back-fill asks which
    /// archives are behind). Through rrdcached, the newest of the file's header and of the
    /// updates rrdcached holds for it (`PENDING`): rrdcached may hold minutes of updates the file
    /// doesn't show yet, and refuses a whole update with one value not after the last it holds.
    /// Its `LAST` is no help (1.7.2 answers a time before it), and a `FLUSH` of every file would
    /// write out the whole cache at each restart. Blocking: call it off the event loops (`Offload`).
    public func lastUpdates(of keys: [ArchiveKey]) -> [ArchiveKey: Int64] {
        let client = configuration.rrdcached.map { RRDCachedClient(address: $0, timeout: configuration.rrdcachedTimeout) }
        defer { client?.close() }
        var result: [ArchiveKey: Int64] = [:]
        result.reserveCapacity(keys.count)
        for key in keys {
            guard let path = try? store.path(of: normalized(key)), access(path, F_OK) == 0 else { continue }
            guard let last = try? RRDError.retryingLocked({ () throws(RRDError) in try store.functions.lastUpdate(path: path) }) else { continue }
            // Unreachable: the file's own time (rrdcached then refuses what it already has,
            // counted as stale).
            let pending = (try? client?.pendingTimes(path))?.max() ?? .min
            result[key] = max(last.time, pending)
        }
        return result
    }
}
