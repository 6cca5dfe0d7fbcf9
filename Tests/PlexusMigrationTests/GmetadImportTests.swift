import Foundation
import PlexusCore
import Testing

@testable import PlexusMigration

@Suite struct GmetadImportTests {
    static let names = ["localhost": ["127.0.0.1", "::1"], "web.example": ["10.0.0.7"]]

    static func imported(_ text: String, files: [String: String] = [:]) throws -> (toml: String, config: AggregatorConfiguration) {
        let directives = try DotconfReader.read(text, file: "gmetad.conf", include: ConfuseReaderTests.files(files))
        let toml = try GmetadImport.toml(directives, source: "gmetad.conf") { Self.names[$0] ?? [] }
        return (toml, try AggregatorConfiguration.parse(toml, file: "imported.toml"))
    }

    static func endpoints(_ source: AggregatorConfiguration.DataSource) -> [String] {
        guard case .poll(let endpoints) = source.transport else { return [] }
        return endpoints.map(\.description)
    }

    @Test func debiansShippedFileKeepsItsSourceTreeAndTrustedHosts() throws {
        let text = try String(contentsOf: GmondImportTests.fixtures.appendingPathComponent("debian/gmetad.conf"), encoding: .utf8)
        let (toml, config) = try Self.imported(text)
        #expect(config.dataSources.map(\.name) == ["this host"] && config.dataSources.map(Self.endpoints) == [["localhost:8649"]])
        #expect(config.dataSources[0].step == 15 && config.rrdRootdir == "/var/lib/ganglia/rrds")
        #expect(config.trustedHosts == [CIDRBlock("127.0.0.1")!])
        #expect(config.gridname == "unspecified" && config.xmlPort == 8651 && config.interactivePort == 8652 && config.httpPort == 8080)
        #expect(toml.contains("# gmetad: setuid_username ganglia (gmetad.conf:"))
    }

    @Test func sourcesFailoverStepsIncludesAndRepeatedDirectives() throws {
        let (toml, config) = try Self.imported(
            """
            data_source "my box" localhost  my.machine.edu:8655  1.2.3.5:8655
            data_source "another source" 60 1.3.4.7:8655 1.3.4.8
            gridname "First"
            gridname "Second"
            trusted_hosts 10.0.0.1 web.example
            Include "/etc/ganglia/gmetad.d/*.conf"
            all_trusted on
            scalable off
            write_rrds off
            rrdcached_address unix:/var/run/rrdcached.sock
            memcached_parameters "--SERVER=127.0.0.1"
            """,
            files: ["/etc/ganglia/gmetad.d/more.conf": "trusted_hosts 10.0.0.2 nowhere.invalid\nRRAs \"RRA:MAX:0.5:1:100\""])
        #expect(config.dataSources.map(Self.endpoints) == [["localhost:8649", "my.machine.edu:8655", "1.2.3.5:8655"], ["1.3.4.7:8655", "1.3.4.8:8649"]])
        #expect(config.dataSources.map(\.step) == [15, 60])
        #expect(config.gridname == "Second", "dotconf keeps the last")
        #expect(config.trustedHosts.map(\.description) == ["10.0.0.1/32", "10.0.0.7/32", "10.0.0.2/32"])
        #expect(toml.contains("trusted_hosts: web.example is 10.0.0.7"))
        #expect(toml.contains("# gmetad: trusted_hosts nowhere.invalid (/etc/ganglia/gmetad.d/more.conf:1): the name doesn't resolve here"))
        #expect(config.allTrusted && !config.scalable && !config.writeRRDs && config.rrdcachedAddress == "unix:/var/run/rrdcached.sock")
        #expect(config.archives.map(\.description) == ["RRA:MAX:0.5:1:100"])
        #expect(toml.contains("# gmetad: memcached_parameters --SERVER=127.0.0.1 (gmetad.conf:11): no memcached export"))
    }

    /// gmetad's Graphite export becomes the aggregator's, key for key (docs/exports.md).
    @Test func carbonExportKeysCarryOver() throws {
        let (toml, config) = try Self.imported(
            """
            data_source "web" localhost
            carbon_server "graphite.example"
            carbon_port 2013
            carbon_protocol UDP
            carbon_timeout 250
            graphite_prefix "datacenter1.gmetad"
            graphite_path "%s.%h.%m"
            """)
        let graphite = try #require(config.exports.graphite, "\(toml)")
        #expect(graphite.server == "graphite.example" && graphite.port == 2013 && graphite.transport == .udp && graphite.timeoutMilliseconds == 250)
        #expect(graphite.prefix == "datacenter1.gmetad" && graphite.path == "%s.%h.%m")
        #expect(throws: MigrationError.self) { try Self.imported("carbon_server \"g\"\ncarbon_protocol http") }
    }

    @Test func whatGmetadRefusesIsAnErrorWithFileAndLine() throws {
        for (text, message) in [
            ("data_source \"a\" 127.0.0.1\ndata_source \"a\" 127.0.0.2", "gmetad.conf:2: data_source: \"a\" is named twice"),
            ("data_source \"a\" 15", "gmetad.conf:1: data_source: \"a\" has no address"),
            ("data_source \"a\" 0 h", "gmetad.conf:1: data_source: a step must be at least 1 second"),
            ("data_source \"a\" ::1:8649", "gmetad.conf:1: data_source: \"::1:8649\": gmetad reads host[:port]"),
            ("xml_port 70000", "gmetad.conf:1: xml_port: expected a port number"),
            ("scalable maybe", "gmetad.conf:1: scalable: expected on or off"),
        ] {
            expectError(message) { _ = try Self.imported(text) }
        }
    }
}
