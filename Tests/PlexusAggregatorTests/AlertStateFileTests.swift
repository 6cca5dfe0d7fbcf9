import Foundation
import PlexusAlerts
import PlexusArchive
import PlexusTestSupport
import Testing

@testable import PlexusAggregator

/// The alerts kept across restarts: saved whole or not at all, read back the same.
@Suite struct AlertStateFileTests {
    static let alerts = [
        ActiveAlert(
            labels: ["alertname": "HighLoad", "severity": "warning", "cluster": "web", "host": "web-1", "metric": "load_one"], state: .firing,
            activeSince: 1_795_543_200, firingSince: 1_795_543_260, value: 4.5, summary: "load 4.5 on web-1"),
        ActiveAlert(
            labels: ["alertname": "HostDown", "severity": "critical", "cluster": "db", "host": "db-1"], state: .pending, activeSince: 1_795_543_300,
            firingSince: nil, value: 400),
    ]

    @Test func savedAlertsReadBackAndReplaceTheFileWhole() throws {
        let root = try TemporaryDirectory(prefix: "plexus-alert-state")
        defer { root.remove() }
        let file = AlertStateFile(root: root.path)
        #expect(try file.load().isEmpty, "no file yet: no alerts")
        try file.save(Self.alerts)
        #expect(try file.load().sorted { $0.name < $1.name } == Self.alerts)
        let first = try Data(contentsOf: URL(fileURLWithPath: file.path))
        try file.save(Self.alerts.reversed())
        #expect(try Data(contentsOf: URL(fileURLWithPath: file.path)) == first, "the same state writes the same bytes")
        try file.save([])
        #expect(try file.load().isEmpty)
        #expect(root.files().filter { $0.hasSuffix(".new") }.isEmpty, "nothing left beside it")
    }

    @Test func aDamagedFileIsAClearErrorNotAnEmptyState() throws {
        let root = try TemporaryDirectory(prefix: "plexus-alert-state")
        defer { root.remove() }
        let file = AlertStateFile(root: root.path)
        try Data("{\"version\":1,\"alerts\":[{\"labels\":".utf8).write(to: URL(fileURLWithPath: file.path))
        #expect(throws: AlertStateFile.Problem.self) { try file.load() }
        do {
            _ = try file.load()
        } catch {
            #expect(error.description.contains("is not an alert state file") && error.description.contains("move it aside"))
        }
        // A root that can't be written: the reason, with errno.
        let missing = AlertStateFile(root: root.appending("no/such/dir"))
        #expect(throws: AlertStateFile.Problem.self) { try missing.save(Self.alerts) }
    }

    @Test func changesNotYetDeliveredAreKeptWithTheAlerts() throws {
        let root = try TemporaryDirectory(prefix: "plexus-alert-state")
        defer { root.remove() }
        let file = AlertStateFile(root: root.path)
        let resolved = AlertChange(kind: .resolved, alert: Self.alerts[0], at: 1_795_543_400)
        let undelivered = UndeliveredChanges(alertmanager: [resolved], webhook: [resolved], command: [])
        try file.save([Self.alerts[1]], undelivered: undelivered)
        let loaded = try file.loadAll()
        #expect(loaded.alerts == [Self.alerts[1]] && loaded.undelivered == undelivered)
        // Nothing left to deliver writes no section at all.
        try file.save([Self.alerts[1]])
        #expect(try String(contentsOfFile: file.path, encoding: .utf8).contains("undelivered") == false)
    }

    @Test func aFiringIsAMomentAndAResolveSpansTheTimeItFiredOnItsHostsGraphs() {
        let alert = Self.alerts[0]
        let fired = AlertEvents.event(for: AlertChange(kind: .firing, alert: alert, at: 1_795_543_260), id: 7, created: 1_795_543_260)
        #expect(fired.id == 7 && fired.start == 1_795_543_260 && fired.end == nil && fired.tags == ["alert", "firing"])
        #expect(fired.text == "HighLoad firing: load 4.5 on web-1" && fired.cluster == "web" && fired.host == "web-1")
        #expect(fired.problem() == nil)
        let resolved = AlertEvents.event(for: AlertChange(kind: .resolved, alert: alert, at: 1_795_543_500), id: 8, created: 1_795_543_500)
        #expect(resolved.start == 1_795_543_260 && resolved.end == 1_795_543_500 && resolved.tags == ["alert", "resolved"])
        // Names are taken literally; control characters and overlong summaries can't spoil the journal.
        var odd = alert
        odd.labels["host"] = "web[1]*"
        odd.summary = "line one\nline two " + String(repeating: "x", count: 600)
        let event = AlertEvents.event(for: AlertChange(kind: .firing, alert: odd, at: 1_795_543_260), id: 9, created: 1_795_543_260)
        #expect(event.host == "web[[]1][*]" && event.applies(to: .host(cluster: "web", host: "web[1]*")))
        #expect(!event.applies(to: .host(cluster: "web", host: "web1x")))
        #expect(event.problem() == nil && event.text.count == Event.maxTextLength)
    }
}
