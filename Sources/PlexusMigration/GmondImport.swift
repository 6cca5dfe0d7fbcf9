import PlexusCore

/// gmond.conf (read by `ConfuseReader`) as the agent's TOML: every section and option carried
/// over where the agent has it, and a `# gmond: …` comment saying why where it hasn't
/// (`docs/migrating.md`). What gmond does by default and the agent doesn't (no channel when a
/// section is absent, send_metadata_interval 0) is written out, so the agent behaves as the
/// gmond did. Pure: `knownMetrics` are the metrics the agent's collectors provide.
public struct GmondImport {
    public let source: String
    public let knownMetrics: Set<String>
    var out = TOMLText()
    /// gmond's modpython directory (`module { name = "python_module" params = DIR }`).
    var pythonDirectory: String?
    /// Python modules carried over: their metrics can't be known before they run.
    var modules = 0

    /// The TOML for `root`, the whole file with its includes. `source` names it in the header.
    public static func toml(_ root: ConfuseSection, source: String, knownMetrics: Set<String>) throws(MigrationError) -> String {
        var importer = GmondImport(source: source, knownMetrics: knownMetrics)
        try importer.run(root)
        return importer.out.text
    }

    init(source: String, knownMetrics: Set<String>) {
        self.source = source
        self.knownMetrics = knownMetrics
    }

    mutating func run(_ root: ConfuseSection) throws(MigrationError) {
        out.comment(
            """
            plexus-agent configuration imported from \(source) by `plexus-agent --import-gmond-conf`
            (docs/migrating.md). Each "gmond:" comment is a setting the agent has no key for, and why.
            Check it with: plexus-agent --check --config FILE
            """)
        for option in root.options { out.comment("gmond: \(option.written) (\(option.place)): not inside a section; gmond refuses it") }
        // gmond has no channel unless a section asks for one; the agent's absent arrays mean
        // gmond's default channels, so say "none" outright.
        for name in ["udp_send_channel", "udp_recv_channel", "tcp_accept_channel", "collection_group"] where root.sections(name).isEmpty {
            out.set(name, "[]", note: "gmond.conf has no \(name)")
        }
        for python in root.sections("modules").flatMap({ $0.sections("module") }) where python.option("name")?.text == "python_module" {
            pythonDirectory = python.option("params")?.text
        }
        try globals(root.sections("globals").last)
        for section in root.sections {
            switch section.name {
            case "globals", "modules", "collection_group": continue
            case "cluster", "host":
                if root.sections(section.name).last != section {
                    leftOut(section, "a later \(section.name) section replaces this one")
                } else if section.name == "cluster" {
                    cluster(section)
                } else {
                    host(section)
                }
            case "udp_send_channel": try sendChannel(section)
            case "udp_recv_channel": try receiveChannel(section)
            case "tcp_accept_channel": try acceptChannel(section)
            case "sflow": leftOut(section, "sFlow datagrams aren't read here; hosts running hsflowd need gmond, or an agent of their own")
            default: leftOut(section, "not a gmond 3.7 section (gmond refuses the file)")
            }
        }
        for section in root.sections("modules") { try self.modules(section) }
        for section in root.sections("collection_group") { try collectionGroup(section) }
    }

    mutating func leftOut(_ section: ConfuseSection, _ why: String) {
        if out.lines.last?.hasPrefix("# gmond:") != true { out.blank() }
        out.comment("gmond: \(section.name)\(section.title.map { " \($0)" } ?? "") { … } (\(section.place)): \(why)")
    }

    mutating func note(_ option: ConfuseOption, _ why: String) {
        out.comment("gmond: \(option.written) (\(option.place)): \(why)")
    }

    mutating func unknown(_ option: ConfuseOption, in section: String) {
        note(option, "not an option of gmond 3.7's \(section) (gmond refuses the file)")
    }

    mutating func globals(_ section: ConfuseSection?) throws(MigrationError) {
        out.header("[globals]")
        var metadataInterval = false
        for option in section?.options ?? [] {
            switch option.name {
            case "daemonize": note(option, "systemd runs plexus-agent in the foreground")
            case "setuid", "user": note(option, "plexus-agent.service runs the agent as its own user")
            case "debug_level": note(option, "the agent logs to the journal; --log-level debug says more")
            case "allow_extra_data": note(option, "the agent always keeps and serves the EXTRA_DATA senders give")
            case "gexec": note(option, "gexec isn't supported (gmond reports it off too)")
            case "module_dir": note(option, "gmond's C modules aren't loaded: the agent's collectors give their metrics")
            case "mute", "deaf": out.set(option.name, "\(try option.bool())")
            case "max_udp_msg_len", "host_dmax", "host_tmax", "cleanup_threshold":
                out.set(option.name, "\(try option.integer())")
            case "send_metadata_interval":
                metadataInterval = true
                try setMetadataInterval(option.integer())
            case "override_hostname", "override_ip", "tags": out.set(option.name, TOMLText.string(option.text))
            default: unknown(option, in: "globals")
            }
        }
        if !metadataInterval { try setMetadataInterval(0) }
    }

    mutating func setMetadataInterval(_ seconds: Int) throws(MigrationError) {
        out.set(
            "send_metadata_interval", "\(seconds)",
            note: seconds == 0 ? "gmond's default; 60 lets a restarted unicast receiver learn our metrics within a minute" : nil)
    }

    mutating func cluster(_ section: ConfuseSection) {
        out.header("[cluster]")
        for option in section.options {
            if ["name", "owner", "latlong", "url"].contains(option.name) {
                out.set(option.name, TOMLText.string(option.text))
            } else {
                unknown(option, in: "cluster")
            }
        }
    }

    mutating func host(_ section: ConfuseSection) {
        out.header("[host]")
        for option in section.options {
            if option.name == "location" { out.set("location", TOMLText.string(option.text)) } else { unknown(option, in: "host") }
        }
    }
}
