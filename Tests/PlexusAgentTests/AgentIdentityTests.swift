import Foundation
import PlexusCollectors
import PlexusCore
import Testing

@testable import PlexusAgent

/// How the agent names itself on the wire and recognizes requests for its metadata.
@Suite struct AgentIdentityTests {
    static let definitions = CollectorSet.standard(startTime: 1, location: "x").definitions

    @Test func plainIdentityAnswersToEveryNameReceiversUse() {
        let identity = AgentIdentity(config: AgentConfiguration(), systemHostname: "vm", sourceAddress: "10.0.0.5", reverseName: "web1.example")
        #expect(!identity.spoof && identity.wireHost == "vm" && identity.stateKey == "10.0.0.5")
        for host in ["vm", "10.0.0.5", "web1.example"] {
            #expect(identity.owns(MetricIdentity(host: host, name: "load_one")), "\(host)")
        }
        #expect(!identity.owns(MetricIdentity(host: "other", name: "load_one")))
        let message = identity.message(for: .value(name: "load_one", .float(0.5)), definitions: Self.definitions)
        #expect(message == .value(MetricIdentity(host: "vm", name: "load_one"), format: "%.2f", value: .float(0.5)))
    }

    @Test func overrideHostnameSpoofsEveryMessage() throws {
        var config = AgentConfiguration()
        config.globals.overrideHostname = "db1.example"
        config.globals.overrideIP = "10.9.9.9"
        let identity = AgentIdentity(config: config, systemHostname: "vm", sourceAddress: "127.0.0.1")
        #expect(identity.spoof && identity.wireHost == "10.9.9.9:db1.example" && identity.stateKey == "10.9.9.9")
        guard case .metadata(let id, let metadata)? = identity.message(for: .metadata(name: "cpu_num", title: "CPU Count"), definitions: Self.definitions)
        else {
            Issue.record("no metadata")
            return
        }
        #expect(id == MetricIdentity(host: "10.9.9.9:db1.example", name: "cpu_num", spoof: true))
        #expect(metadata.extraData.map(\.name) == ["TITLE", "DESC", "GROUP", "SPOOF_HOST"])
        #expect(metadata.title == "CPU Count" && metadata.spoofHost == "10.9.9.9:db1.example")
        #expect(metadata.type == .uint16 && metadata.units == "CPUs" && metadata.slope == .zero && metadata.tmax == 1200)
        #expect(identity.owns(MetricIdentity(host: "10.9.9.9:db1.example", name: "cpu_num", spoof: true)))
        #expect(identity.message(for: .value(name: "no_such_metric", .uint(1)), definitions: Self.definitions) == nil)
    }

    /// What we send for the captured metrics is byte for byte what gmond 3.7.2 sent.
    @Test func metadataMatchesGmondsCapture() throws {
        let identity = AgentIdentity(config: AgentConfiguration(), systemHostname: "vm", sourceAddress: "127.0.0.1")
        let cases: [(String, String?)] = [
            ("cpu_num", "CPU Count"), ("load_one", "One Minute Load Average"), ("mem_total", "Memory Total"),
            ("os_name", "Operating System"), ("disk_free", "Disk Space Available"), ("cpu_user", "CPU User"),
            ("heartbeat", nil), ("location", "Location"),
        ]
        for (name, title) in cases {
            let ours = identity.message(for: .metadata(name: name, title: title), definitions: Self.definitions)?.xdr
            let theirs = try GmondCapture.bytes("metadata-\(name).bin")
            #expect(ours == theirs, "\(name)")
        }
    }
}

/// Reads the gmond captures kept with the core tests.
enum GmondCapture {
    static func bytes(_ file: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("PlexusCoreTests/Fixtures/ganglia-3.7.2/xdr/\(file)")
        return Array(try Data(contentsOf: url))
    }
}
