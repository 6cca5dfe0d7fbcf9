import Foundation
import PlexusAlerts
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
}
