import ArgumentParser
import Foundation
import PlexusArchive
import PlexusCore

/// `plexus graph`: a PNG or SVG of a metric or a report, with the events of its range marked.
struct Graph: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Draw a metric or a standard report (load, cpu, mem, network, probes) as PNG or SVG.",
        discussion: """
            Reads the aggregator's RRD files directly: run it on the aggregator host, or where the RRD root is mounted. Without --cluster, --host or --grid it draws the whole grid. Events of the range (plexus events add) are drawn as vertical lines with their text in the legend, events with an end as a shaded band.

            Examples:
              plexus graph --report cpu --cluster web --range day -o cpu.png
              plexus graph --metric load_one --host web-3 --start -6h -o l.svg
              plexus graph --report mem --host db-1 \\
                --start 2026-11-24T22:00 --end 2026-11-25T02:00 -o night.png
              plexus graph --report probes --size xlarge -o - > probes.png
              plexus graph --metric daily_signups --range month \\
                --width 1200 --height 300 --title "Sign-ups" -o signups.png
            """
    )

    @OptionGroup var series: SeriesOptions
    @OptionGroup var archive: ArchiveOptions

    @Option(
        help:
            "small, medium, default, large or xlarge (plot area \(GraphRequest.Size.allCases.map { "\($0.dimensions.width)×\($0.dimensions.height)" }.joined(separator: ", "))).",
        completion: .list(GraphRequest.Size.allCases.map(\.rawValue)))
    var size = "default"

    @Option(help: "Plot area width in pixels (overrides --size).") var width: Int?
    @Option(help: "Plot area height in pixels (overrides --size).") var height: Int?
    @Option(help: "Title (default: what, whose, when).") var title: String?
    @Option(help: "png or svg (default: from the --output extension, else png).", completion: .list(["png", "svg"]))
    var format: String?
    @Option(name: .shortAndLong, help: "Where to write the image; - for standard output.", completion: .file(extensions: ["png", "svg"]))
    var output: String?
    @Flag(help: "Leave events off the graph.") var noEvents = false
    @Flag(name: .shortAndLong, help: "Print no notes on standard error.") var quiet = false

    func validate() throws {
        if let width, !(10...8000).contains(width) { throw ValidationError("--width must be 10…8000 pixels") }
        if let height, !(10...8000).contains(height) { throw ValidationError("--height must be 10…8000 pixels") }
    }

    func run() async throws {
        let console = Console(quiet: quiet)
        guard let output else {
            throw CommandFailure.badInput("say where the image goes: --output FILE, or --output - for standard output")
        }
        if output == "-", isatty(STDOUT_FILENO) == 1 { throw CommandFailure.badInput("standard output is a terminal: give --output FILE, or redirect it") }
        let imageFormat = try Self.format(format, output: output)
        guard let size = GraphRequest.Size(rawValue: size) else {
            throw CommandFailure.badInput(
                "unknown size \(self.size.debugDescription) (known: \(GraphRequest.Size.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        if let client = try archive.client() {
            var parameters = try series.parameters(now: currentTime()) + [("size", size.rawValue)]
            if let width { parameters.append(("width", String(width))) }
            if let height { parameters.append(("height", String(height))) }
            if let title { parameters.append(("title", title)) }
            if noEvents { parameters.append(("events", "0")) }
            let image = try await client.get(imageFormat == .png ? "graph.png" : "graph.svg", parameters)
            try writeOutput([UInt8](image), to: output)
            if output != "-" { console.note("wrote \(output) (\(imageFormat.rawValue) from \(client.base), \(image.count) bytes)") }
            return
        }
        let archive = try self.archive.archive()
        let now = currentTime()
        var request = try series.request(in: archive, now: now)
        (request.width, request.height) = size.dimensions
        request.title = title
        request.format = imageFormat
        if let width { request.width = width }
        if let height { request.height = height }
        if !noEvents { request.mark(try archive.readEvents(console), now: now) }
        let finished = request
        let rendered = try await archive.run(
            plan: { catalog throws(RRDError) in
                try GraphArguments(finished, catalog: catalog, now: now)
            }, "draw the graph"
        ) { reader, arguments throws(RRDError) in try await reader.render(arguments) }
        try writeOutput(rendered.image, to: output)
        if output != "-" {
            console.note("wrote \(output) (\(rendered.format.rawValue), \(rendered.width)×\(rendered.height), \(rendered.image.count) bytes)")
        }
    }

    /// `--format`, else the output's extension: `.png` or `.svg`; none (or `-`) is PNG. Any
    /// other extension is refused rather than filled with PNG bytes (`x.gif` would not be a
    /// GIF); `--format png` writes it anyway.
    static func format(_ format: String?, output: String) throws -> GraphArguments.ImageFormat {
        if let format {
            guard let chosen = GraphArguments.ImageFormat(rawValue: format.uppercased()) else {
                throw CommandFailure.badInput("unknown format \(format.debugDescription) (known: png, svg)")
            }
            return chosen
        }
        let name = output.split(separator: "/").last.map(String.init) ?? output
        guard output != "-", let dot = name.lastIndex(of: "."), dot != name.startIndex else { return .png }
        switch name[name.index(after: dot)...].lowercased() {
        case "png": return .png
        case "svg": return .svg
        case let other:
            throw CommandFailure.badInput("plexus graph draws PNG or SVG, not \(other.uppercased()): name the file .png or .svg, or give --format")
        }
    }
}

/// Writes `bytes` to `path` (`-`: standard output) through a temporary file renamed into place,
/// so a cron job never leaves half an image where a web page links to it. Any failure is bad
/// input (the path given): exit 1.
func writeOutput(_ bytes: [UInt8], to path: String) throws {
    if path == "-" {
        FileHandle.standardOutput.write(Data(bytes))
        return
    }
    let url = URL(fileURLWithPath: path)
    let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp").path
    func failure() -> CommandFailure { CommandFailure.badInput("cannot write \(path): \(String(cString: strerror(errno)))") }
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw failure() }
    let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    let closed = close(fd) == 0
    guard written == bytes.count, closed else {
        let error = failure()
        unlink(temporary)
        throw error
    }
    guard rename(temporary, url.path) == 0 else {
        let error = failure()
        unlink(temporary)
        throw error
    }
}
