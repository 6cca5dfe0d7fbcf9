import Foundation
import Testing

/// Three agents on a bridge, each in a network namespace this test makes (addresses
/// 10.250.x.0/24 exist only inside them), talking over multicast 239.2.11.71 with default-style
/// channels. Skipped where namespaces can't be made (not root, no iproute2).
@Suite(.serialized, .enabled(if: Namespaces.available, "network namespaces can't be made here (needs root and iproute2)"))
struct MulticastNamespaceTests {
    struct StatusHost: Decodable {
        var host: String
        var up: Bool
    }

    struct StatusCluster: Decodable {
        var cluster: String
        var hosts: [StatusHost]
    }

    /// Hosts as agent `i` sees them, read with `plexus status` inside its namespace.
    static func hosts(seenBy i: Int, net: Namespaces, xmlPort: Int) async -> [String: Bool] {
        guard let result = try? await net.run(i, [try Executable("plexus").url.path, "status", "--json", "127.0.0.1:\(xmlPort)"]),
            result.status == 0,
            let clusters = try? JSONDecoder().decode([StatusCluster].self, from: Data(result.stdout.utf8))
        else { return [:] }
        return Dictionary(clusters.flatMap(\.hosts).map { ($0.host, $0.up) }, uniquingKeysWith: { a, _ in a })
    }

    @Test func threeAgentsSeeEachOtherAndNoticeOneLeaving() async throws {
        let net = try Namespaces(count: 3)
        defer { net.teardown() }
        let folder = try TemporaryFolder("plexus-mcast")
        let udp = 18649, xml = 18650
        let config = try folder.write(
            "agent.toml",
            """
            [globals]
            host_tmax = 2
            host_dmax = 30
            cleanup_threshold = 2
            [cluster]
            name = "Bridge"
            [[udp_send_channel]]
            mcast_join = "239.2.11.71"
            port = \(udp)
            ttl = 1
            [[udp_recv_channel]]
            mcast_join = "239.2.11.71"
            bind = "239.2.11.71"
            port = \(udp)
            [[tcp_accept_channel]]
            port = \(xml)
            [[collection_group]]
            collect_once = true
            time_threshold = 1
            [[collection_group.metric]]
            name = "heartbeat"
            [[collection_group]]
            collect_every = 2
            time_threshold = 4
            [[collection_group.metric]]
            name = "load_one"
            """)
        let agentPath = try Executable("plexus-agent").url.path
        var agents: [LocalProcess] = []
        defer { for agent in agents { agent.stop(grace: 2) } }
        for i in 1...3 {
            // Each agent gets its own UTS namespace so it has its own host name.
            agents.append(
                try net.start(
                    i, ["unshare", "--uts", "sh", "-c", "hostname node\(i) && exec \(agentPath) -c \(config.path)"],
                    log: folder.url.appendingPathComponent("agent-\(i).log")))
        }
        let all: [String: Bool] = ["node1": true, "node2": true, "node3": true]
        for i in 1...3 {
            let seen = await Loopback.eventually(seconds: 20) { await Self.hosts(seenBy: i, net: net, xmlPort: xml) == all }
            let sees = seen ? [:] : await Self.hosts(seenBy: i, net: net, xmlPort: xml)
            #expect(seen, "agent \(i) sees \(sees):\n\(agents[i - 1].output)")
        }

        // Down once TN passes 4 · TMAX (8 s), gone once it passes host_dmax (30 s): with
        // host_dmax 12 the window to see it down was 4-6 s, which a loaded CI machine, where each
        // `plexus status` in a namespace takes seconds, missed (the node was already gone).
        agents[2].stop()
        for i in 1...2 {
            let down = await Loopback.eventually(seconds: 20) { await Self.hosts(seenBy: i, net: net, xmlPort: xml)["node3"] == false }
            let sees = down ? [:] : await Self.hosts(seenBy: i, net: net, xmlPort: xml)
            #expect(
                down,
                "agent \(i) still shows node3 up (TN > 4·TMAX = 8 s): \(sees); node3 running: \(agents[2].isRunning)\n\(agents[i - 1].output)"
            )
        }
        for i in 1...2 {
            let gone = await Loopback.eventually(seconds: 45) { await Self.hosts(seenBy: i, net: net, xmlPort: xml) == ["node1": true, "node2": true] }
            let sees = gone ? [:] : await Self.hosts(seenBy: i, net: net, xmlPort: xml)
            #expect(gone, "agent \(i) didn't forget node3 after host_dmax: \(sees)")
        }
    }
}

extension MulticastNamespaceTests {
    /// An aggregator whose data source listens to the cluster's multicast group (no agent
    /// polled): two agents in their own namespaces, the aggregator in a third.
    @Test func anAggregatorHearsTheClustersMulticast() async throws {
        let net = try Namespaces(count: 3)
        defer { net.teardown() }
        let folder = try TemporaryFolder("plexus-mcast-aggregator")
        let udp = 18649, query = 18652
        let agentConfig = try folder.write(
            "agent.toml",
            """
            [cluster]
            name = "Bridge"
            [[udp_send_channel]]
            mcast_join = "239.2.11.71"
            port = \(udp)
            [[udp_recv_channel]]
            mcast_join = "239.2.11.71"
            bind = "239.2.11.71"
            port = \(udp)
            [[tcp_accept_channel]]
            port = 18650
            [[collection_group]]
            collect_once = true
            time_threshold = 2
            [[collection_group.metric]]
            name = "heartbeat"
            [[collection_group]]
            collect_every = 1
            time_threshold = 2
            [[collection_group.metric]]
            name = "load_one"
            """)
        let root = folder.url.appendingPathComponent("rrds")
        let aggregatorConfig = try folder.write(
            "aggregator.toml",
            """
            gridname = "Bridged"
            bind = "127.0.0.1"
            xml_port = 18651
            interactive_port = \(query)
            rrd_rootdir = "\(root.path)"
            [[data_source]]
            name = "Bridge"
            step = 1
            [data_source.listen]
            mcast_join = "239.2.11.71"
            bind = "239.2.11.71"
            port = \(udp)
            """)
        let agentPath = try Executable("plexus-agent").url.path
        var processes: [LocalProcess] = []
        defer { for process in processes { process.stop(grace: 2) } }
        for i in 1...2 {
            processes.append(
                try net.start(
                    i, ["unshare", "--uts", "sh", "-c", "hostname node\(i) && exec \(agentPath) -c \(agentConfig.path)"],
                    log: folder.url.appendingPathComponent("agent-\(i).log")))
        }
        processes.append(
            try net.start(
                3, [try Executable("plexus-aggregator").url.path, "-c", aggregatorConfig.path],
                log: folder.url.appendingPathComponent("aggregator.log")))
        let heard = await Loopback.eventually(seconds: 30) {
            await ["node1", "node2"].asyncMap { await RRDTool.lastUpdate(root.appendingPathComponent("Bridge/\($0)/load_one.rrd")) ?? 0 }.allSatisfy { $0 > 0 }
        }
        #expect(heard, "\(processes[2].output)")
        let reply = try await net.run(
            3,
            [
                "python3", "-c",
                """
                import socket
                s = socket.create_connection(("127.0.0.1", \(query))); s.sendall(b"/?filter=summary\\n")
                print(b"".join(iter(lambda: s.recv(65536), b"")).decode())
                """,
            ])
        #expect(reply.stdout.contains("<HOSTS UP=\"2\" DOWN=\"0\""), "\(reply.stdout)\(reply.stderr)")
    }
}

/// Network namespaces on a private bridge (recipe of the engineering notes). Names carry this
/// process's PID so parallel runs don't collide; everything is deleted by `teardown`.
final class Namespaces: @unchecked Sendable {
    let prefix: String
    let count: Int

    static let available: Bool = {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") || FileManager.default.isExecutableFile(atPath: "/sbin/ip")
        else { return false }
        let probe = "plxprobe\(getpid())"
        let made = (try? Namespaces.ip(["netns", "add", probe])) == 0
        if made { _ = try? Namespaces.ip(["netns", "del", probe]) }
        return made
    }()

    init(count: Int) throws {
        prefix = "plx\(getpid() % 100_000)"
        self.count = count
        let sw = "\(prefix)-sw"
        try Self.must(["netns", "add", sw])
        try Self.must(["-n", sw, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0"])
        try Self.must(["-n", sw, "link", "set", "br0", "up"])
        for i in 1...count {
            let ns = "\(prefix)-\(i)"
            try Self.must(["netns", "add", ns])
            try Self.must(["-n", ns, "link", "set", "lo", "up"])
            try Self.must(["-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", "p\(i)", "netns", sw])
            try Self.must(["-n", sw, "link", "set", "p\(i)", "master", "br0", "up"])
            try Self.must(["-n", ns, "addr", "add", "10.250.0.\(i)/24", "dev", "eth0"])
            try Self.must(["-n", ns, "link", "set", "eth0", "up"])
            try Self.must(["-n", ns, "route", "add", "224.0.0.0/4", "dev", "eth0"])
        }
    }

    func teardown() {
        for i in 1...count { _ = try? Self.ip(["netns", "del", "\(prefix)-\(i)"]) }
        _ = try? Self.ip(["netns", "del", "\(prefix)-sw"])
    }

    /// Starts a daemon inside namespace `i` (`ip netns exec` execs it: same PID).
    func start(_ i: Int, _ command: [String], log: URL) throws -> LocalProcess {
        try LocalProcess(Self.ipPath, ["netns", "exec", "\(prefix)-\(i)"] + command, log: log)
    }

    /// Runs a command inside namespace `i` and waits for it.
    func run(_ i: Int, _ command: [String]) async throws -> Executable.Result {
        try await Executable(url: URL(fileURLWithPath: Self.ipPath)).run(["netns", "exec", "\(prefix)-\(i)"] + command)
    }

    static var ipPath: String { FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") ? "/usr/sbin/ip" : "/sbin/ip" }

    @discardableResult
    static func ip(_ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ipPath)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    static func must(_ arguments: [String]) throws {
        let status = try ip(arguments)
        guard status == 0 else {
            throw CocoaError(.featureUnsupported, userInfo: [NSLocalizedDescriptionKey: "ip \(arguments.joined(separator: " ")) failed (\(status))"])
        }
    }
}
