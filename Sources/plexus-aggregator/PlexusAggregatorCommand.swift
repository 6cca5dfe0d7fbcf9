import ArgumentParser
import Foundation
import Logging
import NIOCore
import NIOPosix
import PlexusAggregator
import PlexusArchive
import PlexusCommandLine
import PlexusCore
import PlexusTransport
import PlexusWeb
import ServiceLifecycle

/// `plexus-aggregator`: gmetad's role. Runs in the foreground (systemd supervises it).
@main
struct PlexusAggregatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plexus-aggregator",
        abstract: "Plexus aggregator: polls agents (or gmonds, or other aggregators), archives to RRD, serves the grid.",
        discussion: """
            Without --config the built-in defaults apply (gmetad's: one data source polling
            localhost:8649, XML on 8651, queries on 8652, RRDs under /var/lib/ganglia/rrds). The file
            uses gmetad.conf's keys in TOML; see --print-default-config.

            Examples:
              plexus-aggregator --config /etc/plexus/aggregator.toml
              plexus-aggregator --check --config aggregator.toml
              echo "/?filter=summary" | nc localhost 8652
            """
    )

    @OptionGroup var options: DaemonOptions

    /// Swift's tasks run on NIO's event loops instead of a second pool of threads beside them:
    /// on two cores, a dashboard request hopping between the two pools waited behind the other
    /// pool's work, and the slowest in a hundred took 3 to 20 times as long as the median
    /// (`docs/architecture.md`). Tasks here compute and make small file reads; librrd, the
    /// work that blocks, has its own threads.
    static func main() async {
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await main(nil)
    }

    func run() async throws {
        if options.printDefaultConfig {
            print(AggregatorConfiguration.defaultTOML, terminator: "")
            return
        }
        let configuration: AggregatorConfiguration
        let rrdcached: RRDCachedAddress?
        do {
            (configuration, rrdcached) = try load()
        } catch {
            throw options.failure("plexus-aggregator", error)
        }
        if options.check {
            print("\(options.configName): OK")
            return
        }
        options.bootstrapLogging()
        let logger = Logger(label: "plexus-aggregator")
        var writer: ArchiveWriter?
        if configuration.writeRRDs {
            do {
                try FileManager.default.createDirectory(atPath: configuration.rrdRootdir, withIntermediateDirectories: true)
            } catch {
                FileHandle.standardError.write(Data("plexus-aggregator: cannot create rrd_rootdir \(configuration.rrdRootdir): \(error.localizedDescription)\n".utf8))
                throw ExitCode(1)
            }
            guard access(configuration.rrdRootdir, W_OK) == 0 else {
                FileHandle.standardError.write(Data("plexus-aggregator: rrd_rootdir \(configuration.rrdRootdir) is not writable\n".utf8))
                throw ExitCode(1)
            }
            let store = ArchiveStore(
                layout: RRDLayout(root: configuration.rrdRootdir, caseSensitiveHostnames: configuration.caseSensitiveHostnames),
                archives: configuration.archives)
            // Files a killed predecessor was creating are removed, never half-used.
            store.removeLeftovers()
            var writing = ArchiveWriter.Configuration(
                rrdcached: rrdcached,
                rrdcachedFallbackAfter: configuration.rrdcachedFallbackAfter == 0 ? nil : .seconds(Int(configuration.rrdcachedFallbackAfter)))
            writing.report = ArchiveLog.reporter(ThrottledLog(logger: logger))
            writing.newSeries = NewSeriesGuard(
                limits: .init(perHost: configuration.maxNewSeriesPerHost, perCluster: configuration.maxNewSeriesPerCluster),
                keepFreePercent: configuration.rrdKeepFree, root: configuration.rrdRootdir)
            writer = ArchiveWriter(store: store, configuration: writing)
        }
        let aggregator = try AggregatorService(config: configuration, logger: logger, writer: writer, hostname: Self.hostname())
        var services: [any Service] = (writer.map { [$0] } ?? []) + [aggregator]
        if configuration.httpPort != 0 {
            let layout = RRDLayout(root: configuration.rrdRootdir, caseSensitiveHostnames: configuration.caseSensitiveHostnames)
            var sources = WebSources(
                grid: { aggregator.grid }, status: { aggregator.status }, layout: layout, rrdcached: rrdcached,
                events: EventFile(besideRoot: configuration.rrdRootdir), eventsToken: configuration.eventsToken,
                trusted: configuration.httpAllowList, hostValuesInMetrics: configuration.metricsHostValues,
                wallScreen: configuration.wallScreen)
            // The longest step gives the longest coverage: every source's archives fit.
            sources.timeLimits = TimeLimits(archives: configuration.archives, step: Int(configuration.dataSources.map(\.step).max() ?? 15))
            // The reader before the web side: the group stops services in reverse order.
            let reader = ArchiveReader(store: ArchiveStore(layout: layout), rrdcached: rrdcached)
            services.append(reader)
            services.append(WebApplication.make(
                sources: sources, host: configuration.bind, port: configuration.httpPort, logger: logger, gate: aggregator.gate,
                idleTimeout: .milliseconds(Int(configuration.httpIdleTimeout * 1000)), peerLog: aggregator.peerLog, reader: reader))
        }
        // The group stops services in reverse order: the web side and the aggregator first, then
        // the writer, which writes out its queue.
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }

    private func load() throws -> (AggregatorConfiguration, RRDCachedAddress?) {
        let file = options.configName
        let configuration = try options.configurationText().map { text throws(ConfigError) in
            try AggregatorConfiguration.parse(text, file: file)
        } ?? AggregatorConfiguration()
        var rrdcached: RRDCachedAddress?
        if let text = configuration.rrdcachedAddress {
            guard let address = RRDCachedAddress(text) else {
                throw ConfigError(file: file, key: "rrdcached_address",
                                  reason: "expected unix:/path, /path, host, host:port or [v6]:port, found \(text.debugDescription)")
            }
            rrdcached = address
        }
        return (configuration, rrdcached)
    }

    static func hostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

