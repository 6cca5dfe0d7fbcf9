import CMalloc
import NIOPosix

/// Work that must not hold an event loop (`plexus-aggregator` runs every Swift task on NIO's
/// event loops), done on NIO's thread pool.
enum Offload {
    /// Runs `work` on the thread pool. Reading a poll's document or writing the whole grid
    /// takes tens of milliseconds: a loop busy for that long holds every connection it serves.
    static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        do {
            return try await NIOThreadPool.singleton.runIfActive(work)
        } catch {
            // The pool is shut down (the process is stopping): do it here.
            return work()
        }
    }

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
