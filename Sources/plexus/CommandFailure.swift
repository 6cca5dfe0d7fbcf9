import ArgumentParser
import Foundation

/// Why a subcommand stopped, as the exit code scripts and cron rely on:
///
/// | code | meaning |
/// | --- | --- |
/// | 0 | done |
/// | 1 | bad input or usage: an unknown option, host, metric or range, an unwritable output |
/// | 2 | the data can't be reached or read: aggregator down, RRD root missing or unreadable |
/// | 3 | `plexus alerts`: an alert is firing |
///
/// `main` prints the message as one line on standard error: `plexus <command>: <message>`.
struct CommandFailure: Error, CustomStringConvertible {
    enum Kind {
        case badInput, unreachable

        var exitCode: Int32 {
            switch self {
            case .badInput: 1
            case .unreachable: 2
            }
        }
    }

    var kind: Kind
    var message: String

    static func badInput(_ message: String) -> CommandFailure { CommandFailure(kind: .badInput, message: message) }
    static func unreachable(_ message: String) -> CommandFailure { CommandFailure(kind: .unreachable, message: message) }

    var description: String { message }
}

/// `--quiet` and where messages go.
struct Console {
    var quiet: Bool

    /// A note for a person (what was written, what was skipped); silent with `--quiet`.
    func note(_ message: String) {
        guard !quiet else { return }
        FileHandle.standardError.write(Data("plexus: \(message)\n".utf8))
    }

    /// Text on standard output.
    static func output(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

extension Plexus {
    /// Runs the command line; every error becomes one line on standard error and the exit code
    /// documented in `CommandFailure` (ArgumentParser's own usage errors, 64, become 1).
    static func main() async {
        let name = commandName(CommandLine.arguments)
        do {
            var command = try parseAsRoot(joiningNegativeTimes(Array(CommandLine.arguments.dropFirst())))
            if var asynchronous = command as? AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch let failure as CommandFailure {
            FileHandle.standardError.write(Data("\(name): \(failure.message)\n".utf8))
            Glibc.exit(failure.kind.exitCode)
        } catch let code as ExitCode {
            Glibc.exit(code.rawValue)
        } catch {
            // --help, --version and completion scripts arrive here as "errors" that exit 0.
            if exitCode(for: error) == .success { exit(withError: error) }
            let message = message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            FileHandle.standardError.write(Data("\(name): \(message) (see \(name) --help)\n".utf8))
            Glibc.exit(CommandFailure.Kind.badInput.exitCode)
        }
    }

    /// `--start -2h` as `--start=-2h`: ArgumentParser reads a separate `-2h` as short flags
    /// (and `h` as help), but relative times are how operators say "two hours ago".
    static func joiningNegativeTimes(_ arguments: [String]) -> [String] {
        let timeOptions: Set<String> = ["--start", "--end", "--since", "--until"]
        var joined: [String] = []
        var i = 0
        while i < arguments.count {
            let value = i + 1 < arguments.count ? arguments[i + 1] : ""
            if arguments[i] == "--" { return joined + arguments[i...] }
            if timeOptions.contains(arguments[i]), value.hasPrefix("-"), value.dropFirst().first?.isNumber == true {
                joined.append(arguments[i] + "=" + value)
                i += 2
            } else {
                joined.append(arguments[i])
                i += 1
            }
        }
        return joined
    }

    /// `plexus` or `plexus <subcommand>`, for messages.
    static func commandName(_ arguments: [String]) -> String {
        let known = configuration.subcommands.map { $0._commandName }
        if arguments.count > 1, known.contains(arguments[1]) { return "plexus \(arguments[1])" }
        return "plexus"
    }
}
