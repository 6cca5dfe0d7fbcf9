import ArgumentParser
import Foundation
import Logging
import PlexusAgent
import PlexusCore
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

    @Option(name: .shortAndLong, help: "Configuration file (TOML).")
    var config: String?

    @Flag(help: "Check the configuration, print what is wrong (file, key, reason) and exit.")
    var check = false

    @Flag(help: "Print the built-in default configuration and exit.")
    var printDefaultConfig = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        if printDefaultConfig {
            print(AgentConfiguration.defaultTOML, terminator: "")
            return
        }
        let configuration: AgentConfiguration
        do {
            configuration = try load()
        } catch {
            FileHandle.standardError.write(Data("plexus-agent: \(error)\n".utf8))
            throw ExitCode(1)
        }
        if check {
            print("\(config ?? "built-in defaults"): OK")
            return
        }
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "plexus-agent")
        let agent = AgentService(config: configuration, logger: logger)
        let group = ServiceGroup(services: [agent], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }

    private func load() throws -> AgentConfiguration {
        guard let config else { return AgentConfiguration() }
        guard let data = FileManager.default.contents(atPath: config) else {
            throw ConfigError(file: config, reason: FileManager.default.fileExists(atPath: config) ? "cannot read the file" : "no such file")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw ConfigError(file: config, reason: "not UTF-8 text") }
        return try AgentConfiguration.parse(text, file: config)
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
