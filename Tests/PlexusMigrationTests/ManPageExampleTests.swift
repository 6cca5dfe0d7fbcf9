import Foundation
import PlexusCollectors
import PlexusCore
import Testing

@testable import PlexusMigration

/// Every example of gmond.conf(5) (ganglia-monitor 3.7.2), each as the file it would be part of,
/// and every directive Debian's gmetad.conf shows commented out: each converts, and the agent or
/// aggregator reads the result as --check does.
@Suite struct ManPageExampleTests {
    static let gmondExamples: [(String, String)] = [
        (
            "cluster",
            #"cluster { name = "Millennium Cluster" owner = "UC Berkeley CS Dept." latlong = "N37.37 W122.23" url = "http://www.millennium.berkeley.edu/" }"#
        ),
        ("host", #"host { location = "1,2,3" }"#),
        ("2.5.x send channel", "udp_send_channel {\n  mcast_join = 239.2.11.71\n  port       = 8649\n}"),
        ("two unicast hosts", "udp_send_channel {\n  host = host.foo.com\n  port = 2389\n}\nudp_send_channel {\n  host = 192.168.3.4\n  port = 2344\n}"),
        ("2.5.x receive channel", "udp_recv_channel {\n  mcast_join = 239.2.11.71\n  bind       = 239.2.11.71\n  port       = 8649\n}"),
        ("both families", "udp_recv_channel {\n  port = 8666\n  family = inet4\n}\nudp_recv_channel {\n  port = 8666\n  family = inet6\n}"),
        ("sFlow port", "udp_recv_channel {\n  port = 6343\n}"),
        ("retry_bind", "udp_recv_channel {\n  port = 6343\n  retry_bind = true\n}"),
        ("buffer", "udp_recv_channel {\n  port = 6343\n  buffer = 10485760\n}"),
        ("2.5.x accept channel", "tcp_accept_channel {\n  port = 8649\n}"),
        ("accept on both families", "tcp_accept_channel {\n  port = 8666\n  family = inet4\n}\ntcp_accept_channel {\n  port = 8666\n  family = inet6\n}"),
        ("collect once", #"collection_group { collect_once = yes time_threshold = 1800 metric { name = "cpu_num" title = "Number of CPUs" } }"#),
        (
            "volatile group",
            #"collection_group { collect_every = 60 time_threshold = 300 metric { name = "cpu_user" value_threshold = 5.0 title = "CPU User" } metric { name = "cpu_idle" value_threshold = 10.0 title = "CPU Idle" } }"#
        ),
        ("name_match", #"collection_group { metric { name_match = "multicpu_([a-z]+)([0-9]+)" value_threshold = 1.0 title = "CPU-\\2 \\1" } }"#),
        (
            "modules",
            """
            modules {
              module {
                name = "example_module"
                language = "C/C++"
                enabled = yes
                path = "modexample.so"
                params = "An extra raw parameter"
                param RandomMax {
                  value = 75
                }
                param ConstantValue {
                  value = 25
                }
              }
            }
            """
        ),
        ("sFlow on another port", "udp_recv_channel {\n  port = 7343\n}\nsflow {\n  udp_port = 7343\n}"),
        ("sFlow VMs", "sflow {\n  accept_vm_metrics = yes\n}"),
        ("sFlow HTTP", "sflow {\n  accept_http_metrics = yes\n  multiple_http_instances = yes\n}"),
        ("include", "include ('/etc/ganglia/conf.d/*.conf')"),
        (
            "acl: one host",
            #"udp_recv_channel { port = 8649 acl { default = "deny" access { ip = 192.168.0.4 mask = 32 action = "allow" } } }"#
        ),
        (
            "acl: two subnets denied",
            #"tcp_accept_channel { port = 8649 acl { default = "allow" access { ip = 192.168.0.0 mask = 24 action = "deny" } access { ip = ::ff:1.2.3.0 mask = 120 action = "deny" } } }"#
        ),
        (
            "EXAMPLE",
            "udp_recv_channel {\n  mcast_join = 239.2.11.71\n  bind = 239.2.11.71\n  port = 8649\n}\nudp_send_channel {\n  mcast_join = 239.2.11.71\n  port = 8649\n}\ntcp_accept_channel {\n  port = 8649\n}"
        ),
    ]

    @Test(arguments: gmondExamples.map(\.0))
    func everyGmondConfExampleConverts(_ name: String) throws {
        let text = try #require(Self.gmondExamples.first { $0.0 == name }?.1)
        let (toml, config) = try GmondImportTests.imported(text, files: ["/etc/ganglia/conf.d/a.conf": "host { location = \"9,9,9\" }"])
        switch name {
        case "two unicast hosts": #expect(config.udpSendChannels.map(\.host) == ["host.foo.com", "192.168.3.4"])
        case "both families": #expect(config.udpReceiveChannels.map(\.family) == [.inet4, .inet6])
        case "name_match": #expect(config.collectionGroups.first?.patterns.first?.title == "CPU-\\2 \\1")
        case "modules": #expect(toml.contains("example_module: C modules can't be loaded here") && config.modules.isEmpty)
        case "include": #expect(config.location == "9,9,9")
        case "acl: one host": #expect(config.udpReceiveChannels[0].allow == [CIDRBlock("192.168.0.4")!])
        case "acl: two subnets denied":
            let allow = config.tcpAcceptChannels[0].allow
            #expect(!allow.allows(IPAddress("192.168.0.77")!) && !allow.allows(IPAddress("::ff:1.2.3.9")!) && allow.allows(IPAddress("192.168.1.1")!))
        case "sFlow VMs", "sFlow HTTP": #expect(toml.contains("# gmond: sflow { … }"))
        default: #expect(!toml.isEmpty)
        }
    }

    /// Debian's gmetad.conf with each commented-out directive (`# data_source "my box" …`) put back.
    @Test func everyDirectiveDebiansGmetadConfShowsConverts() throws {
        let shipped = try String(contentsOf: GmondImportTests.fixtures.appendingPathComponent("debian/gmetad.conf"), encoding: .utf8)
        let directives = ["data_source", "trusted_hosts", "setuid", "setuid_username", "xml_port", "server_threads", "rrd_rootdir", "debug_level"]
        var uncommented: [String] = []
        var names: Set<String> = []
        for line in shipped.split(separator: "\n", omittingEmptySubsequences: false) {
            let text = line.drop { $0 == "#" || $0 == " " }
            guard line.hasPrefix("#"), let word = text.split(separator: " ").first, directives.contains(String(word)) else {
                uncommented.append(String(line))
                continue
            }
            // Two data sources can't share a name; the commented ones are examples of their own.
            if word == "data_source", let name = text.split(separator: "\"").dropFirst().first, !names.insert(String(name)).inserted { continue }
            uncommented.append(String(text))
        }
        let (toml, config) = try GmetadImportTests.imported(uncommented.joined(separator: "\n"))
        #expect(config.dataSources.map(\.name) == ["this host", "my box", "another source"])
        #expect(config.rrdRootdir == "/some/other/place" && config.xmlPort == 8651)
        for note in ["setuid off", "server_threads 4", "debug_level 10"] { #expect(toml.contains("# gmetad: \(note) ("), "\(note)") }
    }
}
