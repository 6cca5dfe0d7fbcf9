import Foundation
import PlexusCore
import Testing

@testable import PlexusAlerts

/// What is sent (Alertmanager's v2 alerts, the webhook's JSON) and when (queues, resends,
/// back-off), on values and times given to them.
@Suite struct AlertDeliveryTests {
    static let t0: Int64 = 1_795_543_200
    static let origin = AlertMessages.Origin(grid: "prod", dashboard: "http://monitor:8080/")

    static let firing = ActiveAlert(
        labels: ["alertname": "HighLoad", "severity": "page", "cluster": "web servers", "host": "web-1", "metric": "load_one"],
        state: .firing, activeSince: t0 - 60, firingSince: t0, value: 5.25, summary: "load 5.25 on web-1")

    static func json(_ bytes: [UInt8]) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(bytes))
    }

    @Test func timesAreRFC3339InUTC() {
        #expect(AlertMessages.rfc3339(0) == "1970-01-01T00:00:00Z")
        #expect(AlertMessages.rfc3339(951_782_400) == "2000-02-29T00:00:00Z")
        #expect(AlertMessages.rfc3339(1_795_543_205) == "2026-11-24T18:00:05Z")
        #expect(AlertMessages.rfc3339(-1) == "1969-12-31T23:59:59Z")
        // Every day for 3 years around a leap year agrees with Foundation's formatter.
        let formatter = ISO8601DateFormatter()
        for day in stride(from: Int64(1_700_000_000), to: 1_800_000_000, by: 86_400 + 3_607) {
            #expect(AlertMessages.rfc3339(day) == formatter.string(from: Date(timeIntervalSince1970: TimeInterval(day))))
        }
    }

    @Test func alertmanagerGetsLabelsAnnotationsTimesAndTheSeriesPage() throws {
        let resolved = ActiveAlert(
            labels: ["alertname": "HostDown", "severity": "warning", "cluster": "db", "host": "db-2"], state: .firing,
            activeSince: Self.t0 - 300, firingSince: Self.t0 - 300, value: 120)
        let body = AlertMessages.alertmanager(
            firing: [Self.firing], resolved: [AlertChange(kind: .resolved, alert: resolved, at: Self.t0 + 10)], validUntil: Self.t0 + 240, origin: Self.origin)
        let alerts = try #require(try Self.json(body) as? [[String: Any]])
        #expect(alerts.count == 2)
        #expect(
            alerts[0]["labels"] as? [String: String] == [
                "alertname": "HighLoad", "severity": "page", "cluster": "web servers", "host": "web-1", "metric": "load_one", "grid": "prod",
            ])
        #expect(alerts[0]["annotations"] as? [String: String] == ["summary": "load 5.25 on web-1", "value": "5.25"])
        #expect(alerts[0]["startsAt"] as? String == "2026-11-24T18:00:00Z" && alerts[0]["endsAt"] as? String == "2026-11-24T18:04:00Z")
        #expect(alerts[0]["generatorURL"] as? String == "http://monitor:8080/cluster/web%20servers/host/web-1/metric/load_one")
        #expect(alerts[0]["status"] == nil)
        // The resolved one ends when it resolved; its summary is made from its labels.
        #expect(alerts[1]["endsAt"] as? String == "2026-11-24T18:00:10Z" && alerts[1]["startsAt"] as? String == "2026-11-24T17:55:00Z")
        #expect((alerts[1]["annotations"] as? [String: String])?["summary"] == "HostDown on db-2")
        #expect(alerts[1]["generatorURL"] as? String == "http://monitor:8080/cluster/db/host/db-2")
    }

    @Test func aWebhookGetsAlertmanagersWebhookShapeForOneChange() throws {
        let body = AlertMessages.webhook(AlertChange(kind: .resolved, alert: Self.firing, at: Self.t0 + 90), origin: Self.origin)
        let message = try #require(try Self.json(body) as? [String: Any])
        #expect(message["version"] as? String == "4" && message["status"] as? String == "resolved" && message["receiver"] as? String == "plexus")
        #expect(message["groupLabels"] as? [String: String] == ["alertname": "HighLoad"])
        #expect((message["commonLabels"] as? [String: String])?["grid"] == "prod")
        let alerts = try #require(message["alerts"] as? [[String: Any]])
        #expect(alerts.count == 1 && alerts[0]["status"] as? String == "resolved")
        #expect(alerts[0]["startsAt"] as? String == "2026-11-24T18:00:00Z" && alerts[0]["endsAt"] as? String == "2026-11-24T18:01:30Z")
        let fired = try #require(
            try Self.json(AlertMessages.webhook(AlertChange(kind: .firing, alert: Self.firing, at: Self.t0), origin: Self.origin))
                as? [String: Any])
        #expect(fired["status"] as? String == "firing" && (fired["alerts"] as? [[String: Any]])?.first?["endsAt"] == nil)
    }

    @Test func summariesAndSourcesLinkToTheirPages() {
        #expect(AlertMessages.generatorURL(["cluster": "web", "metric": "cpu_user"], Self.origin) == "http://monitor:8080/cluster/web/metric/cpu_user")
        #expect(AlertMessages.generatorURL(["grid": "prod", "metric": "cpu_user"], Self.origin) == "http://monitor:8080/")
        #expect(AlertMessages.generatorURL(["source": "a/b"], Self.origin) == "http://monitor:8080/")
        #expect(AlertMessages.generatorURL(["cluster": "a/b?c#d"], Self.origin) == "http://monitor:8080/cluster/a%2Fb%3Fc%23d")
    }

    @Test func aQueueKeepsOrderRetriesWithBackoffAndDropsTheOldestWhenFull() {
        var queue = DeliveryQueue<Int>(capacity: 3)
        for i in 1...4 { queue.append(i) }
        #expect(queue.items == [2, 3, 4] && queue.counters.dropped == 1)
        #expect(queue.due(now: Self.t0) == 2)
        queue.failed(now: Self.t0)
        #expect(queue.due(now: Self.t0) == nil && queue.due(now: Self.t0 + 1) == 2)
        queue.failed(now: Self.t0 + 1)
        #expect(queue.due(now: Self.t0 + 2) == nil && queue.due(now: Self.t0 + 3) == 2)
        // The wait doubles up to a minute.
        var now = Self.t0 + 3
        for _ in 0..<10 {
            queue.failed(now: now)
            now = queue.retryAt
        }
        #expect(queue.retryAt - Self.t0 > 200 && queue.counters.failed == 12)
        queue.failed(now: now)
        #expect(queue.retryAt - now == 60)
        queue.delivered()
        #expect(queue.items == [3, 4] && queue.counters.sent == 1 && queue.due(now: now) == 3)
        // Success resets the wait.
        queue.failed(now: now)
        #expect(queue.retryAt == now + 1)
    }

    @Test func alertmanagerIsToldOfChangesAtOnceAndResentWhileFiring() {
        var sync = AlertmanagerSync(resendInterval: 60)
        // First evaluation (or after a restart): the whole picture is due.
        #expect(sync.due(now: Self.t0))
        sync.delivered(resolvedSent: 0, now: Self.t0)
        #expect(!sync.due(now: Self.t0 + 15) && sync.due(now: Self.t0 + 60))
        sync.note([AlertChange(kind: .firing, alert: Self.firing, at: Self.t0 + 20)])
        #expect(sync.due(now: Self.t0 + 20))
        sync.delivered(resolvedSent: 0, now: Self.t0 + 20)
        sync.note([AlertChange(kind: .resolved, alert: Self.firing, at: Self.t0 + 30)])
        #expect(sync.resolved.count == 1 && sync.due(now: Self.t0 + 30))
        // Alertmanager is down: the resolve waits, retried after 1, 2, 4 s.
        sync.failed(now: Self.t0 + 30)
        #expect(!sync.due(now: Self.t0 + 30) && sync.due(now: Self.t0 + 31))
        sync.failed(now: Self.t0 + 31)
        #expect(!sync.due(now: Self.t0 + 32) && sync.due(now: Self.t0 + 33) && sync.counters.failed == 2)
        // A resolve noted during the post stays for the next one.
        sync.note([AlertChange(kind: .resolved, alert: Self.firing, at: Self.t0 + 33)])
        sync.delivered(resolvedSent: 1, now: Self.t0 + 34)
        #expect(sync.resolved.map(\.at) == [Self.t0 + 33] && sync.due(now: Self.t0 + 34))
        sync.delivered(resolvedSent: 1, now: Self.t0 + 35)
        #expect(sync.resolved.isEmpty && !sync.due(now: Self.t0 + 36) && sync.counters.sent == 4)
    }

    @Test func resolvesWaitingForAlertmanagerAreBounded() {
        var sync = AlertmanagerSync(resendInterval: 60, capacity: 2)
        for i in 0..<5 { sync.note([AlertChange(kind: .resolved, alert: Self.firing, at: Self.t0 + Int64(i))]) }
        #expect(sync.resolved.map(\.at) == [Self.t0 + 3, Self.t0 + 4] && sync.counters.dropped == 3)
    }
}
