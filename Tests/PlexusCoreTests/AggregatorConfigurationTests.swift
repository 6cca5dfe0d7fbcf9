import Foundation
import Testing

@testable import PlexusCore

/// The aggregator's TOML: gmetad.conf's vocabulary and defaults, errors that name file, key and reason.
@Suite struct AggregatorConfigurationTests {
    @Test func defaultsMatchGmetad() {
        let config = AggregatorConfiguration()
        #expect(config.gridname == "unspecified")
        #expect(config.xmlPort == 8651 && config.interactivePort == 8652)
        #expect(config.scalable && config.writeRRDs && !config.allTrusted)
        #expect(config.archives.map(\.description) == ["RRA:AVERAGE:0.5:1:5856", "RRA:AVERAGE:0.5:4:20160", "RRA:AVERAGE:0.5:40:52704"])
        #expect(config.dataSources == [.init(name: "my cluster", step: 15, transport: .poll([.init(host: "localhost", port: 8649)]))])
        #expect(config.serverAllowList?.map(\.description) == ["127.0.0.1/32", "::1/128"])
    }

    @Test func printedDefaultAndSampleFileAreTheDefault() throws {
        #expect(try AggregatorConfiguration.parse(AggregatorConfiguration.defaultTOML, file: "default") == AggregatorConfiguration())
        let sample = try String(contentsOf: AgentConfigurationTests.repositoryRoot.appendingPathComponent("config/aggregator.toml"), encoding: .utf8)
        #expect(sample == AggregatorConfiguration.defaultTOML)
    }

    @Test func fullConfiguration() throws {
        let config = try AggregatorConfiguration.parse(
            """
            gridname = "Research"
            authority = "http://monitor.example/ganglia/"
            xml_port = 9651
            interactive_port = 9652
            http_port = 0
            trusted_hosts = ["10.0.0.0/8", "2001:db8::/32", "192.0.2.7"]
            rrd_rootdir = "/srv/rrds"
            rrdcached_address = "unix:/run/rrdcached.sock"
            rrdcached_fallback_after = 0
            scalable = "off"
            write_rrds = false
            RRAs = ["RRA:AVERAGE:0.5:1:244", "RRA:MAX:0.5:24:244"]
            case_sensitive_hostnames = false
            unsummarized_metrics = ["disk_", "temp"]
            [[data_source]]
            name = "web"
            step = 20
            hosts = ["web1", "web2:8650", "[2001:db8::5]:8649", "2001:db8::6"]
            timeout = 3.5
            tls = true
            tls_ca = "/etc/plexus/tls/ca.pem"
            [[data_source]]
            name = "db"
            host_dmax = 3600
            [data_source.listen]
            mcast_join = "239.2.11.72"
            port = 8660
            keyring = "/etc/plexus/keyring.toml"
            require_signed = true
            accept_unsigned_from = ["10.1.0.0/24"]
            """, file: "a.toml")
        #expect(config.gridname == "Research" && config.authority == "http://monitor.example/ganglia/")
        #expect(config.xmlPort == 9651 && config.interactivePort == 9652 && config.httpPort == 0)
        #expect(config.trustedHosts.map(\.description) == ["10.0.0.0/8", "2001:db8::/32", "192.0.2.7/32"])
        #expect(config.serverAllowList?.count == 5)
        #expect(config.rrdcachedAddress == "unix:/run/rrdcached.sock" && config.rrdcachedFallbackAfter == 0)
        #expect(!config.scalable && !config.writeRRDs && !config.caseSensitiveHostnames)
        #expect(config.archives == [RRASpec(steps: 1, rows: 244), RRASpec(consolidation: "MAX", steps: 24, rows: 244)])
        #expect(config.isUnsummarized("disk_free") && config.isUnsummarized("temperature") && !config.isUnsummarized("load_one"))
        #expect(config.dataSources.count == 2)
        #expect(config.dataSources[0].step == 20 && config.dataSources[0].timeout == 3.5)
        #expect(config.dataSources[0].tls == ClientTLS(ca: "/etc/plexus/tls/ca.pem") && config.dataSources[1].tls == nil && config.tls == nil)
        #expect(
            config.dataSources[0].transport
                == .poll([
                    .init(host: "web1"), .init(host: "web2", port: 8650), .init(host: "2001:db8::5"), .init(host: "2001:db8::6"),
                ]))
        #expect(config.dataSources[0].transport != config.dataSources[1].transport)
        guard case .listen(let channel) = config.dataSources[1].transport else {
            Issue.record("db should listen")
            return
        }
        #expect(channel.mcastJoin == "239.2.11.72" && channel.port == 8660)
        #expect(config.dataSources[1].hostDmax == 3600 && config.shortestStep == 15)
        let security = config.dataSources[1].security
        #expect(security.keyring == "/etc/plexus/keyring.toml" && security.requireSigned && security.keyFile == nil)
        #expect(security.acceptUnsignedFrom == [CIDRBlock("10.1.0.0/24")!] && security.replayWindow == 60)
    }

    @Test func backFillAndTheLiveTailAreReadAsWritten() throws {
        let defaults = AggregatorConfiguration()
        #expect(defaults.backfillSeconds == 3600 && defaults.liveTailSeconds == 900 && defaults.historyPort == nil)
        let config = try AggregatorConfiguration.parse(
            """
            backfill_seconds = 600
            live_tail_seconds = 1800
            live_tail_max_values = 100000
            history_port = 8661
            [[data_source]]
            name = "agents"
            hosts = ["a", "b:9000"]
            [[data_source]]
            name = "child"
            hosts = ["c:8651"]
            history_port = 0
            [[data_source]]
            name = "fixed"
            hosts = ["d"]
            history_port = 7000
            """, file: "t")
        #expect(config.backfillSeconds == 600 && config.liveTailSeconds == 1800 && config.liveTailMaxValues == 100_000 && config.historyPort == 8661)
        // Each address's port + 10 by default; 0 turns back-fill off; a number is that port everywhere.
        let sources = config.dataSources
        #expect(sources[0].historyPort(of: .init(host: "a")) == 8659 && sources[0].historyPort(of: .init(host: "b", port: 9000)) == 9010)
        #expect(sources[1].historyPort(of: .init(host: "c", port: 8651)) == nil)
        #expect(sources[2].historyPort(of: .init(host: "d")) == 7000)
    }

    @Test func theWebSideReadsItsOwnKeys() throws {
        let config = try AggregatorConfiguration.parse(
            """
            http_trusted_hosts = ["10.0.0.0/8"]
            events_token = "0123456789abcdef"
            metrics_host_values = true
            """, file: "t")
        #expect(config.eventsToken == "0123456789abcdef" && config.metricsHostValues)
        // Loopback may always read; an empty list lets everyone.
        // The same loopback rule as 8651 and 8652 (gmetad's: 127.0.0.1), not all of 127.0.0.0/8.
        #expect(config.httpAllowList.map(\.description) == ["127.0.0.1/32", "::1/128", "10.0.0.0/8"])
        #expect(config.httpAllowList.prefix(2) == config.serverAllowList?.prefix(2))
        #expect(AggregatorConfiguration().httpAllowList.isEmpty && AggregatorConfiguration().eventsToken == nil)
    }

    @Test func allTrustedAllowsEveryone() throws {
        #expect(try AggregatorConfiguration.parse("all_trusted = true", file: "t").serverAllowList == nil)
    }

    @Test(arguments: [
        ("gridname = \"a/b\"", "t.toml: key gridname: grid name \"a/b\" contains '/'"),
        ("xml_port = 70000", "t.toml: key xml_port: 70000 is out of range 0...65535"),
        ("trusted_hosts = [\"gw.example\"]", "t.toml: key trusted_hosts[0]: \"gw.example\" is not an IP address or CIDR block (names are not resolved)"),
        ("http_trusted_hosts = [\"office\"]", "t.toml: key http_trusted_hosts[0]: \"office\" is not an IP address or CIDR block (names are not resolved)"),
        ("events_token = \"short\"", "t.toml: key events_token: use at least 16 printable ASCII characters without spaces"),
        ("RRAs = [\"RRA:AVERAGE:0.5:1\"]", "t.toml: key RRAs[0]: expected RRA:CF:xff:steps:rows (e.g. RRA:AVERAGE:0.5:1:5856), found \"RRA:AVERAGE:0.5:1\""),
        ("rrd_rootdir = \"\"", "t.toml: key rrd_rootdir: must not be empty"),
        ("interactive_port = 8651", "t.toml: key interactive_port: port 8651 is already the xml_port"),
        ("data_source = []", "t.toml: key data_source: at least one [[data_source]] is needed"),
        ("gridnme = \"x\"", "t.toml: key gridnme: unknown key"),
        ("[[data_source]]\nhosts = [\"a\"]", "t.toml: key data_source[0].name: every data_source needs a name"),
        ("[[data_source]]\nname = \"..\"\nhosts = [\"a\"]", "t.toml: key data_source[0].name: cluster name \"..\" is a relative directory name"),
        (
            "[[data_source]]\nname = \"x\"",
            "t.toml: key data_source[0].hosts: a data_source needs exactly one of hosts (poll XML ports) or [data_source.listen] (hear UDP)"
        ),
        ("[[data_source]]\nname = \"x\"\nhosts = [\"a:0\"]", "t.toml: key data_source[0].hosts[0]: expected host, host:port or [v6]:port, found \"a:0\""),
        ("[[data_source]]\nname = \"x\"\nhosts = []", "t.toml: key data_source[0].hosts: needs at least one host:port"),
        ("[[data_source]]\nname = \"x\"\nstep = 0\nhosts = [\"a\"]", "t.toml: key data_source[0].step: 0 is out of range 1...4294967295"),
        ("[[data_source]]\nname = \"x\"\nstep = -5\nhosts = [\"a\"]", "t.toml: key data_source[0].step: -5 is out of range 1...4294967295"),
        (
            "rrdcached_address = \"foo:bar:baz\"",
            "t.toml: key rrdcached_address: expected unix:/path, /path, host, host:port or [v6]:port, found \"foo:bar:baz\""
        ),
        ("rrdcached_address = \"unix:relative.sock\"", "t.toml: key rrdcached_address: expected unix:/path"),
        (
            "http_trusted_hosts = \"10.0.0.0/8\"",
            "t.toml: key http_trusted_hosts: expected an array of strings, found the string \"10.0.0.0/8\": write [\"10.0.0.0/8\"]"
        ),
        ("trusted_hosts = \"10.0.0.1 10.0.0.2\"", "t.toml: key trusted_hosts: expected an array of strings"),
        ("backfill_seconds = 90000", "t.toml: key backfill_seconds: at most 86400 (a day)"),
        ("live_tail_seconds = 90000", "t.toml: key live_tail_seconds: at most 86400 (a day)"),
        ("live_tail_max_values = 0", "t.toml: key live_tail_max_values: 0 is out of range 1...1000000000"),
        (
            "[[data_source]]\nname = \"x\"\nhistory_port = 8659\n[data_source.listen]\nport = 8649",
            "t.toml: key data_source[0].history_port: a listened source hears UDP; there is no one to ask for history"
        ),
        (
            "[[data_source]]\nname = \"x\"\nhosts = [\"a\"]\n[[data_source]]\nname = \"x\"\nhosts = [\"b\"]",
            "t.toml: key data_source[1].name: another data_source is already called \"x\""
        ),
        (
            "[[data_source]]\nname = \"x\"\n[data_source.listen]\nmcast_join = \"10.0.0.1\"",
            "t.toml: key data_source[0].listen.mcast_join: 10.0.0.1 is not a multicast group address"
        ),
        (
            "[[data_source]]\nname = \"x\"\n[data_source.listen]\nkey_file = \"/k\"",
            "t.toml: key data_source[0].listen.key_file: a listened data source sends nothing to sign; keyring is the key it needs"
        ),
        (
            "[[data_source]]\nname = \"x\"\nhosts = [\"a\"]\ntls_ca = \"/ca.pem\"",
            "t.toml: key data_source[0].tls_ca: only used with tls = true (the poll is plain TCP without it)"
        ),
        (
            "[[data_source]]\nname = \"x\"\nhosts = [\"a\"]\ntls = true\ntls_cert = \"/c.pem\"",
            "t.toml: key data_source[0].tls_key: a client certificate needs both tls_cert and tls_key"
        ),
        (
            "[[data_source]]\nname = \"x\"\ntls = true\n[data_source.listen]\nport = 9",
            "t.toml: key data_source[0].tls: a listened source hears UDP; TLS is for polls"
        ),
        (
            "[[data_source]]\nname = \"x\"\n[data_source.listen]\nrequire_signed = true",
            "t.toml: key data_source[0].listen.require_signed: needs a keyring: without keys to accept, every datagram would be refused"
        ),
    ])
    func badInputNamesFileKeyAndReason(text: String, message: String) {
        #expect(throws: ConfigError.self) { try AggregatorConfiguration.parse(text, file: "t.toml") }
        do {
            _ = try AggregatorConfiguration.parse(text, file: "t.toml")
        } catch {
            #expect(error.description.hasPrefix(message), "\(error.description)")
        }
    }

    @Test func endpoints() {
        #expect(AggregatorConfiguration.Endpoint("h") == .init(host: "h", port: 8649))
        #expect(AggregatorConfiguration.Endpoint("10.1.1.1:9") == .init(host: "10.1.1.1", port: 9))
        #expect(AggregatorConfiguration.Endpoint("[::1]:9") == .init(host: "::1", port: 9))
        #expect(AggregatorConfiguration.Endpoint("::1") == .init(host: "::1", port: 8649))
        #expect(AggregatorConfiguration.Endpoint("[::1]:9").map(\.description) == "[::1]:9")
        for bad in ["", ":9", "h:", "h:x", "[::1", "[nothost]:9", "a b", "h:99999", "1:2:3"] {
            #expect(AggregatorConfiguration.Endpoint(bad) == nil, "\(bad)")
        }
    }
}
