/// The agent's plugins (`docs/plugins.md`): Munin plugins and commands it runs (`[[plugin]]`), and
/// node_exporter's textfile directory (`[textfile]`). Their output becomes ordinary metrics.
extension AgentConfiguration {
    /// What every kind of plugin shares: when it runs and what it may cost.
    public struct PluginLimits: Sendable, Equatable {
        /// Seconds between runs.
        public var interval: UInt32 = 60
        /// Seconds a run may take before it is killed (munin-node's default, 10). A run never
        /// overlaps the next: one that takes longer than the interval delays it.
        public var timeout: Double = 10
        /// Metrics the plugin may make; its other series are left out and counted.
        public var maxMetrics = 500
        /// Bytes of output read from one run; a run that prints more is killed and fails.
        public var maxOutputBytes = 1 << 20
        /// GROUP of its metrics, instead of the plugin's own (Munin's `graph_category`).
        public var group: String?
        /// DMAX of its metrics: seconds after which receivers forget one the plugin stopped
        /// reporting; nil: ten times the interval (or the time threshold, if longer); 0: never.
        public var dmax: UInt32?

        public init() {}
    }

    /// `[[plugin]]`: a program run every `interval` seconds, never through a shell, as the
    /// agent's user.
    public struct Plugin: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            /// `munin = "PATH"`: run as munin-node runs it (`PATH config`, then `PATH`).
            case munin(path: String)
            /// `command = ["PROGRAM", "ARG"...]` printing `format`.
            case command(arguments: [String], format: OutputFormat)
        }

        /// What a command prints.
        public enum OutputFormat: String, Sendable, Equatable, CaseIterable {
            /// Prometheus text exposition format (node_exporter's textfile collectors).
            case prometheus
            /// `NAME VALUE [TYPE [UNITS]]` lines.
            case gmetric
        }

        public var name: String
        public var kind: Kind
        public var limits = PluginLimits()
        /// Added to the agent's environment (Munin's `env.NAME value` of plugin-conf.d).
        public var environment: [String: String] = [:]

        public init(name: String, kind: Kind) {
            self.name = name
            self.kind = kind
        }
    }

    /// `[[module]]`: a gmond Python module (`NAME.py` in `path`), run unchanged in a `python3`
    /// host process of its own that the agent talks to over pipes.
    public struct Module: Sendable, Equatable {
        public var name: String
        /// The directory the module's file is in (gmond's `python_modules`).
        public var path: String
        /// `[module.params]`: `metric_init(params)`'s dictionary, every value as text.
        public var params: [String: String] = [:]
        /// The Python interpreter (a path, or a name looked up in `PATH`).
        public var python = "python3"
        public var limits = PluginLimits()

        public init(name: String, path: String) {
            self.name = name
            self.path = path
        }
    }

    /// `[textfile]`: every `*.prom` file of `directory`, read every `interval` seconds, as
    /// node_exporter's textfile collector reads them (written by cron jobs, atomically).
    public struct Textfile: Sendable, Equatable {
        public var directory: String
        public var limits = PluginLimits()

        public init(directory: String) {
            self.directory = directory
        }
    }

    /// Where Munin plugins find `plugins/plugin.sh` (`MUNIN_LIBDIR`) and keep their state
    /// (`MUNIN_PLUGSTATE`), `[globals]` `munin_libdir` and `plugin_state_dir`.
    public struct PluginEnvironment: Sendable, Equatable {
        public var muninLibdir = "/usr/share/munin"
        public var stateDirectory = "/var/lib/plexus/plugin-state"

        public init(muninLibdir: String = "/usr/share/munin", stateDirectory: String = "/var/lib/plexus/plugin-state") {
            self.muninLibdir = muninLibdir
            self.stateDirectory = stateDirectory
        }
    }

    /// A plugin's name: part of metric names (`plugin_NAME_runs`, `NAME.FIELD`).
    static func pluginNameProblem(_ name: String) -> String? {
        guard !name.isEmpty, name.utf8.count <= 64 else { return "must be 1 to 64 characters" }
        let allowed = name.utf8.allSatisfy { c in
            (0x30...0x39).contains(c) || (0x41...0x5A).contains(c) || (0x61...0x7A).contains(c) || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
        }
        return allowed ? nil : "\(name.debugDescription) may use only letters, digits, _ and -"
    }

    static func readPlugin(_ table: ConfigTable) throws(ConfigError) -> Plugin {
        var t = table
        guard let name = try t.string("name") else { throw t.error("name", "every plugin needs a name") }
        if let problem = pluginNameProblem(name) { throw t.error("name", problem) }
        let kind: Plugin.Kind
        switch (try t.string("munin"), try t.strings("command")) {
        case (let path?, nil):
            guard path.hasPrefix("/") else { throw t.error("munin", "must be an absolute path, found \(path.debugDescription)") }
            if try t.string("format") != nil { throw t.error("format", "a Munin plugin prints Munin's own format; format is for command") }
            kind = .munin(path: path)
        case (nil, let arguments?):
            guard let program = arguments.first, !program.isEmpty else { throw t.error("command", "needs at least the program to run") }
            let formatText = try t.string("format") ?? Plugin.OutputFormat.prometheus.rawValue
            guard let format = Plugin.OutputFormat(rawValue: formatText) else {
                throw t.error("format", "expected \"prometheus\" or \"gmetric\", found \(formatText.debugDescription)")
            }
            kind = .command(arguments: arguments, format: format)
        default:
            throw t.error("munin", "a plugin needs exactly one of munin (a Munin plugin's path) or command (a program and its arguments)")
        }
        var plugin = Plugin(name: name, kind: kind)
        plugin.limits = try readPluginLimits(&t, defaults: plugin.limits)
        if var env = try t.table("env") {
            for key in env.table.keys {
                guard let value = try env.string(key) else { continue }
                guard !key.isEmpty, !key.contains("="), !key.utf8.contains(0) else { throw env.error(key, "not an environment variable name") }
                plugin.environment[key] = value
            }
            try env.finish()
        }
        try t.finish()
        return plugin
    }

    static func readModule(_ table: ConfigTable) throws(ConfigError) -> Module {
        var t = table
        guard let name = try t.string("name") else { throw t.error("name", "every module needs a name (its file is NAME.py in path)") }
        if let problem = pluginNameProblem(name) { throw t.error("name", problem) }
        let language = try t.string("language") ?? "python"
        guard language == "python" else { throw t.error("language", "only \"python\" modules run here, found \(language.debugDescription)") }
        guard let directory = try path(&t, "path") else { throw t.error("path", "the directory \(name).py is in (gmond's python_modules)") }
        var module = Module(name: name, path: directory)
        module.python = try t.string("python") ?? module.python
        module.limits = try readPluginLimits(&t, defaults: module.limits)
        if var params = try t.table("params") {
            for key in params.table.keys {
                if let value = try params.text(key) { module.params[key] = value }
            }
            try params.finish()
        }
        try t.finish()
        return module
    }

    static func readTextfile(_ t: inout ConfigTable) throws(ConfigError) -> Textfile {
        guard let directory = try path(&t, "directory") else { throw t.error("directory", "[textfile] needs the directory its *.prom files are in") }
        var textfile = Textfile(directory: directory)
        textfile.limits = try readPluginLimits(&t, defaults: textfile.limits)
        return textfile
    }

    /// `interval`, `timeout`, `max_metrics`, `max_output_bytes`, `group`, `dmax`.
    private static func readPluginLimits(_ t: inout ConfigTable, defaults: PluginLimits) throws(ConfigError) -> PluginLimits {
        var limits = defaults
        limits.interval = try t.seconds("interval", minimum: 1) ?? limits.interval
        limits.timeout = try t.number("timeout", in: 0.1...3600) ?? limits.timeout
        limits.maxMetrics = try t.integer("max_metrics", in: 1...100_000) ?? limits.maxMetrics
        limits.maxOutputBytes = try t.integer("max_output_bytes", in: 1024...(64 << 20)) ?? limits.maxOutputBytes
        if let group = try t.string("group") {
            guard !group.isEmpty, !group.contains(",") else { throw t.error("group", "must be one non-empty group name without commas") }
            limits.group = group
        }
        limits.dmax = try t.seconds("dmax")
        return limits
    }

    /// Plugins' names are unique (they name metrics and counters).
    func validatePlugins(file: String) throws(ConfigError) {
        var names: Set<String> = []
        let named =
            plugins.enumerated().map { ("plugin[\($0.offset)].name", $0.element.name) }
            + modules.enumerated().map { ("module[\($0.offset)].name", $0.element.name) }
        for (key, name) in named {
            if name == "textfile" { throw ConfigError(file: file, key: key, reason: "\"textfile\" names the [textfile] directory's counters") }
            guard names.insert(name).inserted else {
                throw ConfigError(file: file, key: key, reason: "another plugin or module is already called \(name.debugDescription)")
            }
        }
    }
}
