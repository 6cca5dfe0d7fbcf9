import Testing

@testable import PlexusCore

/// gmetad's carbon keys, `export_metrics` and `[[remote_write]]` (docs/exports.md).
@Suite struct ExportConfigurationTests {
    @Test func nothingIsExportedByDefault() throws {
        let c = try AggregatorConfiguration.parse("", file: "t")
        #expect(!c.exports.isEnabled && c.exports.exports("anything"))
    }

    @Test func gmetadsCarbonKeysAndRemoteWriteAreReadAsWritten() throws {
        let c = try AggregatorConfiguration.parse(
            """
            carbon_server = "graphite.example"
            carbon_port = 2013
            carbon_protocol = "UDP"
            carbon_timeout = 250
            graphite_prefix = "ganglia"
            graphite_path = "dc1.%s.%h.%m"
            carbon_queue_capacity = 1000
            export_metrics = ["load_*", "cpu_num"]
            write_rrds = false
            [[remote_write]]
            url = "https://mimir.example/api/v1/push"
            bearer_token_file = "/etc/plexus/token"
            ca_file = "/etc/plexus/ca.pem"
            remote_timeout = 10
            queue_capacity = 5000
            max_samples_per_send = 500
            batch_send_deadline = 0.5
            min_backoff = 0.1
            max_backoff = 30
            [[remote_write]]
            url = "http://127.0.0.1:9090/api/v1/write"
            name = "local"
            basic_auth_username = "plexus"
            basic_auth_password = "secret"
            """, file: "t")
        let g = try #require(c.exports.graphite)
        #expect(g.server == "graphite.example" && g.port == 2013 && g.transport == .udp && g.timeoutMilliseconds == 250)
        #expect(g.prefix == "ganglia" && g.path == "dc1.%s.%h.%m" && g.queueCapacity == 1000)
        #expect(!c.writeRRDs && c.exports.exports("load_one") && c.exports.exports("cpu_num") && !c.exports.exports("cpu_user"))
        #expect(c.exports.remoteWrite.count == 2)
        let mimir = c.exports.remoteWrite[0]
        #expect(mimir.name == "mimir.example" && mimir.bearerTokenFile == "/etc/plexus/token" && mimir.caFile == "/etc/plexus/ca.pem")
        #expect(mimir.remoteTimeout == 10 && mimir.queueCapacity == 5000 && mimir.maxSamplesPerSend == 500)
        #expect(mimir.batchSendDeadline == 0.5 && mimir.minBackoff == 0.1 && mimir.maxBackoff == 30)
        let local = c.exports.remoteWrite[1]
        #expect(local.name == "local" && local.basicAuthUsername == "plexus" && local.basicAuthPassword == "secret")
        #expect(local.maxSamplesPerSend == 2000 && local.batchSendDeadline == 5 && local.queueCapacity == 250_000)
    }

    @Test(arguments: [
        ("carbon_port = 2004", "t.toml: key carbon_port: has no effect without carbon_server"),
        ("carbon_server = \"\"", "t.toml: key carbon_server: expected a host name or address"),
        ("carbon_server = \"g\"\ncarbon_protocol = \"http\"", "t.toml: key carbon_protocol: expected tcp or udp, found \"http\""),
        ("carbon_server = \"g\"\ncarbon_port = 0", "t.toml: key carbon_port: 0 is out of range 1...65535"),
        ("carbon_server = \"g\"\ngraphite_path = \"all.the.same\"", "t.toml: key graphite_path: uses none of %s (cluster), %h (host), %m (metric)"),
        ("carbon_server = \"g\"\ngraphite_prefix = \"a b\"", "t.toml: key graphite_prefix: must not be empty or hold spaces"),
        ("export_metrics = \"load_*\"", "t.toml: key export_metrics: expected an array of strings"),
        ("[[remote_write]]\nname = \"x\"", "t.toml: key remote_write[0].url: every remote_write needs the receiver's url"),
        ("[[remote_write]]\nurl = \"prometheus:9090\"", "t.toml: key remote_write[0].url: expected an http:// or https:// URL with a host"),
        ("[[remote_write]]\nurl = \"http://p/w\"\nca_file = \"/ca.pem\"", "t.toml: key remote_write[0].ca_file: is for an https:// url"),
        ("[[remote_write]]\nurl = \"http://p/w\"\nbearer_token_file = \"token\"", "t.toml: key remote_write[0].bearer_token_file: must be an absolute path"),
        (
            "[[remote_write]]\nurl = \"http://p/w\"\nbearer_token = \"a\"\nbearer_token_file = \"/t\"",
            "t.toml: key remote_write[0].bearer_token_file: give bearer_token or bearer_token_file, not both"
        ),
        (
            "[[remote_write]]\nurl = \"http://p/w\"\nbasic_auth_password = \"pw\"",
            "t.toml: key remote_write[0].basic_auth_username: a basic_auth password needs its username"
        ),
        (
            "[[remote_write]]\nurl = \"http://p/w\"\nbasic_auth_username = \"u\"\nbearer_token = \"t\"",
            "t.toml: key remote_write[0].basic_auth_username: give a bearer token or basic auth, not both"
        ),
        (
            "[[remote_write]]\nurl = \"http://p/w\"\nqueue_capacity = 10\nmax_samples_per_send = 20",
            "t.toml: key remote_write[0].max_samples_per_send: is more than queue_capacity (10)"
        ),
        ("[[remote_write]]\nurl = \"http://p/w\"\nmin_backoff = 2\nmax_backoff = 1", "t.toml: key remote_write[0].max_backoff: is less than min_backoff (2.0)"),
        ("[[remote_write]]\nurl = \"http://p/w\"\nqueue = 5", "t.toml: key remote_write[0].queue: unknown key"),
        (
            "[[remote_write]]\nurl = \"http://p:1/w\"\n[[remote_write]]\nurl = \"http://p:1/v\"",
            "t.toml: key remote_write[1].name: \"p:1\" names another remote_write too"
        ),
    ])
    func badInputNamesFileKeyAndReason(text: String, message: String) {
        do {
            _ = try AggregatorConfiguration.parse(text, file: "t.toml")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description.hasPrefix(message), "\(error.description)")
        }
    }
}
