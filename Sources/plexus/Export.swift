import ArgumentParser
import Foundation
import PlexusArchive
import PlexusCore

/// `plexus export`: the series a graph would draw, as CSV or JSON.
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
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
    var timeFormat = "epoch"
    @Option(name: .shortAndLong, help: "Where to write; - (the default) for standard output.", completion: .file(extensions: ["csv", "json"]))
    var output = "-"
    @Flag(name: .shortAndLong, help: "Print no notes on standard error.") var quiet = false

    func validate() throws {
        if json && csv { throw ValidationError("--json and --csv exclude each other") }
        if let step, step < 1 { throw ValidationError("--step must be at least 1 second") }
        if !["epoch", "iso"].contains(timeFormat) { throw ValidationError("--time-format must be epoch or iso") }
    }

    func run() async throws {
        let archive = try self.archive.archive()
        let now = currentTime()
        let request = try series.request(in: archive, now: now)
        let subject = request.subject
        let (data, columns) = try await archive.run(plan: { exists, listing throws(RRDError) in
            try ExportArguments(request, layout: archive.layout, now: now, step: step, exists: exists, listing: listing)
        }, "read the series") { reader, arguments throws(RRDError) in (try await reader.export(arguments), arguments.columns) }
        let text = json ? jsonText(data, columns: columns, subject: subject) : csvText(data, columns: columns)
        try writeOutput(Array(text.utf8), to: output)
        if output != "-" { Console(quiet: quiet).note("wrote \(output) (\(data.rows.count) rows, step \(data.step) s)") }
    }

    private func time(_ t: Int64) -> String {
        timeFormat == "iso" ? Table.Cell.calendarText(t, utc: true) : String(t)
    }

    func csvText(_ data: RRDSeries, columns: [String]) -> String {
        var out = (["time"] + columns).joined(separator: ",") + "\r\n"
        for (i, row) in data.rows.enumerated() {
            out += ([time(data.time(ofRow: i))] + row.map { $0.isFinite ? Table.Cell.format($0, exact: true) : "" }).joined(separator: ",") + "\r\n"
        }
        return out
    }

    func jsonText(_ data: RRDSeries, columns: [String], subject: GraphRequest.Subject) -> String {
        let quote = Table.Cell.quoted
        let whose = switch subject {
        case .host(let c, let h): "{\"cluster\":\(quote(c.rawValue)),\"host\":\(quote(h.rawValue))}"
        case .cluster(let c): "{\"cluster\":\(quote(c.rawValue))}"
        case .grid(let g?): "{\"grid\":\(quote(g.rawValue))}"
        case .grid(nil): "{\"grid\":null}"
        }
        let what = series.metric.map { "\"metric\":\(quote($0))" } ?? "\"report\":\(quote(series.report ?? ""))"
        var out = "{\"subject\":\(whose),\(what),\"start\":\(data.start),\"end\":\(data.end),\"step\":\(data.step),"
        out += "\"columns\":[" + (["time"] + columns).map(quote).joined(separator: ",") + "],\n\"rows\":["
        out += data.rows.enumerated().map { i, row in
            let t = data.time(ofRow: i)
            let stamp = timeFormat == "iso" ? quote(time(t)) : String(t)
            return "{\"time\":\(stamp)," + zip(columns, row).map { "\(quote($0)):\(Table.Cell.number($1).json)" }.joined(separator: ",") + "}"
        }.joined(separator: ",\n ")
        return out + "]}\n"
    }
}
