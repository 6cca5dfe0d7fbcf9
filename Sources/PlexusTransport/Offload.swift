import NIOPosix

/// Work that must not hold an event loop, done on NIO's thread pool. Both daemons run every
/// Swift task on NIO's event loops, so a task that computes for long holds every connection its
/// loop serves: accepting clients, reading datagrams, answering polls.
public enum Offload {
    /// Runs `work` on the thread pool. Reading a poll's document, rendering a cluster or the
    /// whole grid, compressing a reply take tens of milliseconds (an agent holding 800 hosts
    /// renders 3 MB): a loop busy for that long stops accepting.
    public static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        do {
            return try await NIOThreadPool.singleton.runIfActive(work)
        } catch {
            // The pool is shut down (the process is stopping): do it here.
            return work()
        }
    }
}
