import Foundation
import PlexusCore
import Testing

/// `--import-gmond-conf` and `--import-gmetad-conf` against what a real gmond and gmetad 3.7.2
/// make of the same files: the channels gmond's debug output names, the cluster, host and
/// metrics its XML shows beside the agent's running the imported TOML, and the sources, ports
/// and grid gmetad reports beside what the aggregator reads from its import.
@Suite(.serialized, .enabled(if: Gmetad.enabled, "gmond/gmetad are not installed (scripts/test installs them)"))
struct MigrationInteropTests {
    static func run(_ name: String, _ arguments: [String]) async throws -> Executable.Result {
        try await Executable(name).run(arguments)
    }

    /// `key=value` pairs of the debug line that starts with `prefix`.
    static func fields(of prefix: String, in log: String) -> [[String: String]] {
        log.split(separator: "\n").filter { $0.hasPrefix(prefix + " ") }.map { line in
            Dictionary(
                line.split(separator: " ").dropFirst().compactMap { pair -> (String, String)? in
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
                }, uniquingKeysWith: { $1 })
        }
    }

    static func cluster(_ port: Int) -> PlexusCore.Cluster? {
        guard let bytes = Loopback.read(port: port), case .cluster(let cluster)? = GangliaDocument.read(bytes).document?.items.first else { return nil }
        return cluster
    }

    /// The cluster served on `port` once its host has load_one and cpu_num (the metrics compared).
    static func servedCluster(_ port: Int) async -> PlexusCore.Cluster? {
        var served: PlexusCore.Cluster?
        let serving = await Loopback.eventually(seconds: 30) {
            served = cluster(port)
            let names = Set(served?.hosts.first?.metrics.map(\.name.rawValue) ?? [])
            return names.contains("load_one") && names.contains("cpu_num")
        }
        return serving ? served : nil
    }

    /// `program --FLAG conf` (an import) must succeed and its TOML pass `--check`; the TOML.
    static func imported(_ program: String, _ flag: String, _ conf: URL, into folder: TemporaryFolder) async throws -> String {
        let imported = try await run(program, [flag, conf.path])
        try #require(imported.status == 0, "\(imported.stderr)")
        let toml = try folder.write("\(program).toml", imported.stdout)
        let check = try await run(program, ["--check", "--config", toml.path])
        #expect(check.status == 0, "\(check.stderr)\n\(imported.stdout)")
        return imported.stdout
    }

    @Test func gmondsOwnDefaultConfigurationImportsAndChecks() async throws {
        let folder = try TemporaryFolder("plexus-import-default")
        let defaults = try await Executable(url: URL(fileURLWithPath: Gmond.path)).run(["-t"]).stdout
        let conf = try folder.write("gmond.conf", defaults)
        let imported = try await Self.run("plexus-agent", ["--import-gmond-conf", conf.path])
        #expect(imported.status == 0, "\(imported.stderr)")
        let toml = try folder.write("agent.toml", imported.stdout)
        let check = try await Self.run("plexus-agent", ["--check", "--config", toml.path])
        #expect(check.status == 0, "\(check.stderr)\n\(imported.stdout)")
        let config = try AgentConfiguration.parse(imported.stdout, file: "agent.toml")
        #expect(config.udpSendChannels == [.init(mcastJoin: "239.2.11.71")] && config.globals.sendMetadataInterval == 0)
    }

    @Test func theAgentOnAnImportedGmondConfRunsAsThatGmondDid() async throws {
        let folder = try TemporaryFolder("plexus-import-gmond")
        let udp = Loopback.freePort(), xml = Loopback.freePort()
        let modules = ["cpu": "modcpu", "load": "modload", "sys": "modsys"]
            .map { "  module { name = \"\($0.key)_module\" path = \"\(Gmond.moduleDirectory)/\($0.value).so\" }" }.joined(separator: "\n")
        try FileManager.default.createDirectory(at: folder.url.appendingPathComponent("conf.d"), withIntermediateDirectories: true)
        _ = try folder.write("conf.d/modules.conf", "modules {\n  module { name = \"core_metrics\" }\n\(modules)\n}\n")
        let conf = try folder.write(
            "gmond.conf",
            """
            globals { daemonize = no setuid = no user = root debug_level = 0 host_dmax = 3600 host_tmax = 30 send_metadata_interval = 15 }
            cluster { name = "Migrated" owner = "Ops Team" latlong = "N52.52 E13.40" url = "http://grid.example/" }
            host { location = "7,3,1" }
            udp_send_channel { host = 127.0.0.1 port = \(udp) ttl = 1 }
            udp_recv_channel { port = \(udp) bind = 127.0.0.1 buffer = 1048576
              acl { default = "deny" access { ip = 127.0.0.1 mask = 32 action = "allow" } } }
            tcp_accept_channel { port = \(xml) bind = 127.0.0.1
              acl { default = "allow" access { ip = 10.0.0.0 mask = 8 action = "deny" } } }
            include ("\(folder.url.path)/conf.d/*.conf")
            collection_group { collect_once = yes time_threshold = 20 metric { name = "heartbeat" } }
            collection_group { collect_every = 5 time_threshold = 60
              metric { name = "load_one" value_threshold = "1.0" title = "One Minute Load" }
              metric { name = "cpu_num" title = "CPUs" } }
            collection_group { collect_once = yes time_threshold = 300 metric { name = "gexec" title = "Gexec Status" } }
            """)

        // gmond first: its channels as its debug output says, its cluster as its XML shows.
        let gmond = try LocalProcess(Gmond.path, ["-c", conf.path, "-d", "5", "-f"], log: folder.url.appendingPathComponent("gmond.log"))
        let theirs = await Self.servedCluster(xml)
        gmond.stop()
        try #require(theirs != nil, "gmond's XML:\n\(gmond.output)")

        let imported = try await Self.imported("plexus-agent", "--import-gmond-conf", conf, into: folder)
        let toml = folder.url.appendingPathComponent("plexus-agent.toml")
        let config = try AgentConfiguration.parse(imported, file: "agent.toml")

        // The channels, value by value against gmond's own account of them.
        let sends = Self.fields(of: "udp_send_channel", in: gmond.output)
        #expect(sends.map { [$0["host"], $0["port"]] } == config.udpSendChannels.map { [$0.host, "\($0.port)"] })
        let receives = Self.fields(of: "udp_recv_channel", in: gmond.output)
        #expect(receives.map { [$0["bind"], $0["port"], $0["buffer"]] } == config.udpReceiveChannels.map { [$0.bind, "\($0.port)", "\($0.buffer ?? 0)"] })
        let accepts = Self.fields(of: "tcp_accept_channel", in: gmond.output)
        #expect(
            accepts.map { [$0["bind"], $0["port"], $0["gzip_output"]] } == config.tcpAcceptChannels.map { [$0.bind, "\($0.port)", $0.gzipOutput ? "1" : "0"] })
        #expect(config.udpReceiveChannels[0].allow == [CIDRBlock("127.0.0.1")!])
        #expect(!config.tcpAcceptChannels[0].allow.allows(IPAddress("10.1.2.3")!) && config.tcpAcceptChannels[0].allow.allows(IPAddress("127.0.0.1")!))

        // The agent on the imported file serves the cluster gmond served.
        let agent = try LocalProcess(try Executable("plexus-agent").url.path, ["-c", toml.path], log: folder.url.appendingPathComponent("agent.log"))
        defer { agent.stop() }
        let ours = await Self.servedCluster(xml)
        try #require(ours != nil, "the agent's XML:\n\(agent.output)")
        guard let theirs, let ours, let theirHost = theirs.hosts.first, let ourHost = ours.hosts.first else { return }
        #expect([ours.name.rawValue, ours.owner, ours.latlong, ours.url] == [theirs.name.rawValue, theirs.owner, theirs.latlong, theirs.url])
        #expect([ourHost.location, "\(ourHost.tmax)", "\(ourHost.dmax)"] == [theirHost.location, "\(theirHost.tmax)", "\(theirHost.dmax)"])
        for name in ["load_one", "cpu_num"] {
            let mine = ourHost.metrics.first { $0.name.rawValue == name }, gmonds = theirHost.metrics.first { $0.name.rawValue == name }
            #expect(mine?.tmax == gmonds?.tmax, "\(name) TMAX")
            #expect(mine?.extraData.first { $0.name == "TITLE" }?.value == gmonds?.extraData.first { $0.name == "TITLE" }?.value, "\(name) TITLE")
        }
        // gexec is the one metric the agent doesn't give, and the import says so.
        #expect(imported.contains("gexec: no collector here gives it"))
    }

    @Test func theAggregatorReadsAnImportedGmetadConfAsGmetadDid() async throws {
        let folder = try TemporaryFolder("plexus-import-gmetad")
        let xml = Loopback.freePort(), query = Loopback.freePort(), closed = Loopback.freePort()
        let root = folder.url.appendingPathComponent("rrds")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let conf = try folder.write(
            "gmetad.conf",
            """
            # several clusters, failover addresses, a step, and the directives with no key
            data_source "web servers" 5 127.0.0.1:\(closed) localhost:\(closed)
            data_source "db" 127.0.0.1:\(closed)
            gridname "Migrated Grid"
            authority "http://grid.example/ganglia/"
            xml_port \(xml)
            interactive_port \(query)
            rrd_rootdir "\(root.path)"
            trusted_hosts 127.0.0.2 localhost
            RRAs "RRA:AVERAGE:0.5:1:244" "RRA:AVERAGE:0.5:24:244" "RRA:MAX:0.5:168:244"
            case_sensitive_hostnames 0
            unsummarized_metrics disk_ part_
            setuid off
            server_threads 2
            carbon_server "127.0.0.1"
            debug_level 2
            """)
        let gmetad = try LocalProcess(Gmetad.path, ["-c", conf.path, "-d", "2"], log: folder.url.appendingPathComponent("gmetad.log"))
        var document = ""
        let serving = await Loopback.eventually(seconds: 30) {
            document = Loopback.read(port: xml).map { String(decoding: $0, as: UTF8.self) } ?? ""
            return document.contains("<GRID ")
        }
        gmetad.stop()
        try #require(serving, "gmetad:\n\(gmetad.output)")

        let imported = try await Self.imported("plexus-aggregator", "--import-gmetad-conf", conf, into: folder)
        let config = try AggregatorConfiguration.parse(imported, file: "aggregator.toml")

        // gmetad's account: "Source: [NAME, step N] has K sources" then each address.
        let sources = gmetad.output.split(separator: "\n").compactMap { line -> (String, Int)? in
            guard let open = line.range(of: "Source: ["), let comma = line.range(of: ", step ", options: .backwards),
                let close = line.range(of: "] has")
            else { return nil }
            return (String(line[open.upperBound..<comma.lowerBound]), Int(line[comma.upperBound..<close.lowerBound]) ?? -1)
        }
        #expect(
            Set(sources.map { "\($0.0) \($0.1)" }) == Set(config.dataSources.map { "\($0.name) \($0.step)" }),
            "gmetad:\n\(gmetad.output)")
        for source in config.dataSources {
            guard case .poll(let endpoints) = source.transport else { continue }
            #expect(endpoints.map(\.port) == Array(repeating: closed, count: source.name == "db" ? 1 : 2))
        }
        #expect(gmetad.output.contains("xml listening on port \(config.xmlPort)"))
        #expect(gmetad.output.contains("interactive xml listening on port \(config.interactivePort)"))
        #expect(document.contains("<GRID NAME=\"\(config.gridname)\" AUTHORITY=\"\(config.authority ?? "")\""), "\(document.prefix(600))")
        #expect(config.rrdRootdir == root.path && !config.caseSensitiveHostnames && config.unsummarizedMetrics == ["disk_", "part_"])
        #expect(config.archives.map(\.description) == ["RRA:AVERAGE:0.5:1:244", "RRA:AVERAGE:0.5:24:244", "RRA:MAX:0.5:168:244"])
        #expect(config.trustedHosts.contains(CIDRBlock("127.0.0.2")!) && config.trustedHosts.contains(CIDRBlock("127.0.0.1")!))
        #expect(config.exports.graphite?.server == "127.0.0.1" && config.exports.graphite?.port == 2003)
        for directive in ["setuid off", "server_threads 2", "debug_level 2"] {
            #expect(imported.contains("# gmetad: \(directive) ("), "\(directive)")
        }
    }
}
