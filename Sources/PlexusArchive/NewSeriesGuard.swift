import Foundation
import PlexusCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// What the archive writer asks before it creates a file: the cardinality guard
/// (`SeriesBudget`) and the disk budget (no new file while the filesystem holding the archives
/// has less than `keepFreePercent` free; files that exist go on being updated). Refusals are
/// counted and kept in a `Quarantine` for `/status` and the dashboard.
public final class NewSeriesGuard: Sendable {
    public let keepFreePercent: Double
    private let root: String
    private let state: Mutex<(budget: SeriesBudget, quarantine: Quarantine)>
    private let clock: @Sendable () -> Int64
    private let freeFraction: @Sendable (String) -> Double?

    public init(
        limits: SeriesBudget.Limits, keepFreePercent: Double, root: String,
        clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) },
        freeFraction: @escaping @Sendable (String) -> Double? = NewSeriesGuard.freeFraction
    ) {
        self.keepFreePercent = keepFreePercent
        self.root = root
        state = Mutex((SeriesBudget(limits: limits), Quarantine()))
        self.clock = clock
        self.freeFraction = freeFraction
    }

    /// nil when a file for `key` may be created now; the reason otherwise (recorded).
    public func mayCreate(_ key: ArchiveKey) -> String? {
        let now = clock()
        var reason: String?
        if keepFreePercent > 0, let free = freeFraction(root), free * 100 < keepFreePercent {
            reason = "the archives' filesystem has \(String(format: "%.1f", free * 100)) % free, under rrd_keep_free (\(keepFreePercent) %)"
        }
        return state.withLock { state in
            if reason == nil { reason = state.budget.admit(key.location, now: now) }
            if let reason { state.quarantine.record(Self.subject(key), reason: reason, now: now) }
            return reason
        }
    }

    /// Refusals so far, most recent last.
    public var quarantine: Quarantine { state.withLock { $0.quarantine } }

    static func subject(_ key: ArchiveKey) -> String {
        switch key.location {
        case .host(let c, let h): "\(c)/\(h)/\(key.metric)"
        case .clusterSummary(let c): "\(c)/__SummaryInfo__/\(key.metric)"
        case .gridSummary(let g): "grid \(g)/__SummaryInfo__/\(key.metric)"
        case .rootSummary: "__SummaryInfo__/\(key.metric)"
        }
    }

    /// The free fraction of the filesystem holding `path` (its nearest existing directory), as
    /// an unprivileged process may use it.
    @Sendable public static func freeFraction(_ path: String) -> Double? {
        FreeSpace(at: path)?.fraction
    }
}

/// What the filesystem holding a path (its nearest existing directory) has left, as an
/// unprivileged process may use it: the disk budget asks before creating files, and a failed
/// creation asks why.
struct FreeSpace {
    var bytes: Int
    /// Of the filesystem's blocks; nil for a filesystem that reports none.
    var fraction: Double?
    /// False when the filesystem has inodes and none is left.
    var hasInodes: Bool

    init?(at path: String) {
        var url = URL(fileURLWithPath: path)
        var info = statvfs()
        while statvfs(url.path, &info) != 0 {
            guard url.path != "/" else { return nil }
            url.deleteLastPathComponent()
        }
        bytes = Int(info.f_bavail) * Int(info.f_frsize)
        fraction = info.f_blocks > 0 ? Double(info.f_bavail) / Double(info.f_blocks) : nil
        hasInodes = info.f_files == 0 || info.f_favail > 0
    }
}
