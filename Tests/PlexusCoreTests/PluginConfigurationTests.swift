import PlexusCore
import Testing

/// `[[plugin]]`, `[textfile]`, `name_match` and the plugin keys of `[globals]`, as written and
/// as refused (file, key, reason).
@Suite struct PluginConfigurationTests {
    @Test func pluginsAreReadAsWritten() throws {
        let config = try AgentConfiguration.parse(
            """
            [globals]
            munin_libdir = "/opt/munin"
            plugin_state_dir = "/run/plexus/state"
            [[plugin]]
            name = "load"
            munin = "/usr/share/munin/plugins/load"
            interval = 300
            [[plugin]]
            name = "inotify"
            command = ["/usr/share/prometheus-node-exporter-collectors/inotify-instances"]
            format = "prometheus"
            interval = 60
            timeout = 20
            max_metrics = 50
            max_output_bytes = 65536
            group = "kernel"
            dmax = 0
            [plugin.env]
            LANG = "C"
            [[plugin]]
            name = "queue"
            command = ["queue-stats", "--all"]
            format = "gmetric"
            [textfile]
            directory = "/var/lib/plexus/textfile"
            interval = 30
            [[collection_group]]
            collect_every = 10
            time_threshold = 300
            [[collection_group.metric]]
            name_match = "^node_filesystem_avail_bytes\\\\."
            value_threshold = 1000000
            [[collection_group.metric]]
            name = "load.load"
            value_threshold = 1.0
            """, file: "agent.toml")
        #expect(config.pluginEnvironment == .init(muninLibdir: "/opt/munin", stateDirectory: "/run/plexus/state"))
        #expect(config.plugins.map(\.name) == ["load", "inotify", "queue"])
        #expect(config.plugins[0].kind == .munin(path: "/usr/share/munin/plugins/load") && config.plugins[0].limits.interval == 300)
        #expect(config.plugins[0].limits.timeout == 10 && config.plugins[0].limits.maxMetrics == 500 && config.plugins[0].limits.dmax == nil)
        let inotify = config.plugins[1]
        #expect(inotify.kind == .command(arguments: ["/usr/share/prometheus-node-exporter-collectors/inotify-instances"], format: .prometheus))
        #expect(inotify.limits.timeout == 20 && inotify.limits.maxMetrics == 50 && inotify.limits.maxOutputBytes == 65536)
        #expect(inotify.limits.group == "kernel" && inotify.limits.dmax == 0 && inotify.environment == ["LANG": "C"])
        #expect(config.plugins[2].kind == .command(arguments: ["queue-stats", "--all"], format: .gmetric))
        #expect(config.textfile?.directory == "/var/lib/plexus/textfile" && config.textfile?.limits.interval == 30)
        let group = config.collectionGroups[0]
        #expect(group.patterns == [.init(nameMatch: "^node_filesystem_avail_bytes\\.", valueThreshold: 1_000_000)])
        #expect(group.patterns[0].matches("node_filesystem_avail_bytes.var") && !group.patterns[0].matches("xnode_filesystem_avail_bytes.var"))
        #expect(group.metrics == [.init(name: "load.load", valueThreshold: 1)])
    }

    static let errors: [(String, String)] = [
        ("[[plugin]]\nmunin = \"/p\"", "agent.toml: key plugin[0].name: every plugin needs a name"),
        ("[[plugin]]\nname = \"a b\"\nmunin = \"/p\"", "agent.toml: key plugin[0].name: \"a b\" may use only letters, digits, _ and -"),
        (
            "[[plugin]]\nname = \"x\"",
            "agent.toml: key plugin[0].munin: a plugin needs exactly one of munin (a Munin plugin's path) or command (a program and its arguments)"
        ),
        ("[[plugin]]\nname = \"x\"\nmunin = \"load\"", "agent.toml: key plugin[0].munin: must be an absolute path, found \"load\""),
        ("[[plugin]]\nname = \"x\"\ncommand = []", "agent.toml: key plugin[0].command: needs at least the program to run"),
        (
            "[[plugin]]\nname = \"x\"\ncommand = [\"/bin/x\"]\nformat = \"json\"",
            "agent.toml: key plugin[0].format: expected \"prometheus\" or \"gmetric\", found \"json\""
        ),
        (
            "[[plugin]]\nname = \"x\"\nmunin = \"/p\"\nformat = \"gmetric\"",
            "agent.toml: key plugin[0].format: a Munin plugin prints Munin's own format; format is for command"
        ),
        ("[[plugin]]\nname = \"x\"\nmunin = \"/p\"\ntimeout = 0", "agent.toml: key plugin[0].timeout: 0.0 is out of range 0.1...3600.0"),
        ("[[plugin]]\nname = \"x\"\nmunin = \"/p\"\nmax_metrics = 0", "agent.toml: key plugin[0].max_metrics: 0 is out of range 1...100000"),
        (
            "[[plugin]]\nname = \"x\"\nmunin = \"/p\"\n[[plugin]]\nname = \"x\"\nmunin = \"/q\"",
            "agent.toml: key plugin[1].name: another plugin or module is already called \"x\""
        ),
        (
            "[[plugin]]\nname = \"textfile\"\nmunin = \"/p\"",
            "agent.toml: key plugin[0].name: \"textfile\" names the [textfile] directory's counters"
        ),
        (
            "[[plugin]]\nname = \"x\"\nmunin = \"/p\"\nenviron = {}",
            "agent.toml: key plugin[0].environ: unknown key (this table takes: command, dmax, env, format, group, interval, max_metrics, max_output_bytes, munin, name, timeout)"
        ),
        ("[textfile]\ninterval = 60", "agent.toml: key textfile.directory: [textfile] needs the directory its *.prom files are in"),
        ("[globals]\nmunin_libdir = \"munin\"", "agent.toml: key globals.munin_libdir: must be an absolute path, found \"munin\""),
        (
            "[[collection_group]]\n[[collection_group.metric]]\nname_match = \"([a-z\"",
            "agent.toml: key collection_group[0].metric[0].name_match: \"([a-z\" is not a regular expression"
        ),
        (
            "[[collection_group]]\n[[collection_group.metric]]\nvalue_threshold = 1",
            "agent.toml: key collection_group[0].metric[0].name: every metric needs a name, or a name_match (a regular expression over plugins' metrics)"
        ),
    ]

    @Test(arguments: errors.indices)
    func errorsNameFileKeyAndReason(_ index: Int) {
        let (text, message) = Self.errors[index]
        #expect {
            try AgentConfiguration.parse(text, file: "agent.toml")
        } throws: { error in
            "\(error)".hasPrefix(message)
        }
    }
}
