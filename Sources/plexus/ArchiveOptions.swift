import ArgumentParser
import Foundation
import PlexusArchive
import PlexusCore

/// Where the archives are: `--rrd-root`, or the aggregator configuration's `rrd_rootdir` (and
/// its rrdcached, flushed before reading), and the events journal beside them.
struct ArchiveOptions: ParsableArguments {
    @Option(help: "The aggregator's RRD root (default: rrd_rootdir of --config).", completion: .directory)
    var rrdRoot: String?

    @Option(
        name: .shortAndLong, help: "Aggregator configuration to read rrd_rootdir and rrdcached_address from (default: /etc/plexus/aggregator.toml if present).",
        completion: .file(extensions: ["toml"]))
    var config: String?

    @Option(help: "The events journal (default: events.jsonl beside the RRD root).", completion: .file(extensions: ["jsonl"]))
    var eventsFile: String?

    @Option(help: "Go through an aggregator's HTTP API instead of the RRD root, e.g. http://monitor:8080 (from any machine).")
    var server: String?

    /// The `--server` client, if one was asked for.
    func client() throws -> ServerClient? {
        try server.map(ServerClient.init)
    }

    static let defaultConfig = "/etc/plexus/aggregator.toml"

    /// The archive as the aggregator's configuration describes it.
    struct Archive {
        var layout: RRDLayout
        var rrdcached: RRDCachedAddress?
        var events: EventFile

        var catalog: ArchiveCatalog { ArchiveCatalog(layout: layout) }

        /// Builds librrd's arguments for a request (a missing archive is bad input), then runs
        /// them on a reader (a librrd failure means the data can't be read).
        func run<Plan, Result: Sendable>(
            plan: (ArchiveCatalog) throws(RRDError) -> Plan, _ what: String, _ body: (ArchiveReader, Plan) async throws(RRDError) -> Result
        ) async throws -> Result {
            let built: Plan
            do {
                built = try plan(catalog)
            } catch {
                throw CommandFailure.badInput(error.path.map { "\(error.message) (\($0))" } ?? error.message)
            }
            let reader = ArchiveReader(store: ArchiveStore(layout: layout), rrdcached: rrdcached)
            do {
                let result = try await body(reader, built)
                await reader.shutdown()
                return result
            } catch {
                await reader.shutdown()
                throw CommandFailure.unreachable("cannot \(what): \(error)")
            }
        }

        /// The events of the journal, with a note about lines that were skipped.
        func readEvents(_ console: Console) throws -> [Event] {
            try ArchiveOptions.readEvents(events, console)
        }
    }

    static func readEvents(_ file: EventFile, _ console: Console) throws -> [Event] {
        let replay: EventJournal.Replay
        do {
            replay = try file.read()
        } catch {
            throw CommandFailure.unreachable("cannot read the events: \(error)")
        }
        if !replay.malformedLines.isEmpty {
            console.note(
                "\(file.path): skipped \(replay.malformedLines.count) malformed line(s): "
                    + replay.malformedLines.prefix(5).map(String.init).joined(separator: ", "))
        }
        return replay.events
    }

    func archive() throws -> Archive {
        let (configuration, file) = try Self.configuration(config)
        var rrdcached: RRDCachedAddress?
        if rrdRoot == nil, let text = configuration.rrdcachedAddress {
            guard let address = RRDCachedAddress(text) else {
                throw CommandFailure.badInput("\(file ?? "configuration"): rrdcached_address \(text.debugDescription) is not an address")
            }
            rrdcached = address
        }
        let layout = RRDLayout(root: rrdRoot ?? configuration.rrdRootdir, caseSensitiveHostnames: configuration.caseSensitiveHostnames)
        guard ArchiveCatalog(layout: layout).rootIsReadable else {
            let reason = FileManager.default.fileExists(atPath: layout.rootDirectory) ? "not a readable directory" : "no such directory"
            throw CommandFailure.unreachable("cannot read the RRD root \(layout.rootDirectory): \(reason)")
        }
        return Archive(
            layout: layout, rrdcached: rrdcached,
            events: eventsFile.map(EventFile.init(path:)) ?? EventFile(besideRoot: layout.rootDirectory))
    }

    /// The aggregator configuration of `--config`, or of the default file if there is one, or the defaults.
    static func configuration(_ config: String?) throws -> (AggregatorConfiguration, file: String?) {
        var configuration = AggregatorConfiguration()
        let file = config ?? (FileManager.default.fileExists(atPath: Self.defaultConfig) ? Self.defaultConfig : nil)
        if let file {
            guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
                throw CommandFailure.badInput("\(file): \(FileManager.default.fileExists(atPath: file) ? "cannot read the file" : "no such file")")
            }
            do {
                configuration = try AggregatorConfiguration.parse(text, file: file)
            } catch {
                throw CommandFailure.badInput("\(error)")
            }
        }
        return (configuration, file)
    }

    /// Shell completion of cluster, host and metric names from the archive the command line
    /// being completed points at (its --rrd-root or --config, else the default configuration's).
    enum Completion {
        static func catalog(_ words: [String]) -> ArchiveCatalog {
            func value(_ names: Set<String>) -> String? {
                for (i, word) in words.enumerated() {
                    if names.contains(word), i + 1 < words.count { return words[i + 1] }
                    for name in names where word.hasPrefix(name + "=") { return String(word.dropFirst(name.count + 1)) }
                }
                return nil
            }
            let configuration = (try? ArchiveOptions.configuration(value(["--config", "-c"])).0) ?? AggregatorConfiguration()
            return ArchiveCatalog(
                layout: RRDLayout(
                    root: value(["--rrd-root"]) ?? configuration.rrdRootdir,
                    caseSensitiveHostnames: configuration.caseSensitiveHostnames))
        }

        static func option(_ words: [String], _ name: String) -> String? {
            words.firstIndex(of: name).flatMap { $0 + 1 < words.count ? words[$0 + 1] : nil }
        }

        @Sendable static func clusters(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
            catalog(words).clusters().filter { $0.hasPrefix(prefix) }
        }

        @Sendable static func hosts(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
            let catalog = catalog(words)
            let clusters = option(words, "--cluster").map { [$0] } ?? catalog.clusters()
            return Array(Set(clusters.flatMap(catalog.hosts(of:)))).filter { $0.hasPrefix(prefix) }.sorted()
        }

        @Sendable static func metrics(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
            let catalog = catalog(words)
            var directory = [catalog.layout.rootDirectory, option(words, "--cluster") ?? "", option(words, "--host") ?? ""]
                .filter { !$0.isEmpty }.joined(separator: "/")
            if option(words, "--host") == nil { directory += "/" + RRDLayout.summaryDirectory }
            return catalog.files(in: directory).map { String($0.dropLast(4)) }.filter { $0.hasPrefix(prefix) }
        }
    }
}

/// What to draw or export: whose archives (`--cluster`/`--host`, `--grid`, or the whole grid),
/// which series (`--metric` or `--report`), over which time (`--range`, or `--start`/`--end`).
struct SeriesOptions: ParsableArguments {
    @Option(help: "Cluster (its summary, or with --host one of its hosts).", completion: .custom(ArchiveOptions.Completion.clusters))
    var cluster: String?

    @Option(
        help: "Host (its cluster is found in the archive when --cluster is not given).",
        completion: .custom(ArchiveOptions.Completion.hosts))
    var host: String?

    @Option(help: "A federated child grid's summary (default without --cluster/--host: the whole grid).")
    var grid: String?

    @Option(help: "One metric, e.g. load_one or daily_signups.", completion: .custom(ArchiveOptions.Completion.metrics))
    var metric: String?

    @Option(
        help: "A standard report: \(GraphRequest.Report.allCases.map(\.rawValue).joined(separator: ", ")).",
        completion: .list(GraphRequest.Report.allCases.map(\.rawValue)))
    var report: String?

    @Option(
        help: "The last \(GraphRequest.NamedRange.allCases.map(\.rawValue).joined(separator: "|")) (default hour).",
        completion: .list(GraphRequest.NamedRange.allCases.map(\.rawValue)))
    var range: String?

    @Option(help: "Start: now-2h, -1d, 1764064800, 2026-11-25, 2026-11-25T14:30 (local time unless Z or ±HH:MM).")
    var start: String?

    @Option(help: "End (default now); same forms as --start.")
    var end: String?

    func validate() throws {
        if let problem = selection.problem() { throw ValidationError(problem) }
    }

    var selection: SeriesSelection {
        SeriesSelection(cluster: cluster, host: host, grid: grid, metric: metric, report: report, range: range, start: start, end: end)
    }

    /// The selection as the HTTP API's parameters; times are read here, in the operator's zone,
    /// and sent as seconds.
    func parameters(now: Int64) throws -> [(String, String)] {
        var parameters = [("cluster", cluster), ("host", host), ("grid", grid), ("metric", metric), ("report", report), ("range", range)]
            .compactMap { name, value in value.map { (name, $0) } }
        // Times go as epochs, checked here as the server checks them: an epoch it can't take
        // (before 2000, which is also fewer than 9 digits) is this command's error, said as
        // the local archive would say it, not the server's "not a time".
        for (text, name, option) in [(start, "start", "--start"), (end, "end", "--end")] {
            guard let text else { continue }
            let time = try Self.time(text, option, now: now)
            if let problem = TimeLimits().problem(time: time, now: now, label: option) { throw CommandFailure.badInput(problem) }
            parameters.append((name, String(time)))
        }
        return parameters
    }

    /// The request, checked against the archive: unknown names and bad times are bad input.
    func request(in archive: ArchiveOptions.Archive, now: Int64) throws -> GraphRequest {
        do {
            return try selection.request(catalog: archive.catalog, now: now, labels: ("--start", "--end"))
        } catch {
            throw CommandFailure.badInput(error.message)
        }
    }

    static func time(_ text: String, _ option: String, now: Int64) throws -> Int64 {
        do {
            return try SeriesSelection.time(text, option, now: now)
        } catch {
            throw CommandFailure.badInput(error.message)
        }
    }
}

/// Seconds since the epoch, now.
func currentTime() -> Int64 { Int64(Date().timeIntervalSince1970) }
