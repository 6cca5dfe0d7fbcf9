import ArgumentParser
import Foundation
import Logging
import NIOCore
import NIOPosix
import PlexusAggregator
import PlexusCommandLine
import PlexusCore
import PlexusMigration
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
        HeapTuning.apply(environment: ProcessInfo.processInfo.environment)
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await main(nil)
    }

    @Option(
        name: .customLong("import-gmetad-conf"),
        help: ArgumentHelp(
            "Print FILE (a gmetad.conf, its includes followed) as this aggregator's TOML configuration and exit; comments say what has no equivalent and why (docs/migrating.md).",
            valueName: "FILE"))
    var importGmetadConf: String?

    func run() async throws {
        if options.printDefaultConfig {
            print(AggregatorConfiguration.defaultTOML, terminator: "")
            return
        }
        if let importGmetadConf {
            do {
                let directives = try DotconfReader.read(try ImportFiles.text(importGmetadConf), file: importGmetadConf, include: ImportFiles.include)
                print(try GmetadImport.toml(directives, source: importGmetadConf, resolve: ImportFiles.addresses), terminator: "")
            } catch {
                throw options.failure("plexus-aggregator", error)
            }
            return
        }
        let configuration: AggregatorConfiguration
        let rrdcached: RRDCachedAddress?
        let secrets: AggregatorSecrets
        do {
            (configuration, rrdcached) = try load()
            secrets = try AggregatorSecrets.load(configuration, file: options.configName)
        } catch {
            throw options.failure("plexus-aggregator", error)
        }
        if options.check {
            print("\(options.configName): OK")
            return
        }
        options.bootstrapLogging()
        let logger = Logger(label: "plexus-aggregator")
        let aggregator: Aggregator
        do {
            aggregator = try Aggregator.make(
                configuration: configuration, rrdcached: rrdcached, logger: logger, hostname: Self.hostname(), secrets: secrets)
        } catch {
            FileHandle.standardError.write(Data("plexus-aggregator: \(error)\n".utf8))
            throw ExitCode(1)
        }
        // A service that fails (a port taken) shuts the others down as SIGTERM does: cancelled
        // outright instead, the web server (Hummingbird) never returned and the aggregator hung
        // without its port, deaf to SIGTERM.
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: aggregator.services.map { .init(service: $0, failureTerminationBehavior: .gracefullyShutdownGroup) },
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        logger.info("plexus-aggregator stopped")
    }

    private func load() throws -> (AggregatorConfiguration, RRDCachedAddress?) {
        let file = options.configName
        let configuration =
            try options.configurationText().map { text throws(ConfigError) in
                try AggregatorConfiguration.parse(text, file: file)
            } ?? AggregatorConfiguration()
        var rrdcached: RRDCachedAddress?
        if let text = configuration.rrdcachedAddress {
            guard let address = RRDCachedAddress(text) else {
                throw ConfigError(
                    file: file, key: "rrdcached_address",
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
