import Foundation
import PlexusCollectors
import PlexusCore
import Testing

@testable import PlexusMigration

@Suite struct GmondImportTests {
    static let fixtures = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
    static let known = Set(AgentConfiguration().metricDefinitions.keys)

    /// The importer's TOML for `text`, read back by the agent as `--check` reads it.
    static func imported(_ text: String, files: [String: String] = [:]) throws -> (toml: String, config: AgentConfiguration) {
        let root = try ConfuseReader.read(text, file: "gmond.conf", include: ConfuseReaderTests.files(files))
        let toml = try GmondImport.toml(root, source: "gmond.conf", knownMetrics: known)
        let config = try AgentConfiguration.parse(toml, file: "imported.toml")
        try config.checkMetrics(file: "imported.toml")
        return (toml, config)
    }

    static func fixture(_ name: String) throws -> String { try String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8) }

    /// What gmond runs with, from the file as libconfuse read it and gmond's defaults
    /// (`docs/migrating.md`), beside what the agent runs with from the imported TOML.
    static func expectSameAsGmond(_ root: ConfuseSection, _ config: AgentConfiguration) throws {
        let globals = root.sections("globals").last
        func number(_ key: String, _ otherwise: Int) throws -> Int { try globals?.option(key)?.integer() ?? otherwise }
        #expect(Int(config.globals.hostDmax) == (try number("host_dmax", 86_400)))
        #expect(Int(config.globals.hostTmax) == (try number("host_tmax", 20)))
        #expect(Int(config.globals.cleanupThreshold) == (try number("cleanup_threshold", 300)))
        #expect(Int(config.globals.sendMetadataInterval) == (try number("send_metadata_interval", 0)))
        #expect(config.globals.maxUDPMessageLength == (try number("max_udp_msg_len", 1472)))
        #expect(config.globals.mute == (try globals?.option("mute")?.bool() ?? false))
        #expect(config.globals.deaf == (try globals?.option("deaf")?.bool() ?? false))
        let cluster = root.sections("cluster").last
        #expect(
            [config.cluster.name, config.cluster.owner, config.cluster.latlong, config.cluster.url]
                == ["name", "owner", "latlong", "url"].map { cluster?.option($0)?.text ?? "unspecified" })
        #expect(config.location == root.sections("host").last?.option("location")?.text ?? "unspecified")
        let sends = root.sections("udp_send_channel")
        #expect(config.udpSendChannels.count == sends.count)
        for (channel, section) in zip(config.udpSendChannels, sends) {
            #expect(channel.mcastJoin == section.option("mcast_join")?.text && channel.mcastIf == section.option("mcast_if")?.text)
            #expect(channel.host == (channel.mcastJoin == nil ? section.option("host")?.text : nil))
            let port = try section.option("port")?.integer(), ttl = try section.option("ttl")?.integer() ?? 1
            #expect(channel.port == port && channel.ttl == ttl)
            #expect(channel.bind == section.option("bind")?.text)
        }
        let receives = root.sections("udp_recv_channel")
        #expect(config.udpReceiveChannels.count == receives.count)
        for (channel, section) in zip(config.udpReceiveChannels, receives) {
            #expect(channel.mcastJoin == section.option("mcast_join")?.text && channel.bind == section.option("bind")?.text)
            let port = try section.option("port")?.integer() ?? 8649
            #expect(channel.port == port)
            #expect(channel.family.rawValue == section.option("family")?.text.lowercased() ?? "inet4")
            let buffer = try section.option("buffer")?.integer() ?? 0
            #expect((channel.buffer ?? 0) == buffer)
        }
        let accepts = root.sections("tcp_accept_channel")
        #expect(config.tcpAcceptChannels.count == accepts.count)
        for (channel, section) in zip(config.tcpAcceptChannels, accepts) {
            let port = try section.option("port")?.integer() ?? 8649
            #expect(channel.bind == section.option("bind")?.text && channel.port == port)
            let gzip = try section.option("gzip_output")?.bool() ?? false
            #expect(channel.gzipOutput == gzip)
            #expect(channel.historyPort == nil)
        }
        // Groups whose metrics the agent gives, in order, metric by metric.
        let groups = try root.sections("collection_group").compactMap { group throws -> AgentConfiguration.CollectionGroup? in
            var g = AgentConfiguration.CollectionGroup(metrics: [])
            g.collectOnce = try group.option("collect_once")?.bool() ?? false
            g.collectEvery = UInt32(try group.option("collect_every")?.integer() ?? 60)
            g.timeThreshold = UInt32(try group.option("time_threshold")?.integer() ?? 3600)
            for metric in group.sections("metric") {
                let threshold = try metric.option("value_threshold")?.number()
                if let pattern = metric.option("name_match")?.text {
                    g.patterns.append(.init(nameMatch: pattern, valueThreshold: threshold, title: metric.option("title")?.text))
                } else if let name = metric.option("name")?.text, known.contains(name) || !config.modules.isEmpty {
                    g.metrics.append(.init(name: name, valueThreshold: threshold, title: metric.option("title")?.text))
                }
            }
            return g.metrics.isEmpty && g.patterns.isEmpty ? nil : g
        }
        #expect(config.collectionGroups == groups)
    }

    @Test(arguments: ["debian/gmond.conf", "debian/gmond-t.conf"])
    func debiansConfigurationsConvertAndRunAsGmondDoes(_ name: String) throws {
        let text = try Self.fixture(name)
        let (toml, config) = try Self.imported(text, files: [:])
        try Self.expectSameAsGmond(try ConfuseReader.read(text, file: "gmond.conf", include: ConfuseReaderTests.files([:])), config)
        #expect(config.udpSendChannels == [.init(mcastJoin: "239.2.11.71")])
        #expect(config.udpReceiveChannels == [.init(mcastJoin: "239.2.11.71", bind: "239.2.11.71")])
        #expect(toml.contains("# gmond: metric { … } (gmond.conf:"), "gexec's group is left out, and says so")
        #expect(!config.collectionGroups.flatMap(\.metrics).contains { $0.name == "gexec" })
    }

    @Test func unicastChannelsACLsAndTimeoutsCarryOver() throws {
        let text = """
            globals { host_tmax = 40 send_metadata_interval = 60 override_hostname = "web1.example" override_ip = "10.0.0.5" }
            cluster { name = "Old" }
            cluster { name = "Prod" owner = "ops" latlong = "N1 E2" url = "http://x/" }
            udp_send_channel { host = collector.example port = 8650 ttl = 2 }
            udp_send_channel { mcast_join = 239.2.11.72 mcast_if = eth1 port = 8651 bind_hostname = yes }
            udp_recv_channel { port = 8650 family = inet6 buffer = 10485760
              acl { default = "deny" access { ip = 10.1.0.0 mask = 16 action = "allow" } access { ip = 127.0.0.1 mask = 32 action = "allow" } } }
            tcp_accept_channel { port = 8649 bind = 127.0.0.1 gzip_output = yes timeout = 2500000
              acl { default = "allow" access { ip = 192.168.0.0 mask = 24 action = "deny" } } }
            collection_group { collect_every = 20 time_threshold = 90 metric { name = "load_one" value_threshold = "1.0" title = "Load" } }
            """
        let (toml, config) = try Self.imported(text)
        try Self.expectSameAsGmond(try ConfuseReader.read(text, file: "gmond.conf", include: ConfuseReaderTests.files([:])), config)
        #expect(config.globals.overrideHostname == "web1.example" && config.globals.overrideIP == "10.0.0.5")
        #expect(config.cluster.name == "Prod" && toml.contains("a later cluster section replaces this one"))
        #expect(config.udpReceiveChannels[0].allow == [CIDRBlock("10.1.0.0/16")!, CIDRBlock("127.0.0.1/32")!])
        let allow = config.tcpAcceptChannels[0].allow
        #expect(!allow.allows(IPAddress("192.168.0.9")!) && allow.allows(IPAddress("192.168.1.9")!) && allow.allows(IPAddress("::1")!))
        #expect(config.tcpAcceptChannels[0].timeout == 2.5)
        #expect(toml.contains("# gmond: bind_hostname = yes"))
        #expect(toml.contains("udp_recv_channel") && !toml.contains("udp_recv_channel = []"))
    }

    @Test func pythonModulesIncludesAndPatternsCarryOverAndCModulesAreExplained() throws {
        let text = """
            modules {
              module { name = "python_module" path = "modpython.so" params = "/opt/ganglia/python_modules" }
              module { name = "example_module" language = "C/C++" path = "modexample.so" }
            }
            include ('/etc/ganglia/conf.d/*.pyconf')
            collection_group { collect_every = 10 time_threshold = 50
              metric { name_match = "multicpu_([a-z]+)([0-9]+)" value_threshold = 1.0 title = "CPU-\\\\2 \\\\1" }
              metric { name = "cpu_user" value_threshold = -1 } }
            """
        let files = [
            "/etc/ganglia/conf.d/example.pyconf": """
            modules { module { name = "example" language = "python"
              param RandomMax { value = 600 } param ConstantValue { value = "112" } } }
            collection_group { collect_every = 10 time_threshold = 50 metric { name = "PyRandom_Numbers" title = "Random" } }
            """,
            "/etc/ganglia/conf.d/disabled.pyconf": "modules { module { name = \"off\" language = \"python\" enabled = no } }",
        ]
        let (toml, config) = try Self.imported(text, files: files)
        #expect(config.modules.count == 1)
        let module = try #require(config.modules.first)
        #expect(module.name == "example" && module.path == "/opt/ganglia/python_modules")
        #expect(module.params == ["RandomMax": "600", "ConstantValue": "112"])
        #expect(toml.contains("example_module: C modules can't be loaded here"))
        #expect(toml.contains("off: enabled = no"))
        #expect(config.collectionGroups.map(\.metrics.count) == [1, 1])
        #expect(config.collectionGroups[1].patterns == [.init(nameMatch: "multicpu_([a-z]+)([0-9]+)", valueThreshold: 1, title: "CPU-\\2 \\1")])
        #expect(config.collectionGroups[1].metrics == [.init(name: "cpu_user")])
        // Absent channel sections mean none, as in gmond.
        #expect(config.udpSendChannels.isEmpty && config.udpReceiveChannels.isEmpty && config.tcpAcceptChannels.isEmpty)
    }

    @Test func anACLThatAdmitsNobodyStaysClosed() throws {
        let (_, config) = try Self.imported("tcp_accept_channel { port = 8649 acl { default = \"deny\" } }")
        let allow = config.tcpAcceptChannels[0].allow
        #expect(!allow.isEmpty && !allow.allows(IPAddress("127.0.0.1")!) && !allow.allows(IPAddress("::1")!))
    }

    @Test func badValuesAreErrorsWithFileAndLine() throws {
        for (text, message) in [
            ("globals {\n mute = maybe }", "gmond.conf:2: mute: expected yes or no"),
            ("udp_send_channel {\n host = a port = x }", "gmond.conf:2: port: expected an integer"),
            ("udp_recv_channel { family = inet5 }", "gmond.conf:1: family: expected inet4 or inet6"),
            ("tcp_accept_channel { acl { access { ip = 10.0.0.1 mask = 40 action = \"allow\" } } }", "gmond.conf:1: access: mask 40"),
        ] {
            expectError(message) { _ = try Self.imported(text) }
        }
    }
}
