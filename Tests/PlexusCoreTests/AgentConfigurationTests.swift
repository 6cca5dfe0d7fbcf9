import Foundation
import Testing

@testable import PlexusCore

/// The agent's TOML configuration: gmond's vocabulary and defaults, errors that name file, key and reason.
@Suite struct AgentConfigurationTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func defaultsMatchGmond() {
        let config = AgentConfiguration()
        #expect(config.udpSendChannels == [.init(mcastJoin: "239.2.11.71", port: 8649)])
        #expect(config.udpSendChannels[0].ttl == 1)
        #expect(config.udpReceiveChannels == [.init(mcastJoin: "239.2.11.71", bind: "239.2.11.71", port: 8649)])
        #expect(config.tcpAcceptChannels == [.default] && config.tcpAcceptChannels[0].port == 8649)
        #expect(config.tcpAcceptChannels[0].historyPort == 8659 && config.globals.historySeconds == 3600 && !config.globals.historyAllHosts)
        #expect(config.globals.hostDmax == 86400 && config.globals.hostTmax == 20 && config.globals.cleanupThreshold == 300)
        #expect(config.globals.maxUDPMessageLength == 1472)
        #expect(config.collectionGroups.first == .init(collectOnce: true, timeThreshold: 20, metrics: [.init(name: "heartbeat")]))
        let scheduled = config.collectionGroups.flatMap(\.metrics).map(\.name)
        for name in [
            "cpu_user", "cpu_aidle", "cpu_steal", "cpu_intr", "cpu_sintr", "load_fifteen", "proc_total", "mem_available",
            "swap_free", "pkts_out", "disk_total", "part_max_used", "boottime", "location",
        ] {
            #expect(scheduled.contains(name), "\(name)")
        }
    }

    @Test func printedDefaultAndSampleFileAreTheDefault() throws {
        #expect(try AgentConfiguration.parse(AgentConfiguration.defaultTOML, file: "default") == AgentConfiguration())
        let sample = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("config/agent.toml"), encoding: .utf8)
        #expect(sample == AgentConfiguration.defaultTOML)
    }

    @Test func denyTakesBlocksOutOfWhatAllowLetsIn() throws {
        let config = try AgentConfiguration.parse(
            """
            [[udp_recv_channel]]
            port = 8649
            deny = ["192.168.0.0/24", "::/0"]
            [[tcp_accept_channel]]
            port = 8649
            allow = ["10.0.0.0/8"]
            deny = ["10.9.0.0/16"]
            """, file: "agent.toml")
        let receive = config.udpReceiveChannels[0].allow, accept = config.tcpAcceptChannels[0].allow
        #expect(!receive.allows(IPAddress("192.168.0.7")!) && receive.allows(IPAddress("192.168.1.7")!) && !receive.allows(IPAddress("::1")!))
        #expect(accept.allows(IPAddress("10.8.0.1")!) && !accept.allows(IPAddress("10.9.0.1")!) && !accept.allows(IPAddress("11.0.0.1")!))
        let nothingLeft = "[[udp_recv_channel]]\nallow = [\"10.0.0.0/8\"]\ndeny = [\"10.0.0.0/7\"]"
        #expect(throws: ConfigError.self) { try AgentConfiguration.parse(nothingLeft, file: "agent.toml") }
    }

    @Test func aPatternsTitleTakesItsGroupsAsGmondDoes() {
        let pattern = AgentConfiguration.MetricPattern(nameMatch: "multicpu_([a-z]+)([0-9]+)", title: "CPU-\\2 \\1")
        #expect(pattern.title(for: "multicpu_idle3") == "CPU-3 idle")
        #expect(AgentConfiguration.MetricPattern(nameMatch: "^x(a)?$", title: "X \\1\\9 \\z\\").title(for: "x") == "X \\9 \\z\\")
        #expect(AgentConfiguration.MetricPattern(nameMatch: "x", title: "plain").title(for: "x") == "plain")
        #expect(AgentConfiguration.MetricPattern(nameMatch: "x").title(for: "x") == nil)
    }

    @Test func emptyFileIsTheDefault() throws {
        #expect(try AgentConfiguration.parse("", file: "empty.toml") == AgentConfiguration())
    }

    @Test func unicastSetupWithAllowLists() throws {
        let config = try AgentConfiguration.parse(
            """
            [globals]
            send_metadata_interval = 30
            mute = "no"
            override_hostname = "web1.example"
            override_ip = "10.1.2.3"
            [cluster]
            name = "Prod"
            owner = "Ops"
            [host]
            location = "rack1,2,0"
            [[udp_send_channel]]
            host = "collector.example"
            port = 8650
            bind = "127.0.0.2"
            [[udp_recv_channel]]
            port = 8649
            family = "inet6"
            allow = ["10.0.0.0/8", "::1"]
            [[tcp_accept_channel]]
            port = 0
            gzip_output = true
            allow = ["127.0.0.1"]
            [[probe]]
            name = "api"
            url = "https://api.example/health"
            expect_status = 204
            timeout = 2.5
            [[probe]]
            name = "db"
            tcp = "[::1]:5432"
            interval = 10
            [[collection_group]]
            collect_every = 10
            time_threshold = 30
            [[collection_group.metric]]
            name = "load_one"
            value_threshold = 0.5
            """, file: "agent.toml")
        #expect(config.globals.sendMetadataInterval == 30 && !config.globals.mute)
        #expect(config.globals.overrideHostname == "web1.example" && config.globals.overrideIP == "10.1.2.3")
        #expect(config.cluster.name == "Prod" && config.cluster.owner == "Ops" && config.cluster.url == "unspecified")
        #expect(config.location == "rack1,2,0")
        #expect(config.udpSendChannels.count == 1)
        #expect(config.udpSendChannels[0].host == "collector.example" && config.udpSendChannels[0].port == 8650)
        #expect(config.udpSendChannels[0].bind == "127.0.0.2")
        #expect(config.udpReceiveChannels[0].family == .inet6)
        #expect(config.udpReceiveChannels[0].allow.map(\.description) == ["10.0.0.0/8", "::1/128"])
        #expect(config.tcpAcceptChannels[0].gzipOutput && config.tcpAcceptChannels[0].port == 0)
        #expect(config.probes.map(\.target) == [.http(url: "https://api.example/health"), .tcp(host: "::1", port: 5432)])
        #expect(config.probes[0].expectStatus == 204 && config.probes[0].timeout == 2.5 && config.probes[1].interval == 10)
        #expect(config.collectionGroups == [.init(collectEvery: 10, timeThreshold: 30, metrics: [.init(name: "load_one", valueThreshold: 0.5)])])
    }

    @Test func emptyChannelListsMeanNone() throws {
        let config = try AgentConfiguration.parse("udp_recv_channel = []\ntcp_accept_channel = []\n", file: "a.toml")
        #expect(config.udpReceiveChannels.isEmpty && config.tcpAcceptChannels.isEmpty)
        #expect(config.udpSendChannels.count == 1)
    }

    static let errors: [(String, String)] = [
        ("[[udp_send_channel]]\nhost = \"h\"\nport = \"x\"", "agent.toml: key udp_send_channel[0].port: expected an integer, found a string"),
        ("[[udp_send_channel]]\nhost = \"h\"\nport = 70000", "agent.toml: key udp_send_channel[0].port: 70000 is out of range 1...65535"),
        ("[[udp_send_channel]]\nport = 8649", "agent.toml: key udp_send_channel[0].host: a send channel needs host (unicast) or mcast_join (multicast)"),
        ("[[udp_send_channel]]\nmcast_join = \"10.0.0.1\"", "agent.toml: key udp_send_channel[0].mcast_join: 10.0.0.1 is not a multicast group address"),
        (
            "[[udp_send_channel]]\nhost = \"h\"\nmcast_jion = \"239.2.11.71\"",
            "agent.toml: key udp_send_channel[0].mcast_jion: unknown key (this table takes: bind, host, mcast_if, mcast_join, port, sign, ttl)"
        ),
        ("[globals]\nhost_dmax = -1", "agent.toml: key globals.host_dmax: -1 is out of range 0...4294967295"),
        ("[globals]\ndeaf = \"maybe\"", "agent.toml: key globals.deaf: expected a boolean (true/false, or yes/no), found a string"),
        ("[globals]\ndeaf = true\nmute = true", "agent.toml: key globals.deaf: deaf and mute together leave the agent nothing to do"),
        ("[cluster]\nname = \"../x\"", "agent.toml: key cluster.name: cluster name \"../x\" contains '/'"),
        ("[[udp_recv_channel]]\nallow = [\"10.0.0.0/33\"]", "agent.toml: key udp_recv_channel[0].allow[0]: \"10.0.0.0/33\" is not an address or CIDR block"),
        ("[[udp_recv_channel]]\nbind = \"eth0\"", "agent.toml: key udp_recv_channel[0].bind: \"eth0\" is not an IP address"),
        (
            "[[collection_group]]\ncollect_every = 10",
            "agent.toml: key collection_group[0].metric: a collection group needs at least one [[collection_group.metric]]"
        ),
        (
            "[[collection_group]]\n[[collection_group.metric]]\nname = \"a/b\"",
            "agent.toml: key collection_group[0].metric[0].name: metric name \"a/b\" contains '/'"
        ),
        ("[[probe]]\nname = \"x\"", "agent.toml: key probe[0].url: a probe needs exactly one of url (HTTP/HTTPS) or tcp (host:port)"),
        ("[[probe]]\nname = \"x\"\ntcp = \"nohost\"", "agent.toml: key probe[0].tcp: expected host:port, found \"nohost\""),
        ("[[probe]]\nname = \"x\"\nurl = \"ftp://a\"", "agent.toml: key probe[0].url: must start with http:// or https://"),
        (
            "[[probe]]\nname = \"x\"\ntcp = \"a:1\"\n[[probe]]\nname = \"x\"\ntcp = \"b:2\"",
            "agent.toml: key probe[1].name: another probe is already called \"x\""
        ),
        ("globals = 3", "agent.toml: key globals: expected a table ([globals]), found an integer"),
        (
            "[[udp_recv_channel]]\nport = 8649\n[[udp_recv_channel]]\nport = 8650\n[[udp_recv_channel]]\nport = 8649",
            "agent.toml: key udp_recv_channel[2].port: udp_recv_channel[0] already listens on *:8649; two channels on one address and port split or "
                + "duplicate the datagrams (join both groups in one channel, or give each its own port or bind)"
        ),
        ("[[probe]]\nname = \"x\"\ntcp = \"a:1\"\ninterval = 0", "agent.toml: key probe[0].interval: 0 is out of range 1...4294967295"),
        (
            "[[udp_recv_channel]]\nallow = \"127.0.0.1\"",
            "agent.toml: key udp_recv_channel[0].allow: expected an array of strings, found the string \"127.0.0.1\": write [\"127.0.0.1\"]"
        ),
        (
            "[globlas]\ndeaf = true",
            "agent.toml: key globlas: unknown key (this table takes: cluster, collection_group, globals, host, module, plugin, probe, security, tcp_accept_channel, textfile, udp_recv_channel, udp_send_channel)"
        ),
        ("[security]\nkey_file = \"web-1.key\"", "agent.toml: key security.key_file: must be an absolute path, found \"web-1.key\""),
        (
            "[security]\nrequire_signed = true",
            "agent.toml: key security.require_signed: needs a keyring: without keys to accept, every datagram would be refused"
        ),
        (
            "[security]\nkeyring = \"/k\"\naccept_unsigned_from = [\"10.1.0.0/33\"]",
            "agent.toml: key security.accept_unsigned_from[0]: \"10.1.0.0/33\" is not an address or CIDR block"
        ),
        ("[security]\nreplay_window = 0", "agent.toml: key security.replay_window: 0 is out of range 1...86400"),
        ("[[tcp_accept_channel]]\ntls_cert = \"/a.pem\"", "agent.toml: key tcp_accept_channel[0].tls_key: tls_cert needs its private key, tls_key"),
        (
            "[[tcp_accept_channel]]\ntls_client_ca = \"/ca.pem\"",
            "agent.toml: key tcp_accept_channel[0].tls_client_ca: mutual TLS needs the server's own tls_cert and tls_key"
        ),
        ("[[tcp_accept_channel]]\ntls_cert = \"a.pem\"", "agent.toml: key tcp_accept_channel[0].tls_cert: must be an absolute path, found \"a.pem\""),
        ("[[tcp_accept_channel]]\nport = 8649\nhistory_port = 8649", "agent.toml: key tcp_accept_channel[0].history_port: must differ from port"),
        ("[globals]\nhistory_seconds = 90000", "agent.toml: key globals.history_seconds: at most 86400 (a day)"),
        ("[globals]\nhistory_max_values = 0", "agent.toml: key globals.history_max_values: 0 is out of range 1...1000000000"),
        (
            "[security]\nkeyfile = \"/k\"",
            "agent.toml: key security.keyfile: unknown key (this table takes: accept_unsigned_from, key_file, keyring, replay_window, require_signed)"
        ),
    ]

    @Test func historyIsKeptAndServedAsWritten() throws {
        let config = try AgentConfiguration.parse(
            "[globals]\nhistory_seconds = 600\nhistory_all_hosts = true\nhistory_max_values = 5000\n[[tcp_accept_channel]]\nport = 8649\n"
                + "[[tcp_accept_channel]]\nport = 9000\nhistory_port = 9010\n[[tcp_accept_channel]]\nport = 9001\nhistory_port = 0",
            file: "agent.toml")
        #expect(config.globals.historySeconds == 600 && config.globals.historyAllHosts && config.globals.historyMaxValues == 5000)
        // A channel written without history_port serves none, as gmond's; 0 says so explicitly.
        #expect(config.tcpAcceptChannels.map(\.historyPort) == [nil, 9010, nil])
    }

    @Test func securityIsOffByDefaultAndReadAsWritten() throws {
        #expect(AgentConfiguration().security == AgentConfiguration.Security() && !AgentConfiguration().security.isEnabled)
        let config = try AgentConfiguration.parse(
            """
            [security]
            key_file = "/etc/plexus/web-1.key"
            keyring = "/etc/plexus/keyring.toml"
            require_signed = true
            accept_unsigned_from = ["10.1.0.0/24", "192.0.2.7"]
            replay_window = 30
            """, file: "agent.toml")
        #expect(config.security.keyFile == "/etc/plexus/web-1.key" && config.security.keyring == "/etc/plexus/keyring.toml")
        #expect(config.security.requireSigned && config.security.replayWindow == 30 && config.security.isEnabled)
        #expect(config.security.acceptUnsignedFrom == [CIDRBlock("10.1.0.0/24")!, CIDRBlock("192.0.2.7")!])
        let tls = try AgentConfiguration.parse(
            "[[tcp_accept_channel]]\nport = 8649\n[[tcp_accept_channel]]\nport = 8650\ntls_cert = \"/c.pem\"\ntls_key = \"/k.pem\"\ntls_client_ca = \"/ca.pem\"",
            file: "agent.toml")
        let channels = try AgentConfiguration.parse(
            "[[udp_send_channel]]\nhost = \"a\"\n[[udp_send_channel]]\nhost = \"b\"\nsign = false", file: "agent.toml")
        #expect(channels.udpSendChannels.map(\.sign) == [true, false])
        #expect(tls.tcpAcceptChannels[0].tls == nil && tls.tcpAcceptChannels[1].tls == ServerTLS(certificate: "/c.pem", key: "/k.pem", clientCA: "/ca.pem"))
    }

    @Test(arguments: errors.indices)
    func errorsNameFileKeyAndReason(_ index: Int) {
        let (text, message) = Self.errors[index]
        #expect {
            try AgentConfiguration.parse(text, file: "agent.toml")
        } throws: { error in
            "\(error)" == message
        }
    }

    @Test func twoChannelsOnOnePortAreFineOnDifferentAddresses() throws {
        let config = try AgentConfiguration.parse(
            """
            [[udp_recv_channel]]
            port = 8649
            bind = "127.0.0.1"
            [[udp_recv_channel]]
            port = 8649
            bind = "127.0.0.2"
            [[udp_recv_channel]]
            port = 8649
            family = "inet6"
            """, file: "agent.toml")
        #expect(config.udpReceiveChannels.count == 3)
    }

    @Test func syntaxErrorsCarryLineAndColumn() {
        #expect {
            try AgentConfiguration.parse("[globals]\nhost_dmax = 4 4\n", file: "agent.toml")
        } throws: { error in
            let e = error as? ConfigError
            return e?.line == 2 && e?.key == nil && "\(error)".hasPrefix("agent.toml:2:")
        }
    }

    @Test func cidrBlocks() throws {
        let block = try #require(CIDRBlock("10.1.0.0/16"))
        #expect(block.contains(IPAddress("10.1.200.3")!))
        #expect(!block.contains(IPAddress("10.2.0.1")!))
        #expect(block.contains(IPAddress("::ffff:10.1.2.3")!), "IPv4-mapped IPv6")
        #expect(try #require(CIDRBlock("fe80::/10")).contains(IPAddress("fe80::1")!))
        #expect(!(try #require(CIDRBlock("::1")).contains(IPAddress("::2")!)))
        #expect([CIDRBlock]().allows(IPAddress("1.2.3.4")!))
        #expect(CIDRBlock("1.2.3.4/") == nil && CIDRBlock("x") == nil)
    }
}
