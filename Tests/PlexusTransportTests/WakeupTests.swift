import Testing

@testable import PlexusTransport

/// The announcer's and the export senders' sleep: news ends it, whenever it comes; nothing else does but its time.
@Suite(.timeLimit(.minutes(1))) struct WakeupTests {
    @Test func aWakeDuringTheSleepEndsIt() async {
        let wakeup = Wakeup()
        let (started, began) = AsyncStream.makeStream(of: Void.self)
        let sleeper = Task {
            began.yield()
            await wakeup.sleep(seconds: 3600)
        }
        var starts = started.makeAsyncIterator()
        _ = await starts.next()
        // The sleep may not have begun yet: a wake before it is kept for it.
        wakeup.wake()
        await sleeper.value
    }

    @Test func aWakeBeforeTheSleepIsKeptForItAndUsedOnce() async {
        let wakeup = Wakeup()
        wakeup.wake()
        wakeup.wake()
        await wakeup.sleep(seconds: 3600)
        // Used: the next sleep runs its time (a short one here).
        let clock = ContinuousClock()
        let began = clock.now
        await wakeup.sleep(seconds: 0.2)
        #expect(clock.now - began >= .milliseconds(200))
    }

    @Test func cancellingTheSleeperEndsIt() async {
        let wakeup = Wakeup()
        let sleeper = Task { await wakeup.sleep(seconds: .infinity) }
        sleeper.cancel()
        await sleeper.value
    }
}
