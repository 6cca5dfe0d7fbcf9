import ArgumentParser
import Foundation
import PlexusArchive
import PlexusCore

/// Where the archives are: `--rrd-root`, or the aggregator configuration's `rrd_rootdir` (and
/// its rrdcached, flushed before reading), and the events journal beside them.
struct ArchiveOptions: ParsableArguments {
    @Option(help: "The aggregator's RRD root (default: rrd_rootdir of --config).", completion: .directory)
    var rrdRoot: String?

    @Option(name: .shortAndLong, help: "Aggregator configuration to read rrd_rootdir and rrdcached_address from (default: /etc/plexus/aggregator.toml if present).",
            completion: .file(extensions: ["toml"]))
    var config: String?

    @Option(help: "The events journal (default: events.jsonl beside the RRD root).", completion: .file(extensions: ["jsonl"]))
    var eventsFile: String?

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
            plan: (_ exists: @escaping (String) -> Bool, _ listing: @escaping (String) -> [String]) throws(RRDError) -> Plan,
            _ what: String, _ body: (ArchiveReader, Plan) async throws(RRDError) -> Result
        ) async throws -> Result {
            let catalog = self.catalog
            let built: Plan
            do {
                built = try plan({ FileManager.default.fileExists(atPath: $0) }, catalog.files(in:))
            } catch {
                throw Failure.badInput(error.path.map { "\(error.message) (\($0))" } ?? error.message)
            }
            let reader = ArchiveReader(store: ArchiveStore(layout: layout), rrdcached: rrdcached)
            do {
                let result = try await body(reader, built)
                await reader.shutdown()
                return result
            } catch {
                await reader.shutdown()
                throw Failure.unreachable("cannot \(what): \(error)")
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
            throw Failure.unreachable("cannot read the events: \(error)")
        }
        if !replay.malformedLines.isEmpty {
            console.note("\(file.path): skipped \(replay.malformedLines.count) malformed line(s): "
                + replay.malformedLines.prefix(5).map(String.init).joined(separator: ", "))
        }
        return replay.events
    }

    func archive() throws -> Archive {
        let (configuration, file) = try Self.configuration(config)
        var rrdcached: RRDCachedAddress?
        if rrdRoot == nil, let text = configuration.rrdcachedAddress {
            guard let address = RRDCachedAddress(text) else {
                throw Failure.badInput("\(file ?? "configuration"): rrdcached_address \(text.debugDescription) is not an address")
            }
            rrdcached = address
        }
        let layout = RRDLayout(root: rrdRoot ?? configuration.rrdRootdir, caseSensitiveHostnames: configuration.caseSensitiveHostnames)
        guard ArchiveCatalog(layout: layout).rootIsReadable else {
            let reason = FileManager.default.fileExists(atPath: layout.rootDirectory) ? "not a readable directory" : "no such directory"
            throw Failure.unreachable("cannot read the RRD root \(layout.rootDirectory): \(reason)")
        }
        return Archive(layout: layout, rrdcached: rrdcached,
                       events: eventsFile.map(EventFile.init(path:)) ?? EventFile(besideRoot: layout.rootDirectory))
    }

    /// The aggregator configuration of `--config`, or of the default file if there is one, or the defaults.
    static func configuration(_ config: String?) throws -> (AggregatorConfiguration, file: String?) {
        var configuration = AggregatorConfiguration()
        let file = config ?? (FileManager.default.fileExists(atPath: Self.defaultConfig) ? Self.defaultConfig : nil)
        if let file {
            guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
                throw Failure.badInput("\(file): \(FileManager.default.fileExists(atPath: file) ? "cannot read the file" : "no such file")")
            }
            do {
                configuration = try AggregatorConfiguration.parse(text, file: file)
            } catch {
                throw Failure.badInput("\(error)")
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
            return ArchiveCatalog(layout: RRDLayout(root: value(["--rrd-root"]) ?? configuration.rrdRootdir,
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

    @Option(help: "Host (its cluster is found in the archive when --cluster is not given).",
            completion: .custom(ArchiveOptions.Completion.hosts))
    var host: String?

    @Option(help: "A federated child grid's summary (default without --cluster/--host: the whole grid).")
    var grid: String?

    @Option(help: "One metric, e.g. load_one or daily_signups.", completion: .custom(ArchiveOptions.Completion.metrics))
    var metric: String?

    @Option(help: "A standard report: \(GraphRequest.Report.allCases.map(\.rawValue).joined(separator: ", ")).",
            completion: .list(GraphRequest.Report.allCases.map(\.rawValue)))
    var report: String?

    @Option(help: "The last \(GraphRequest.NamedRange.allCases.map(\.rawValue).joined(separator: "|")) (default hour).",
            completion: .list(GraphRequest.NamedRange.allCases.map(\.rawValue)))
    var range: String?

    @Option(help: "Start: now-2h, -1d, 1764064800, 2026-11-25, 2026-11-25T14:30 (local time unless Z or ±HH:MM).")
    var start: String?

    @Option(help: "End (default now); same forms as --start.")
    var end: String?

    func validate() throws {
        if metric != nil && report != nil { throw ValidationError("give --metric or --report, not both") }
        if metric == nil && report == nil { throw ValidationError("say what to show: --metric NAME or --report \(GraphRequest.Report.allCases.map(\.rawValue).joined(separator: "|"))") }
        if range != nil && (start != nil || end != nil) { throw ValidationError("--range excludes --start and --end") }
        if grid != nil && (cluster != nil || host != nil) { throw ValidationError("--grid excludes --cluster and --host") }
    }

    /// The subject, checked against the archive: unknown names are bad input.
    func subject(in archive: ArchiveOptions.Archive) throws -> GraphRequest.Subject {
        let catalog = archive.catalog
        if let grid {
            let name = try Self.name(grid) as GridName
            guard FileManager.default.fileExists(atPath: archive.layout.directory(of: .gridSummary(name))) else {
                throw Failure.badInput("unknown grid \(grid.debugDescription): no summary archive for it under \(archive.layout.rootDirectory)")
            }
            return .grid(name)
        }
        var clusterText = cluster
        if clusterText == nil, let host {
            let holding = catalog.clusters(holding: host)
            switch holding.count {
            case 0: throw Failure.badInput("unknown host \(host.debugDescription): no cluster under \(archive.layout.rootDirectory) has it")
            case 1: clusterText = holding[0]
            default: throw Failure.badInput("host \(host.debugDescription) is in clusters \(holding.joined(separator: ", ")): say which with --cluster")
            }
        }
        guard let clusterText else { return .grid(nil) }
        let cluster = try Self.name(clusterText) as ClusterName
        guard catalog.clusters().contains(cluster.rawValue) else {
            throw Failure.badInput("unknown cluster \(clusterText.debugDescription) (archived: \(catalog.clusters().joined(separator: ", ")))")
        }
        guard let host else { return .cluster(cluster) }
        let hostName = try Self.name(host) as HostName
        guard FileManager.default.fileExists(atPath: archive.layout.directory(of: .host(cluster, hostName))) else {
            throw Failure.badInput("unknown host \(host.debugDescription) in cluster \(cluster)")
        }
        return .host(cluster, hostName)
    }

    func content() throws -> GraphRequest.Content {
        if let metric { return .metric(try Self.name(metric) as MetricName) }
        guard let report = report.flatMap(GraphRequest.Report.init(rawValue:)) else {
            throw Failure.badInput("unknown report \((report ?? "").debugDescription) (known: \(GraphRequest.Report.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return .report(report)
    }

    func timeRange(now: Int64) throws -> GraphRequest.TimeRange {
        if let start {
            let from = try Self.time(start, "--start", now: now)
            let to = try end.map { try Self.time($0, "--end", now: now) } ?? now
            guard to > from else { throw Failure.badInput("the end (\(to)) is not after the start (\(from))") }
            return .between(start: from, end: to)
        }
        if end != nil { throw Failure.badInput("--end needs --start") }
        guard let named = GraphRequest.NamedRange(rawValue: range ?? "hour") else {
            throw Failure.badInput("unknown range \((range ?? "").debugDescription) (known: \(GraphRequest.NamedRange.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return .last(named)
    }

    /// The events the subject shows.
    static func scope(of subject: GraphRequest.Subject) -> Event.Scope {
        switch subject {
        case .host(let c, let h): .host(cluster: c.rawValue, host: h.rawValue)
        case .cluster(let c): .cluster(c.rawValue)
        case .grid: .grid
        }
    }

    static func time(_ text: String, _ option: String, now: Int64) throws -> Int64 {
        do {
            return try TimeSpec.parse(text, now: now)
        } catch {
            throw Failure.badInput("\(option): \(error)")
        }
    }

    /// A name the archive can hold; why not, otherwise (`..`, `/`, control characters...).
    static func name<Kind>(_ text: String) throws -> Name<Kind> {
        do {
            return try Name<Kind>(text)
        } catch {
            throw Failure.badInput("\(error)")
        }
    }
}

/// Seconds since the epoch, now.
func currentTime() -> Int64 { Int64(Date().timeIntervalSince1970) }
