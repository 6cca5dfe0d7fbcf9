import Foundation

/// One dedicated OS thread that runs jobs in order: where librrd's blocking calls happen, so
/// they never occupy the cooperative pool (two threads on our machines) and a job's librrd error
/// is read on the thread that made the call.
///
/// Jobs queued before `stop()` still run; the thread exits when the queue is empty. The thread
/// starts with the first job: a command that exports never starts the graph thread, and a
/// stop before any job has nothing to wait for.
final class ArchiveThread: @unchecked Sendable {
    private let name: String
    // Guarded by `condition`.
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var head = 0
    private var started = false
    private var stopping = false
    private var finished = false
    private var stopWaiters: [CheckedContinuation<Void, Never>] = []

    init(name: String) {
        self.name = name
    }

    /// Whether the thread has been started (by a first job).
    var isStarted: Bool {
        condition.lock()
        defer { condition.unlock() }
        return started
    }

    /// Queues `job`; false once the thread is stopping.
    @discardableResult
    func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else { return false }
        jobs.append(job)
        if !started {
            started = true
            let thread = Thread { [self] in loop() }
            thread.name = name
            thread.start()
        }
        condition.signal()
        return true
    }

    /// Runs `body` on the thread and returns its result to the awaiting task.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let queued = submit { continuation.resume(with: Result { try body() }) }
            if !queued { continuation.resume(throwing: RRDError(.refused, message: "the archive is shutting down")) }
        }
    }

    /// Lets queued jobs finish, then ends the thread; returns when it has.
    func stop() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in requestStop(continuation) }
    }

    private func requestStop(_ continuation: CheckedContinuation<Void, Never>) {
        condition.lock()
        stopping = true
        // Never started: nothing queued, nothing to wait for.
        if !started { finished = true }
        let done = finished
        if !done { stopWaiters.append(continuation) }
        condition.signal()
        condition.unlock()
        if done { continuation.resume() }
    }

    private func loop() {
        while true {
            condition.lock()
            while head == jobs.count && !stopping { condition.wait() }
            if head == jobs.count {
                finished = true
                let waiters = stopWaiters
                stopWaiters = []
                condition.unlock()
                for waiter in waiters { waiter.resume() }
                return
            }
            let job = jobs[head]
            head += 1
            if head == jobs.count || head > 1024 {
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job()
        }
    }
}
