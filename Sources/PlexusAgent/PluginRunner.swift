import Glibc
import PlexusCollectors
import PlexusCore
import PlexusPlugins

/// One plugin as the agent runs it (`docs/plugins.md`): a Munin plugin (`config` at the first
/// run and every five minutes after, values every run), a command printing Prometheus text or
/// gmetric lines, or the textfile directory's `*.prom` files. `run` does one run; the agent's
/// task and `plexus-agent --test-plugin` both call it.
public struct PluginRunner: Sendable {
    public enum Source: Sendable, Equatable {
        case plugin(AgentConfiguration.Plugin)
        case textfile(AgentConfiguration.Textfile)
    }

    /// What one run gave.
    public struct Run: Sendable, Equatable {
        /// nil when the run failed.
        public var reading: PluginReading?
        /// Why it failed.
        public var failure: String?
        public var timedOut = false
    }

    public let source: Source
    public let name: String
    public let limits: AgentConfiguration.PluginLimits
    /// The environment a run adds to the agent's (Munin's variables, then `[plugin.env]`).
    public let environment: [String: String]
    private var interpreter: PluginInterpreter
    private var muninConfig: MuninText.Config?
    private var runsSinceConfig = 0

    /// A Munin plugin's `config` is read again after this many seconds (as munin-update asks
    /// for it at every five-minute run).
    static let muninConfigSeconds: UInt32 = 300

    public init(_ source: Source, configuration: AgentConfiguration) {
        self.source = source
        switch source {
        case .plugin(let plugin):
            name = plugin.name
            limits = plugin.limits
            var environment: [String: String] = [:]
            if case .munin = plugin.kind {
                let state = configuration.pluginEnvironment.stateDirectory
                environment = [
                    "MUNIN_LIBDIR": configuration.pluginEnvironment.muninLibdir, "MUNIN_PLUGSTATE": state,
                    "MUNIN_STATEFILE": "\(state)/\(plugin.name)-127.0.0.1", "MUNIN_MASTER_IP": "127.0.0.1", "MUNIN_CAP_MULTIGRAPH": "1",
                ]
            }
            self.environment = environment.merging(plugin.environment) { $1 }
        case .textfile(let textfile):
            name = "textfile"
            limits = textfile.limits
            environment = [:]
        }
        interpreter = PluginInterpreter(configuration.interpreterSettings(name, limits))
    }

    /// Runs the plugin once. `now`: monotonic seconds, for rates.
    public mutating func run(now: @Sendable () -> Double) async -> Run {
        switch source {
        case .plugin(let plugin):
            switch plugin.kind {
            case .munin(let path): return await runMunin(path, now: now)
            case .command(let arguments, let format):
                let (output, failure, timedOut) = await execute(arguments)
                guard let output else { return Run(reading: nil, failure: failure, timedOut: timedOut) }
                let text = Substring(decoding: output, as: UTF8.self)
                switch format {
                case .prometheus: return Run(reading: interpreter.prometheus(PrometheusText.parse(text), now: now()))
                case .gmetric: return Run(reading: interpreter.gmetric(GmetricLines.parse(text), now: now()))
                }
            }
        case .textfile(let textfile):
            let (parsed, failure) = Self.readTextfiles(textfile.directory, maxFileBytes: limits.maxOutputBytes)
            guard let parsed else { return Run(reading: nil, failure: failure) }
            return Run(reading: interpreter.prometheus(parsed, now: now()))
        }
    }

    private mutating func runMunin(_ path: String, now: @Sendable () -> Double) async -> Run {
        let configEvery = max(1, Int(Self.muninConfigSeconds / max(limits.interval, 1)))
        if muninConfig == nil || runsSinceConfig >= configEvery {
            let (output, failure, timedOut) = await execute([path, "config"])
            guard let output else { return Run(reading: nil, failure: "config: \(failure ?? "failed")", timedOut: timedOut) }
            muninConfig = MuninText.config(Substring(decoding: output, as: UTF8.self))
            runsSinceConfig = 0
        }
        runsSinceConfig += 1
        let (output, failure, timedOut) = await execute([path])
        guard let output, let config = muninConfig else { return Run(reading: nil, failure: failure, timedOut: timedOut) }
        return Run(reading: interpreter.munin(config: config, values: MuninText.values(Substring(decoding: output, as: UTF8.self)), now: now()))
    }

    /// The program's output when it exited 0; else why not.
    private func execute(_ arguments: [String]) async -> (output: [UInt8]?, failure: String?, timedOut: Bool) {
        switch await PluginProcess.run(arguments, environment: environment, timeout: limits.timeout, maxOutputBytes: limits.maxOutputBytes) {
        case .exited(0, let output, _): return (output, nil, false)
        case .exited(let status, _, let error): return (nil, "exited with status \(status)" + Self.said(error), false)
        case .signalled(let signal, let error): return (nil, "killed by signal \(signal)" + Self.said(error), false)
        case .timedOut: return (nil, "still running after \(limits.timeout) s: killed", true)
        case .tooLarge: return (nil, "printed more than max_output_bytes (\(limits.maxOutputBytes)): killed", false)
        case .failedToStart(let reason): return (nil, "could not start \(arguments[0]): \(reason)", false)
        }
    }

    /// The first line of what a failed run wrote on its standard error, for the log.
    static func said(_ error: String) -> String {
        let first = error.split(separator: "\n").first { !$0.allSatisfy { $0 == " " } }
        return first.map { ": \($0.prefix(300))" } ?? ""
    }

    /// Every `*.prom` file of `directory` (not hidden, sorted by name), each at most
    /// `maxFileBytes`, as one text; a file that can't be read or is too large is reported and
    /// left out. nil when the directory itself can't be read.
    static func readTextfiles(_ directory: String, maxFileBytes: Int) -> (PrometheusText.Parsed?, String?) {
        guard let dir = opendir(directory) else { return (nil, "cannot read directory \(directory): \(String(cString: strerror(errno)))") }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasSuffix(".prom"), !name.hasPrefix(".") { names.append(name) }
        }
        closedir(dir)
        var parsed = PrometheusText.Parsed()
        for name in names.sorted() {
            let path = "\(directory)/\(name)"
            guard let bytes = readFile(path, limit: maxFileBytes) else {
                parsed.problems.append(.init(line: 0, reason: "\(name): unreadable, or larger than \(maxFileBytes) bytes"))
                continue
            }
            let one = PrometheusText.parse(Substring(decoding: bytes, as: UTF8.self))
            parsed.samples += one.samples
            parsed.problems += one.problems.map { .init(line: $0.line, reason: "\(name): \($0.reason)") }
            parsed.dropped += one.dropped
        }
        return (parsed, nil)
    }

    /// A regular file's bytes, or nil if it can't be read or has more than `limit`.
    static func readFile(_ path: String, limit: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size <= limit else { return nil }
        // Room for what it holds now and some growth; past `limit` it is refused.
        let capacity = min(Int(info.st_size) + 65_536, limit + 1)
        var bytes = [UInt8](repeating: 0, count: capacity)
        var count = 0
        while count < capacity {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + count, capacity - count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            count += n
        }
        return count > limit ? nil : Array(bytes.prefix(count))
    }
}

extension AgentConfiguration {
    /// A plugin's DMAX: its own `dmax`, else ten times its interval, or twice the longest time
    /// threshold of a group that takes plugins' metrics by name_match, if longer.
    /// What the interpreter of plugin `name` is told: its cap, group, TMAX (its interval) and DMAX.
    public func interpreterSettings(_ name: String, _ limits: PluginLimits) -> PluginInterpreter.Settings {
        .init(plugin: name, maxMetrics: limits.maxMetrics, group: limits.group, tmax: limits.interval, dmax: pluginDmax(limits))
    }

    public func pluginDmax(_ limits: PluginLimits) -> UInt32 {
        if let dmax = limits.dmax { return dmax }
        let threshold = collectionGroups.filter { !$0.patterns.isEmpty }.map(\.timeThreshold).max() ?? 0
        return max(limits.interval * 10, threshold * 2)
    }
}
