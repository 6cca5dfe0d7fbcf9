import ArgumentParser
import Foundation
import PlexusArchive
import PlexusCore

/// `plexus export`: the series a graph would draw, as CSV or JSON.
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a metric's or a report's series as CSV (default) or JSON, for spreadsheets and scripts.",
        discussion: """
            The same selection as plexus graph, and the same series: a report exports what it draws (CPU in percent, memory in bytes, a cluster's CPU as the mean over its hosts). A summary's metric comes with a hosts column (how many hosts the sum is over). Each row's time is the end of the interval it averages. Values the archive doesn't hold are empty in CSV and null in JSON.

            Examples:
              plexus export --metric daily_signups --range month > signups.csv
              plexus export --report cpu --host db-1 --start -6h --json \\
                | jq '.rows[-1]'
              plexus export --metric load_one --cluster web --range week \\
                --step 3600 --time-format iso -o web-load.csv
            """
    )

    @OptionGroup var series: SeriesOptions
    @OptionGroup var archive: ArchiveOptions

    @Flag(help: "JSON: {subject, start, end, step, columns, rows: [{time, <column>: value|null}]}.") var json = false
    @Flag(help: "CSV with a header line (the default).") var csv = false
    @Option(help: "Resolution in seconds (rrdtool picks the archive that has it, or the next coarser).") var step: Int?
    @Option(help: "epoch (seconds) or iso (UTC, 2026-11-25T14:30:00Z).", completion: .list(["epoch", "iso"]))
    var timeFormat: ExportText.TimeFormat = .epoch
    @Option(name: .shortAndLong, help: "Where to write; - (the default) for standard output.", completion: .file(extensions: ["csv", "json"]))
    var output = "-"
    @Flag(name: .shortAndLong, help: "Print no notes on standard error.") var quiet = false

    func validate() throws {
        if json && csv { throw ValidationError("--json and --csv exclude each other") }
        if let step, step < 1 { throw ValidationError("--step must be at least 1 second") }
    }

    func run() async throws {
        if let client = try archive.client() {
            var parameters = try series.parameters(now: currentTime()) + [("format", json ? "json" : "csv"), ("time", timeFormat.rawValue)]
            if let step { parameters.append(("step", String(step))) }
            let text = try await client.get("api/v1/series", parameters)
            try writeOutput([UInt8](text), to: output)
            if output != "-" { Console(quiet: quiet).note("wrote \(output) (from \(client.base), \(text.count) bytes)") }
            return
        }
        let archive = try self.archive.archive()
        let now = currentTime()
        let request = try series.request(in: archive, now: now)
        if let step {
            let (start, end) = request.range.bounds(now: now)
            if let problem = TimeLimits().problem(step: step, start: start, end: end) { throw CommandFailure.badInput(problem) }
        }
        let (data, columns) = try await archive.run(
            plan: { catalog throws(RRDError) in
                try ExportArguments(request, catalog: catalog, now: now, step: step)
            }, "read the series"
        ) { reader, arguments throws(RRDError) in (try await reader.export(arguments), arguments.columns) }
        let text =
            json
            ? Array(ExportText.json(data, columns: columns, request: request, time: timeFormat).utf8)
            : ExportText.csvBytes(data, columns: columns, time: timeFormat)
        try writeOutput(text, to: output)
        if output != "-" { Console(quiet: quiet).note("wrote \(output) (\(data.rows.count) rows, step \(data.step) s)") }
    }
}

extension ExportText.TimeFormat: ExpressibleByArgument {}
