import ArgumentParser
import Foundation
import Logging
import PlexusCore

/// What `plexus-agent` and `plexus-aggregator` take on their command line and do alike before
/// their services start: read the configuration file, report a bad one, bootstrap logging.
public struct DaemonOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Configuration file (TOML).")
    public var config: String?

    @Flag(help: "Check the configuration, print what is wrong (file, key, reason) and exit.")
    public var check = false

    @Flag(help: "Print the built-in default configuration and exit.")
    public var printDefaultConfig = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    public var logLevel: Logger.Level = .info

    public init() {}

    /// How the configuration is named in messages.
    public var configName: String { config ?? "built-in defaults" }

    /// The `--config` file's text; nil without `--config` (the built-in defaults apply).
    public func configurationText() throws(ConfigError) -> String? {
        guard let config else { return nil }
        guard let data = FileManager.default.contents(atPath: config) else {
            throw ConfigError(file: config, reason: FileManager.default.fileExists(atPath: config) ? "cannot read the file" : "no such file")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw ConfigError(file: config, reason: "not UTF-8 text") }
        return text
    }

    /// Prints `program: error` on standard error; the exit code for a bad start (1).
    public func failure(_ program: String, _ error: any Error) -> ExitCode {
        FileHandle.standardError.write(Data("\(program): \(error)\n".utf8))
        return ExitCode(1)
    }

    /// Logs to standard error at `--log-level` (once per process).
    public func bootstrapLogging() {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
