import Glibc
import Subprocess
import SystemPackage

/// Runs a plugin's program once: never through a shell, in a session of its own (so a timeout
/// reaches whatever it started), with its standard output read up to a cap and a timeout.
enum PluginProcess {
    enum Outcome: Sendable, Equatable {
        /// It exited (`status` 0 on success) after printing `output`.
        case exited(status: Int32, output: [UInt8])
        /// Killed by `signal` before it exited.
        case signalled(signal: Int32, output: [UInt8])
        /// Still running after the timeout: killed, with its process group.
        case timedOut(output: [UInt8])
        /// Printed more than the cap: killed, with its process group.
        case tooLarge
        /// Could not be started (not found, not executable).
        case failedToStart(String)
    }

    /// How the output reading ended.
    private enum Ending: Sendable {
        case output([UInt8]), tooLarge, timedOut
    }

    /// Runs `arguments` (the program first: a path, or a name looked up in `PATH`) with the
    /// agent's environment updated by `environment`.
    static func run(_ arguments: [String], environment: [String: String], timeout: Double, maxOutputBytes: Int) async -> Outcome {
        guard let program = arguments.first else { return .failedToStart("no program") }
        let executable: Executable = program.hasPrefix("/") ? .path(FilePath(program)) : .name(program)
        var options = PlatformOptions()
        options.createSession = true
        var updates: [Environment.Key: String?] = [:]
        for (key, value) in environment {
            if let key = Environment.Key(rawValue: key) { updates[key] = value }
        }
        do {
            let result = try await Subprocess.run(
                executable, arguments: Arguments(Array(arguments.dropFirst())), environment: .inherit.updating(updates),
                platformOptions: options, input: .none, output: .sequence, error: .discarded
            ) { execution -> Ending in
                let ending = await withTaskGroup(of: Ending?.self) { group -> Ending in
                    group.addTask { await read(execution.standardOutput, cap: maxOutputBytes) }
                    group.addTask {
                        try? await Task.sleep(for: .milliseconds(Int(timeout * 1000)))
                        return Task.isCancelled ? nil : .timedOut
                    }
                    var first: Ending = .timedOut
                    if let next = await group.next(), let ending = next { first = ending }
                    if case .output = first {
                    } else {
                        PluginProcess.kill(execution.processIdentifier, signal: SIGKILL)
                    }
                    group.cancelAll()
                    return first
                }
                return ending
            }
            switch (result.closureResult, result.terminationStatus) {
            case (.tooLarge, _): return .tooLarge
            case (.timedOut, _): return .timedOut(output: [])
            case (.output(let output), .exited(let code)): return .exited(status: code, output: output)
            case (.output(let output), .signaled(let signal)): return .signalled(signal: signal, output: output)
            }
        } catch {
            return .failedToStart("\(error)")
        }
    }

    /// Standard output until it ends, or `.tooLarge` past `cap` bytes.
    private static func read(_ output: SubprocessOutputSequence, cap: Int) async -> Ending {
        var bytes: [UInt8] = []
        do {
            for try await buffer in output {
                guard bytes.count + buffer.count <= cap else { return .tooLarge }
                buffer.withUnsafeBytes { bytes.append(contentsOf: $0) }
            }
        } catch {
            return .output(bytes)
        }
        return .output(bytes)
    }

    /// SIGKILL to the process and everything in its session's process group (its id: it leads
    /// the session), then to the process itself should the group be gone.
    static func kill(_ process: ProcessIdentifier, signal: Int32) {
        let pid = process.value
        _ = Glibc.kill(-pid, signal)
        _ = Glibc.kill(pid, signal)
    }
}
