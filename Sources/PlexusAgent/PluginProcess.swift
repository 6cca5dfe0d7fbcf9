import Glibc
import Subprocess
import Synchronization
import SystemPackage

/// Runs a plugin's program once: never through a shell, in a session of its own (so a timeout
/// reaches whatever it started), with its standard output read up to a cap, the start of its
/// standard error kept for the log, and a timeout over the whole run, closed output or not.
enum PluginProcess {
    enum Outcome: Sendable, Equatable {
        /// It exited (`status` 0 on success) after printing `output`; `error`: the start of
        /// its standard error.
        case exited(status: Int32, output: [UInt8], error: String)
        /// Killed by `signal` before it exited.
        case signalled(signal: Int32, error: String)
        /// Still running after the timeout: killed, with its process group.
        case timedOut
        /// Printed more than the cap: killed, with its process group.
        case tooLarge
        /// Could not be started (not found, not executable).
        case failedToStart(String)
    }

    /// Bytes of standard error kept (the rest is read and dropped, so a plugin never blocks on it).
    static let errorBytes = 2048

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
        let watchdog = Watchdog()
        defer { watchdog.cancel() }
        // Cancelled (the agent stopping): the whole group goes, not only the program.
        options.teardownSequence = [.send(signal: .kill, toProcessGroup: true, allowedDurationToNextStep: .milliseconds(100))]
        do {
            let result = try await withTaskCancellationHandler {
                try await Subprocess.run(
                    executable, arguments: Arguments(Array(arguments.dropFirst())), environment: .inherit.updating(updates),
                    platformOptions: options, input: .none, output: .sequence, error: .sequence
                ) { execution -> (output: [UInt8]?, error: String) in
                    // The deadline holds until the process has exited, even after it closed its output.
                    let pid = execution.processIdentifier
                    watchdog.start(after: timeout) { kill(pid, signal: SIGKILL) }
                    async let error = collect(execution.standardError, keep: errorBytes)
                    let output = await read(execution.standardOutput, cap: maxOutputBytes)
                    if output == nil { kill(pid, signal: SIGKILL) }
                    return (output, await error)
                }
            } onCancel: {
                watchdog.now()
            }
            if watchdog.expired { return .timedOut }
            guard let output = result.closureResult.output else { return .tooLarge }
            switch result.terminationStatus {
            case .exited(let code): return .exited(status: code, output: output, error: result.closureResult.error)
            case .signaled(let signal): return .signalled(signal: signal, error: result.closureResult.error)
            }
        } catch {
            return .failedToStart("\(error)")
        }
    }

    /// Standard output until it ends; nil past `cap` bytes.
    private static func read(_ output: SubprocessOutputSequence, cap: Int) async -> [UInt8]? {
        var bytes: [UInt8] = []
        do {
            for try await buffer in output {
                guard bytes.count + buffer.count <= cap else { return nil }
                buffer.withUnsafeBytes { bytes.append(contentsOf: $0) }
            }
        } catch {}
        return bytes
    }

    /// The first `keep` bytes of standard error, reading (and dropping) the rest until it ends.
    private static func collect(_ stream: SubprocessOutputSequence, keep: Int) async -> String {
        var bytes: [UInt8] = []
        do {
            for try await buffer in stream where bytes.count < keep {
                buffer.withUnsafeBytes { bytes.append(contentsOf: $0.prefix(keep - bytes.count)) }
            }
        } catch {}
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Calls `fire` once `seconds` have passed, unless cancelled first.
    /// `now` fires it at once (the agent is stopping), without counting it as expired.
    final class Watchdog: Sendable {
        private let state = Mutex<(expired: Bool, task: Task<Void, Never>?, fire: (@Sendable () -> Void)?)>((false, nil, nil))

        var expired: Bool { state.withLock { $0.expired } }

        func start(after seconds: Double, fire: @escaping @Sendable () -> Void) {
            let task = Task { [self] in
                guard (try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))) != nil else { return }
                state.withLock { $0.expired = true }
                fire()
            }
            state.withLock {
                $0.task = task
                $0.fire = fire
            }
        }

        func now() { state.withLock { $0.fire }?() }

        func cancel() {
            state.withLock {
                $0.task?.cancel()
                $0.fire = nil
            }
        }
    }

    /// SIGKILL to the process and everything in its session's process group (its id: it leads
    /// the session), then to the process itself should the group be gone.
    static func kill(_ process: ProcessIdentifier, signal: Int32) {
        let pid = process.value
        _ = Glibc.kill(-pid, signal)
        _ = Glibc.kill(pid, signal)
    }
}
