import CGlibc
import NIOPosix
import PlexusTransport

extension Offload {
    /// A poll frees a document-sized buffer and the previous content, an XML dump a rendered
    /// grid; glibc keeps freed heap in its arenas, so without this the RSS shows the peak of
    /// every poll instead of the state (1,000 × 30: 124 MB instead of 76 MB; no CPU difference
    /// measurable per poll). On the thread pool, not waited for: it can take milliseconds.
    static func returnFreedMemory() {
        #if canImport(Glibc)
            NIOThreadPool.singleton.submit { _ in _ = malloc_trim(0) }
        #endif
    }
}

/// glibc's allocator as the aggregator wants it (`docs/architecture.md`, "Memory"). By default
/// each thread that allocates may get its own arena (up to 8 per core), and the first
/// document-sized buffer freed raises the size below which blocks come from an arena to 32 MiB
/// and the size an arena's free top must reach before it is given back to 64 MiB: from then on
/// every poll's buffers are carved from arenas that never shrink, and `malloc_trim` leaves their
/// tops alone. Measured at 1,000 hosts × 30 metrics: 41 MB anonymous with the defaults, 17 MB
/// with these (the held state is 12 MB), the same CPU per poll.
public enum HeapTuning {
    /// `mallopt` parameters and values.
    public struct Setting: Equatable, Sendable {
        public var option: Int32
        public var value: Int32
        /// The environment variable through which an operator sets it instead (glibc's own).
        public var variable: String
    }

    /// Four arenas; blocks of 4 MiB and more mapped on their own (and unmapped when freed);
    /// free tops over 8 MiB given back. Two arenas and 1 MiB / 2 MiB held 4.5 MB less while
    /// polling, and cost a third of the dashboard's 1,000-host page rendered by 20 clients at
    /// once (threads queueing for two arenas, a page's growing buffers mapped and unmapped each
    /// time): `docs/BENCHMARKS.md`, "Footprint", sixth sitting.
    public static let defaults: [Setting] = [
        Setting(option: M_ARENA_MAX, value: 4, variable: "MALLOC_ARENA_MAX"),
        Setting(option: M_MMAP_THRESHOLD, value: 4 << 20, variable: "MALLOC_MMAP_THRESHOLD_"),
        Setting(option: M_TRIM_THRESHOLD, value: 8 << 20, variable: "MALLOC_TRIM_THRESHOLD_"),
    ]

    /// What to set: every default the environment doesn't set itself.
    public static func settings(environment: [String: String]) -> [Setting] {
        defaults.filter { environment[$0.variable] == nil }
    }

    /// Applies `settings(environment:)` to this process's allocator (before its threads start).
    public static func apply(environment: [String: String]) {
        for setting in settings(environment: environment) { _ = mallopt(setting.option, setting.value) }
    }
}
