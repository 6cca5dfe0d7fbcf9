import ArgumentParser
import Glibc
import Logging
import NIOCore
import NIOPosix
import PlexusAgent
import PlexusCollectors
import PlexusCommandLine
import PlexusCore
import PlexusMigration
import PlexusSecurity
import PlexusTransport
import ServiceLifecycle

/// `plexus-agent`: gmond's role. Runs in the foreground (systemd supervises it).
@main
struct PlexusAgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plexus-agent",
        abstract: "Plexus agent: collects this host's metrics, speaks Ganglia 3.x on UDP, serves the cluster as XML.",
        discussion: """
            Without --config the built-in defaults apply (gmond's: multicast 239.2.11.71:8649, XML on
            TCP 8649). The file uses gmond.conf's sections and keys in TOML; see
            --print-default-config.
            """
    )

    @OptionGroup var options: DaemonOptions

    /// Swift's tasks run on NIO's event loops, which serve the sockets anyway, instead of on a
    /// second set of threads beside them (Dispatch's): measured idle on two cores, 6 threads
    /// and 5.3 wake-ups a second with both, against gmond's 2 threads and 10 (docs/BENCHMARKS.md,
    /// "Footprint"). The agent's tasks compute briefly and read small /proc files; plugins and
    /// modules are child processes.
    static func main() async {
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await main(nil)
    }

    @Flag(help: "List the metrics this agent can send with this configuration (name, units, group, description) and exit.")
    var listMetrics = false

    @Option(
        name: .customLong("test-plugin"),
        help: ArgumentHelp(
            "Run the plugin NAME of --config once (twice when a counter needs a second reading for its rate) and print what the agent makes of its output.",
            valueName: "NAME"))
    var testPlugin: String?

    @Option(
        name: .customLong("import-gmond-conf"),
        help: ArgumentHelp(
            "Print FILE (a gmond.conf, its includes followed) as this agent's TOML configuration and exit; comments say what has no equivalent and why (docs/migrating.md).",
            valueName: "FILE"))
    var importGmondConf: String?

    func run() async throws {
        if options.printDefaultConfig {
            print(AgentConfiguration.defaultTOML, terminator: "")
            return
        }
        if let importGmondConf {
            do {
                let root = try ConfuseReader.read(try ImportFiles.text(importGmondConf), file: importGmondConf, include: ImportFiles.include)
                let known = Set(AgentConfiguration().metricDefinitions.keys)
                print(try GmondImport.toml(root, source: importGmondConf, knownMetrics: known), terminator: "")
            } catch {
                throw options.failure("plexus-agent", error)
            }
            return
        }
        let configuration: AgentConfiguration
        let security: SecurityMaterial
        let tls: [TLSContext?]
        do {
            configuration =
                try options.configurationText().map { text throws(ConfigError) in
                    try AgentConfiguration.parse(text, file: options.configName)
                } ?? AgentConfiguration()
            try configuration.checkMetrics(file: options.configName)
            security = try SecurityMaterial.load(
                configuration.security, section: "security", file: options.configName,
                ownHosts: [AgentService.ownHostName(configuration)])
            tls = try AgentService.tlsContexts(configuration, file: options.configName)
        } catch {
            throw options.failure("plexus-agent", error)
        }
        if listMetrics {
            for definition in configuration.metricDefinitions.values.sorted(by: { ($0.group, $0.name) < ($1.group, $1.name) }) {
                print(
                    [
                        definition.name, definition.units.allSatisfy(\.isWhitespace) ? "-" : definition.units, definition.group,
                        definition.description,
                    ].joined(separator: "\t"))
            }
            return
        }
        if let testPlugin {
            try await PluginTestRun.run(testPlugin, configuration: configuration, file: options.configName)
            return
        }
        if options.check {
            print("\(options.configName): OK")
            return
        }
        options.bootstrapLogging()
        let logger = Logger(label: "plexus-agent")
        let agent = AgentService(config: configuration, security: security, tls: tls, logger: logger)
        let group = ServiceGroup(services: [agent], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}
