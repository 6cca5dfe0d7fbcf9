import Synchronization

/// A sleep another task can end early. The agent's announcer sleeps to its next deadline and is
/// woken when there is news for it (a metadata request to answer, a plugin run to send): before,
/// it woke every second to look, a wake-up a second on an idle host for nothing. The
/// aggregator's export senders sleep until values are queued or a batch's deadline passes.
public final class Wakeup: Sendable {
    private struct State {
        /// A wake that came while no one slept: the next sleep returns at once.
        var pending = false
        var sleeper: Task<Void, Never>?
    }

    private let state = Mutex(State())

    public init() {}

    /// Ends the current sleep, or the next one if none is running.
    public func wake() {
        state.withLock { s in
            s.pending = true
            s.sleeper?.cancel()
        }
    }

    /// Sleeps `seconds` (at most a day: infinity is "until woken"), or until `wake`, or until
    /// the calling task is cancelled.
    public func sleep(seconds: Double) async {
        let milliseconds = seconds.isNaN ? 0 : Int64(min(max(0, seconds), 86_400) * 1000)
        let sleeper = Task<Void, Never> { try? await Task.sleep(for: .milliseconds(milliseconds)) }
        let woken = state.withLock { s in
            defer { s.pending = false }
            s.sleeper = s.pending ? nil : sleeper
            return s.pending
        }
        if woken { sleeper.cancel() }
        await withTaskCancellationHandler {
            await sleeper.value
        } onCancel: {
            sleeper.cancel()
        }
        state.withLock { $0.sleeper = nil }
    }
}
