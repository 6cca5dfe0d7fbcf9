import PlexusTestSupport
import Testing

@testable import PlexusArchive

/// The writer's rrdcached decisions, with made-up instants: back-off, fallback, stopping.
@Suite struct RRDCachedRouteTests {
    typealias Route = RRDCachedRoute<TestInstant>

    @Test func sendsWhileReachableAndBacksOffWhenNot() {
        var route = Route(fallbackAfter: nil)
        #expect(route.action(now: .seconds(0), connected: false, stopping: false) == .send)
        route.unreachable(now: .seconds(0))
        #expect(route.action(now: .seconds(0), connected: false, stopping: false) == .wait(until: .seconds(0.1)))
        #expect(route.action(now: .seconds(0.1), connected: false, stopping: false) == .send)
        // Each failure doubles the wait, up to 5 s while waiting for it.
        var now = TestInstant.seconds(0.1)
        var waits: [Duration] = []
        for _ in 0..<8 {
            route.unreachable(now: now)
            guard case .wait(let until) = route.action(now: now, connected: false, stopping: false) else {
                Issue.record("expected a wait")
                return
            }
            waits.append(now.duration(to: until))
            now = until
        }
        #expect(
            waits == [
                .milliseconds(200), .milliseconds(400), .milliseconds(800), .milliseconds(1600), .milliseconds(3200),
                .seconds(5), .seconds(5), .seconds(5),
            ])
        // Never written directly without `fallbackAfter`; back, it says so once.
        #expect(route.action(now: now, connected: true, stopping: false) == .send)
        let first = route.reached(), second = route.reached()
        #expect(first && !second)
        #expect(route.backoff == .milliseconds(100))
    }

    @Test func fallsBackToDirectWritesAfterTheConfiguredTime() {
        var route = Route(fallbackAfter: .seconds(1))
        route.unreachable(now: .seconds(10))
        route.unreachable(now: .seconds(10.1))
        route.unreachable(now: .seconds(10.3))
        // The next attempt would be at 10.7; the fallback comes at 11: wait for the attempt.
        #expect(route.action(now: .seconds(10.3), connected: false, stopping: false) == .wait(until: .seconds(10.7)))
        route.unreachable(now: .seconds(10.7))
        // Next attempt at 11.5, after the fallback instant: wait only until 11.
        #expect(route.action(now: .seconds(10.7), connected: false, stopping: false) == .wait(until: .seconds(11)))
        #expect(route.action(now: .seconds(11), connected: false, stopping: false) == .writeDirectly)
        // Once falling back, retries are rarer: up to 30 s apart.
        var now = TestInstant.seconds(11.5)
        for _ in 0..<10 {
            route.unreachable(now: now)
            now = now.advanced(by: route.backoff)
        }
        #expect(route.backoff == .seconds(30))
        #expect(route.unreachableSince == .seconds(10))
    }

    @Test func stoppingWritesDirectlyRatherThanWait() {
        var route = Route(fallbackAfter: nil)
        route.unreachable(now: .seconds(0))
        #expect(route.action(now: .seconds(0.05), connected: false, stopping: true) == .writeDirectly)
        // With a connection, stopping still sends to rrdcached.
        #expect(route.action(now: .seconds(0.05), connected: true, stopping: true) == .send)
    }
}
