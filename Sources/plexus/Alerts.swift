import ArgumentParser
import Foundation
import PlexusAlerts

/// `plexus alerts`: what the aggregator's rules hold pending and firing (`docs/alerts.md`).
struct Alerts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "List the alerts pending and firing.",
        discussion: """
            Through an aggregator's API (--server), or from the state the aggregator keeps under its RRD root (.plexus-alerts.json, as of its latest change). Exit status 0 when nothing fires, 3 when something does, so scripts and checks can use it.

            Examples:
              plexus alerts --server http://monitor:8080
              plexus alerts --firing --json
            """
    )

    @Flag(help: "Only the firing alerts (not those waiting out their 'for').") var firing = false
    @OptionGroup var archive: ArchiveOptions
    @OptionGroup var output: OutputOptions

    /// The state file's shape, as far as this command reads it.
    struct Saved: Decodable {
        var alerts: [ActiveAlert]
    }

    func run() async throws {
        var rows: [AlertRecord]
        if let client = try archive.client() {
            let data = try await client.get("api/v1/alerts", [])
            guard let answer = try? JSONDecoder().decode(AlertRecord.List.self, from: data) else {
                throw CommandFailure.unreachable("the server's answer is not the alerts API's JSON")
            }
            rows = answer.alerts
        } else {
            rows = try Self.saved(root: archive.archive().layout.rootDirectory).map(AlertRecord.init)
        }
        if firing { rows = rows.filter { $0.state == "firing" } }
        if output.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            Console.output(String(decoding: try encoder.encode(rows), as: UTF8.self) + "\n")
        } else {
            Console.output(output.render(Self.table(rows)))
        }
        if rows.contains(where: { $0.state == "firing" }) { throw ExitCode(3) }
    }

    static func saved(root: String) throws -> [ActiveAlert] {
        let path = (root.hasSuffix("/") ? root : root + "/") + ActiveAlert.stateFileName
        guard let data = FileManager.default.contents(atPath: path) else {
            if FileManager.default.fileExists(atPath: path) { throw CommandFailure.unreachable("cannot read \(path)") }
            return []
        }
        guard let saved = try? JSONDecoder().decode(Saved.self, from: data) else {
            throw CommandFailure.unreachable("\(path) is not the aggregator's alert state")
        }
        return saved.alerts
    }

    static func table(_ rows: [AlertRecord]) -> Table {
        var table = Table(columns: [
            Table.Column("alert"), Table.Column("state"), Table.Column("since"), Table.Column("severity"), Table.Column("cluster"),
            Table.Column("host"), Table.Column("metric"), Table.Column("value", right: true), Table.Column("summary"),
        ])
        for row in rows {
            func label(_ name: String) -> Table.Cell { row.labels[name].map(Table.Cell.text) ?? .missing }
            table.rows.append([
                .text(row.name), .text(row.state), .time(row.since), label("severity"),
                row.labels["cluster"].map(Table.Cell.text) ?? row.labels["grid"].map(Table.Cell.text) ?? label("source"), label("host"),
                label("metric"), row.value.map(Table.Cell.number) ?? .missing, row.summary.map(Table.Cell.text) ?? .missing,
            ])
        }
        return table
    }
}
