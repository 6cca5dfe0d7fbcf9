import Glibc
import PlexusCore
import PlexusPlugins
import Subprocess
import Synchronization
import SystemPackage

/// One life of a `[[module]]`'s Python host process (`PythonHost`, `docs/plugins.md`): started
/// in a session of its own, `metric_init` with the module's parameters, then `COLLECT` every
/// interval until the host fails or the agent stops (then `metric_cleanup`). Every exchange has
/// the module's timeout and its replies at most `max_output_bytes`: past either, the host is
/// killed with everything it started and the session ends; the caller starts another later.
enum ModuleSession {
    enum Event: Sendable {
        /// `metric_init` returned these descriptors (and these problems).
        case initialized([ModuleProtocol.Descriptor], problems: [String])
        /// A collection's replies (`V`, `X` lines).
        case collected([ModuleProtocol.Message])
    }

    /// How the session ended.
    enum End: Error, Sendable, Equatable {
        /// The agent is stopping (the module's `metric_cleanup` was called).
        case stopped
        case failed(String)
        case timedOut(String)
    }

    /// Asks a session to stop at its next pause (the agent is stopping). The session itself runs
    /// outside the cancelled task, so that the module's `metric_cleanup` still runs: cancelling
    /// swift-subprocess's `run` would kill the host at once.
    final class StopSignal: Sendable {
        private let state = Mutex<(fired: Bool, sleeper: Task<Void, Never>?)>((false, nil))

        var fired: Bool { state.withLock { $0.fired } }

        func fire() {
            state.withLock { s in
                s.fired = true
                s.sleeper?.cancel()
            }
        }

        /// Sleeps `seconds`, or until `fire`.
        func sleep(_ seconds: Double) async {
            let sleeper = Task<Void, Never> { try? await Task.sleep(for: .milliseconds(Int(seconds * 1000))) }
            let fired = state.withLock { s in
                s.sleeper = sleeper
                return s.fired
            }
            if fired { sleeper.cancel() }
            await sleeper.value
        }
    }

    /// Runs the host until it fails or the task is cancelled (then the module is stopped as
    /// gmond stops it, with `metric_cleanup`); `collections` stops it after that many (for
    /// `--test-plugin`).
    static func run(
        _ module: AgentConfiguration.Module, collections: Int? = nil, now: @escaping @Sendable () -> Double,
        events: @escaping @Sendable (Event) -> Void
    ) async -> End {
        // A host that died between collections must cost a failed write (EPIPE), not the agent
        // (SIGPIPE's default ends the process). The running agent ignores it already (SigIgn in
        // its /proc status, set by a library at start-up); this doesn't depend on that. Children
        // get default dispositions back (swift-subprocess spawns with POSIX_SPAWN_SETSIGDEF).
        Glibc.signal(SIGPIPE, SIG_IGN)
        let signal = StopSignal()
        let running = Task.detached { await session(module, collections: collections, stop: signal, now: now, events: events) }
        return await withTaskCancellationHandler {
            await running.value
        } onCancel: {
            signal.fire()
        }
    }

    private static func session(
        _ module: AgentConfiguration.Module, collections: Int?, stop signal: StopSignal, now: @escaping @Sendable () -> Double,
        events: @escaping @Sendable (Event) -> Void
    ) async -> End {
        let limits = module.limits
        let executable: Executable = module.python.hasPrefix("/") ? .path(FilePath(module.python)) : .name(module.python)
        var options = PlatformOptions()
        options.createSession = true
        do {
            let result = try await Subprocess.run(
                executable, arguments: ["-c", PythonHost.script, module.name, module.path],
                environment: .inherit.updating(["PYTHONDONTWRITEBYTECODE": "1"]), platformOptions: options, input: .inputWriter,
                output: .sequence, error: .discarded
            ) { execution -> End in
                let replies = AsyncStream<[ModuleProtocol.Message]?>.makeStream()
                return await withTaskGroup(of: End?.self) { group -> End in
                    group.addTask {
                        await read(execution.standardOutput, cap: limits.maxOutputBytes, into: replies.continuation)
                        return nil
                    }
                    group.addTask {
                        await drive(
                            execution, module: module, replies: replies.stream, collections: collections, stop: signal, now: now, events: events)
                    }
                    var end = End.stopped
                    for await ending in group {
                        if let ending {
                            end = ending
                            PluginProcess.kill(execution.processIdentifier, signal: SIGKILL)
                        }
                    }
                    return end
                }
            }
            return result.closureResult
        } catch {
            return .failed("could not start \(module.python): \(error)")
        }
    }

    /// Sends the requests and waits for each reply under the timeout.
    private static func drive(
        _ execution: Execution<CustomWriteInput, SequenceOutput, DiscardedOutput>, module: AgentConfiguration.Module,
        replies: AsyncStream<[ModuleProtocol.Message]?>, collections: Int?, stop signal: StopSignal, now: @Sendable () -> Double,
        events: @Sendable (Event) -> Void
    ) async -> End {
        var iterator = replies.makeAsyncIterator()
        let timeout = module.limits.timeout
        /// One request and its reply; the reply, or why there is none.
        func exchange(_ request: String, _ what: String) async -> Result<[ModuleProtocol.Message], End> {
            let pid = execution.processIdentifier
            let watchdog = PluginProcess.Watchdog()
            watchdog.start(after: timeout) { PluginProcess.kill(pid, signal: SIGKILL) }
            defer { watchdog.cancel() }
            do {
                _ = try await execution.standardInputWriter.write(request)
            } catch {
                return .failure(.failed("\(what): the host's input closed: \(error)"))
            }
            switch await iterator.next() {
            case .some(.some(let messages)): return .success(messages)
            case .some(.none): return .failure(.failed("\(what): the reply was longer than max_output_bytes (\(module.limits.maxOutputBytes))"))
            case .none:
                return .failure(watchdog.expired ? .timedOut("\(what): no reply within \(timeout) s") : .failed("\(what): the host exited"))
            }
        }
        let initialized: [ModuleProtocol.Message]
        switch await exchange(ModuleProtocol.start(params: module.params), "metric_init") {
        case .failure(let end): return end
        case .success(let messages): initialized = messages
        }
        var descriptors: [ModuleProtocol.Descriptor] = []
        var problems: [String] = []
        for message in initialized {
            switch message {
            case .descriptor(let d): descriptors.append(d)
            case .moduleFailed(let reason): problems.append(reason)
            default: break
            }
        }
        events(.initialized(descriptors, problems: problems))
        if descriptors.isEmpty { return .failed(problems.first ?? "metric_init returned no descriptors") }
        var done = 0
        while !signal.fired {
            let started = now()
            switch await exchange(ModuleProtocol.line(["COLLECT"]), "call_back") {
            case .failure(let end): return end
            case .success(let messages): events(.collected(messages))
            }
            done += 1
            if let collections, done >= collections { break }
            await signal.sleep(max(0.1, Double(module.limits.interval) - (now() - started)))
        }
        await stop(execution)
        return .stopped
    }

    /// `STOP`: the module's `metric_cleanup`, two seconds at most, then whatever is left is killed.
    private static func stop(_ execution: Execution<CustomWriteInput, SequenceOutput, DiscardedOutput>) async {
        _ = try? await execution.standardInputWriter.write(ModuleProtocol.line(["STOP"]))
        try? await execution.standardInputWriter.finish()
        let pid = execution.processIdentifier.value
        for _ in 0..<40 where Glibc.kill(pid, 0) == 0 {
            try? await Task.sleep(for: .milliseconds(50))
        }
        PluginProcess.kill(execution.processIdentifier, signal: SIGKILL)
    }

    /// Splits the host's output into replies (the lines up to each `END`); nil once more than
    /// `cap` bytes came without an `END`.
    private static func read(_ output: SubprocessOutputSequence, cap: Int, into replies: AsyncStream<[ModuleProtocol.Message]?>.Continuation) async {
        var line: [UInt8] = []
        var pending: [ModuleProtocol.Message] = []
        var size = 0
        do {
            for try await buffer in output {
                var bytes: [UInt8] = []
                buffer.withUnsafeBytes { bytes.append(contentsOf: $0) }
                for byte in bytes {
                    size += 1
                    guard size <= cap else {
                        replies.yield(nil)
                        replies.finish()
                        return
                    }
                    guard byte == UInt8(ascii: "\n") else {
                        line.append(byte)
                        continue
                    }
                    let message = ModuleProtocol.message(Substring(decoding: line, as: UTF8.self))
                    line.removeAll(keepingCapacity: true)
                    if message == .end {
                        replies.yield(pending)
                        pending = []
                        size = 0
                    } else if let message {
                        pending.append(message)
                    }
                }
            }
        } catch {}
        replies.finish()
    }
}

/// What a module's events make, kept between them: the descriptors `metric_init` returned
/// (and its problems, reported with the first collection), and the interpreter with its cap.
struct ModuleReadings: Sendable {
    var interpreter: PluginInterpreter
    var descriptors: [ModuleProtocol.Descriptor] = []
    var initProblems: [String] = []

    init(_ module: AgentConfiguration.Module, configuration: AgentConfiguration) {
        interpreter = PluginInterpreter(configuration.interpreterSettings(module.name, module.limits))
    }

    /// The reading a collection makes; nil for `metric_init`'s event.
    mutating func take(_ event: ModuleSession.Event, now: Double) -> PluginReading? {
        switch event {
        case .initialized(let descriptors, let problems):
            (self.descriptors, initProblems) = (descriptors, problems)
            return nil
        case .collected(let replies):
            var reading = interpreter.module(descriptors: descriptors, replies: replies, now: now)
            reading.problems = initProblems + reading.problems
            initProblems = []
            return reading
        }
    }
}

extension ModuleSession.End {
    /// The failed run a session's end counts as; nil when it was stopped.
    var failure: PluginRunner.Run? {
        switch self {
        case .stopped: nil
        case .failed(let reason): PluginRunner.Run(reading: nil, failure: reason)
        case .timedOut(let reason): PluginRunner.Run(reading: nil, failure: reason, timedOut: true)
        }
    }
}

/// `plexus-agent --test-plugin` for a `[[module]]`: one host, `metric_init`, one collection,
/// `metric_cleanup`, and what the agent makes of it.
public enum ModuleTest {
    public static func run(_ module: AgentConfiguration.Module, configuration: AgentConfiguration) async -> PluginRunner.Run {
        let state = Mutex((readings: ModuleReadings(module, configuration: configuration), reading: PluginReading?.none))
        let end = await ModuleSession.run(module, collections: 1, now: { 0 }) { event in
            state.withLock { s in
                if let reading = s.readings.take(event, now: 0) { s.reading = reading }
            }
        }
        if let failure = end.failure { return failure }
        let reading = state.withLock { $0.reading }
        return PluginRunner.Run(reading: reading, failure: reading == nil ? "no collection" : nil)
    }
}
