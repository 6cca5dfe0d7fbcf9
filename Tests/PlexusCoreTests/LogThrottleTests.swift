import PlexusCore
import Testing

@Suite struct LogThrottleTests {
    @Test func theFirstOfAKindIsLoggedThenOneLineAnIntervalWithTheCount() {
        var throttle = LogThrottle(interval: 60)
        #expect(throttle.record("client failed", now: 1000) == 0)
        for t in 1001..<1060 { #expect(throttle.record("client failed", now: Int64(t)) == nil) }
        // Another kind is not held back by the first.
        #expect(throttle.record("refused", now: 1030) == 0)
        #expect(throttle.record("client failed", now: 1060) == 59)
        #expect(throttle.record("client failed", now: 1061) == nil)
        #expect(throttle.record("client failed", now: 2000) == 1)
    }

    @Test func kindsAreBounded() {
        var throttle = LogThrottle(interval: 60, maxKinds: 3)
        for (i, kind) in ["a", "b", "c", "d"].enumerated() { #expect(throttle.record(kind, now: 1000 + Int64(i)) == 0) }
        // "a" was forgotten to make room for "d": it counts as new again.
        #expect(throttle.record("a", now: 1010) == 0)
        #expect(throttle.record("d", now: 1010) == nil)
    }
}
