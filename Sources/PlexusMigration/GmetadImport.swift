/// gmetad.conf (read by `DotconfReader`) as the aggregator's TOML: every directive carried over
/// where the aggregator has it, a `# gmetad: …` comment saying why where it hasn't
/// (`docs/migrating.md`). The RRD root, grid name, ports and data sources stay gmetad's, so
/// the aggregator takes over the same tree. Pure: `resolve` gives a trusted host's addresses
/// (gmetad looked names up once at start; the aggregator's list holds addresses only).
public struct GmetadImport {
    public typealias Resolver = (_ name: String) -> [String]

    let source: String
    let resolve: Resolver
    var top = TOMLText()
    var sources = TOMLText()
    /// Keys in the order first set, each with its last value (dotconf keeps the last), and the
    /// trusted hosts of every trusted_hosts line.
    var order: [String] = []
    var values: [String: (value: String, note: String?)] = [:]
    var trusted: [String]?

    public static func toml(_ directives: [DotconfReader.Directive], source: String, resolve: @escaping Resolver) throws(MigrationError) -> String {
        var importer = GmetadImport(source: source, resolve: resolve)
        try importer.run(directives)
        var head = TOMLText()
        head.lines = importer.top.lines.prefix { !$0.isEmpty } + [""]
        for key in importer.order {
            let (value, note) = importer.values[key]!
            head.set(key, value, note: note)
        }
        if let trusted = importer.trusted { head.set("trusted_hosts", TOMLText.strings(trusted)) }
        head.lines += importer.top.lines.drop { !$0.isEmpty }
        return head.text + (importer.sources.lines.isEmpty ? "" : "\n" + importer.sources.text)
    }

    init(source: String, resolve: @escaping Resolver) {
        self.source = source
        self.resolve = resolve
    }

    mutating func run(_ directives: [DotconfReader.Directive]) throws(MigrationError) {
        top.comment(
            """
            plexus-aggregator configuration imported from \(source) by `plexus-aggregator --import-gmetad-conf`
            (docs/migrating.md). Each "gmetad:" comment is a directive the aggregator has no key for, and why.
            Check it with: plexus-aggregator --check --config FILE
            """)
        top.lines.append("")
        var names: Set<String> = []
        for d in directives {
            switch d.name {
            case "data_source":
                try dataSource(d, names: &names)
            case "gridname", "authority", "rrd_rootdir":
                try one(d)
                set(d.name, TOMLText.string(d.arguments[0]))
            case "xml_port", "interactive_port":
                try one(d)
                guard let port = Int(d.arguments[0]), (1...65535).contains(port) else { throw error(d, "expected a port number") }
                set(d.name, "\(port)")
            case "all_trusted", "scalable", "write_rrds", "case_sensitive_hostnames":
                try one(d)
                set(d.name, "\(try flag(d))")
            case "trusted_hosts":
                trustedHosts(d)
            case "unsummarized_metrics":
                set("unsummarized_metrics", TOMLText.strings(d.arguments))
            case "rras":
                // Dotconf's names are case-insensitive: RRAs arrives lower-cased.
                set("RRAs", TOMLText.strings(d.arguments))
            case "rrdcached_address", "carbon_server", "graphite_prefix", "graphite_path":
                try one(d)
                set(d.name, TOMLText.string(d.arguments[0]))
            case "carbon_port", "carbon_timeout":
                try one(d)
                guard let number = Int(d.arguments[0]), number > 0 else { throw error(d, "expected a positive number") }
                set(d.name, "\(number)")
            case "carbon_protocol":
                try one(d)
                guard ["tcp", "udp"].contains(d.arguments[0].lowercased()) else { throw error(d, "expected tcp or udp") }
                set(d.name, TOMLText.string(d.arguments[0].lowercased()))
            default:
                note(d, Self.noEquivalent[d.name] ?? "not a gmetad 3.7 directive (gmetad refuses the file)")
            }
        }
        if values["rrd_rootdir"] == nil { set("rrd_rootdir", TOMLText.string("/var/lib/ganglia/rrds"), note: "gmetad's, where its archives are") }
        if values["http_port"] == nil {
            set("http_port", "8080", note: "the dashboard, graphs, JSON API and /metrics: gmetad has none; 0 turns it off")
        }
    }

    /// What gmetad has and the aggregator doesn't need or have, and why.
    static let noEquivalent: [String: String] = [
        "debug_level": "the aggregator logs to the journal; --log-level debug says more",
        "setuid": "plexus-aggregator.service runs the aggregator as its own user, which must own rrd_rootdir (docs/migrating.md)",
        "setuid_username": "plexus-aggregator.service runs the aggregator as its own user, which must own rrd_rootdir (docs/migrating.md)",
        "server_threads": "the ports are served by event loops, bounded by max_clients instead",
        "umask": "the unit's UMask= decides; archives are written 0644 as gmetad's",
        "memcached_parameters": "no memcached export",
        "memcached_include_cluster_in_key": "no memcached export",
        "riemann_server": "no Riemann export",
        "riemann_port": "no Riemann export",
        "riemann_protocol": "no Riemann export",
        "riemann_attributes": "no Riemann export",
        "unsummarized_sflow_vm_metrics": "sFlow's per-VM metrics are summarized like any other",
        "summarized_metrics": "every metric is summarized but those unsummarized_metrics names",
    ]

    mutating func set(_ key: String, _ value: String, note: String? = nil) {
        if values[key] == nil { order.append(key) }
        values[key] = (value, note)
    }

    mutating func note(_ d: DotconfReader.Directive, _ why: String) {
        top.comment("gmetad: \(([d.name] + d.arguments.map(Self.shown)).joined(separator: " ")) (\(d.place)): \(why)")
    }

    static func shown(_ argument: String) -> String {
        argument.contains(where: { $0 == " " || $0 == "\t" || $0 == "#" }) || argument.isEmpty ? TOMLText.string(argument) : argument
    }

    func error(_ d: DotconfReader.Directive, _ reason: String) -> MigrationError {
        MigrationError(file: d.place.file, line: d.place.line, reason: "\(d.name): \(reason)")
    }

    func one(_ d: DotconfReader.Directive) throws(MigrationError) {
        guard d.arguments.count == 1 else { throw error(d, "takes one value, found \(d.arguments.count)") }
    }

    func flag(_ d: DotconfReader.Directive) throws(MigrationError) -> Bool {
        switch d.arguments[0].lowercased() {
        case "on", "yes", "true", "1": return true
        case "off", "no", "false", "0": return false
        default: throw error(d, "expected on or off, found \(d.arguments[0].debugDescription)")
        }
    }
}
