import ArgumentParser
import Glibc
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
        let bytes = try Self.read(config)
        guard let text = String(validating: bytes, as: UTF8.self) else { throw ConfigError(file: config, reason: "not UTF-8 text") }
        return text
    }

    /// A configuration file's bytes (at most 16 MiB: no configuration is near that).
    static func read(_ path: String) throws(ConfigError) -> [UInt8] {
        let limit = 16 << 20
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw ConfigError(file: path, reason: errno == ENOENT ? "no such file" : "cannot read the file: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { throw ConfigError(file: path, reason: "cannot read the file: \(String(cString: strerror(errno)))") }
            if n == 0 { return bytes }
            bytes += chunk.prefix(n)
            guard bytes.count <= limit else { throw ConfigError(file: path, reason: "larger than 16 MiB: not a configuration file") }
        }
    }

    /// Prints `program: error` on standard error; the exit code for a bad start (1).
    public func failure(_ program: String, _ error: any Error) -> ExitCode {
        let line = Array("\(program): \(error)\n".utf8)
        _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
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
