import ArgumentParser
import Foundation
import NIOPosix
import PlexusCore
import PlexusSecurity
import PlexusTransport

/// `plexus send`: gmetric's role, with gmetric's options.
struct Send: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send a custom or business metric, as gmetric does (same options, same packets).",
        discussion: """
            The metric goes to the send channels of an agent configuration (-c FILE; without it
            /etc/plexus/agent.toml if present, else the defaults: multicast 239.2.11.71:8649), or
            to each --to HOST:PORT given.

            Examples:
              plexus send -n daily_signups -v 1234 -t uint32 -u users -g business -T "Daily sign-ups"
              plexus send -n queue_depth -v 17 -t int32 -u jobs --to collector.example:8649
              plexus send -n sw_temp -v 31 -t int16 -u C -S 10.0.0.9:switch9.example -g env

            Signed (docs/security.md): with --key-file FILE, $PLEXUS_KEY_FILE, or the agent
            configuration's [security] key_file, every packet goes out in a signed envelope.
            """
    )

    @Option(name: [.short, .long], help: "Metric name.") var name: String = ""
    @Option(name: [.short, .long], help: "Value (sent as text, as gmetric does).") var value: String = ""
    @Option(name: [.short, .long], help: "string|int8|uint8|int16|uint16|int32|uint32|float|double") var type: String
    @Option(name: [.short, .long], help: "Units, e.g. jobs, ms.") var units: String = ""
    @Option(name: [.short, .long], help: "zero|positive|negative|both") var slope: String = "both"
    @Option(name: [.customShort("x"), .long], help: "Longest expected interval between values, seconds.") var tmax: UInt32 = 60
    @Option(name: [.short, .long], help: "Delete after this many silent seconds (0 = never).") var dmax: UInt32 = 0
    @Option(name: [.short, .long], help: "Group(s), comma-separated.") var group: String?
    @Option(name: [.customShort("T"), .long], help: "Title.") var title: String?
    @Option(name: [.customShort("D"), .long], help: "Description.") var desc: String?
    @Option(name: [.customShort("C"), .long], help: "Cluster (carried as extra data).") var cluster: String?
    @Option(name: [.customShort("S"), .long], help: "Speak for another host: IP:hostname.") var spoof: String?
    @Flag(name: [.customShort("H"), .long], help: "Send a heartbeat for the spoofed host (-S).") var heartbeat = false
    @Option(name: [.short, .customLong("conf")], help: "Agent configuration whose send channels to use.") var conf: String?
    @Option(name: .long, help: "Destination HOST:PORT (repeatable); a multicast group works too.") var to: [String] = []
    @Option(name: .long, help: "Multicast TTL for --to groups.") var ttl: Int = 1
    @Option(
        name: .long, help: "Sign with this key (plexus keygen); default $PLEXUS_KEY_FILE, then the configuration's key_file.",
        completion: .file()) var keyFile: String?

    func run() async throws {
        guard let metricType = MetricType(rawValue: type) else { return try fail("unknown type \(type.debugDescription)") }
        guard let slopeValue = Slope(name: slope) else { return try fail("unknown slope \(slope.debugDescription)") }
        var request = GmetricRequest(name: name, value: value, type: metricType)
        request.units = units
        request.slope = slopeValue
        request.tmax = tmax
        request.dmax = dmax
        request.groups = group.map { $0.split(separator: ",").map { String($0.trimmingCharacters(in: .whitespaces)) } } ?? []
        request.title = title
        request.description = desc
        request.cluster = cluster
        request.spoof = spoof
        request.spoofHeartbeat = heartbeat
        if !heartbeat, name.isEmpty || value.isEmpty { return try fail("-n NAME and -v VALUE are required") }
        if let problem = request.problem() { return try fail(problem) }

        let (channels, configuredKey) = try sendChannels()
        var messages = request.messages(hostname: systemHostname()).map(\.xdr)
        if let path = keyFile ?? ProcessInfo.processInfo.environment["PLEXUS_KEY_FILE"] ?? configuredKey {
            var signer = Signer(key: try signingKey(path), sender: UInt32.random(in: 0...UInt32.max))
            let now = Int64(Date().timeIntervalSince1970)
            messages = messages.map { signer.seal($0, now: now) }
        }
        if let big = messages.first(where: { $0.count > GangliaMessage.maxMessageLength }) {
            return try fail("the metric needs \(big.count) bytes, more than one datagram (\(GangliaMessage.maxMessageLength))")
        }
        for channel in channels {
            let sender: UDPSender
            do {
                sender = try await UDPSender.open(channel, group: MultiThreadedEventLoopGroup.singleton)
            } catch {
                FileHandle.standardError.write(Data("plexus send: cannot send to \(channel.host ?? channel.mcastJoin ?? "?"):\(channel.port): \(error)\n".utf8))
                throw ExitCode(2)
            }
            for bytes in messages { try await sender.sendAndWait(bytes) }
            await sender.close()
        }
    }

    private func signingKey(_ path: String) throws -> SigningKey {
        do {
            return try SecurityMaterial.signingKey(file: path)
        } catch {
            try fail("cannot sign: \(error)")
            throw ExitCode(1)
        }
    }

    /// The channels to send on, and the configuration's `key_file` if it has one.
    private func sendChannels() throws -> ([AgentConfiguration.UDPSendChannel], String?) {
        if !to.isEmpty {
            return (try channels(to), nil)
        }
        let path = conf ?? (FileManager.default.fileExists(atPath: "/etc/plexus/agent.toml") ? "/etc/plexus/agent.toml" : nil)
        guard let path else { return (AgentConfiguration().udpSendChannels, nil) }
        do {
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw ConfigError(file: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file")
            }
            let config = try AgentConfiguration.parse(text, file: path)
            if config.udpSendChannels.isEmpty { try fail("\(path) has no udp_send_channel") }
            return (config.udpSendChannels, config.security.keyFile)
        } catch let error as ConfigError {
            try fail("\(error)")
            return ([], nil)
        }
    }

    private func channels(_ to: [String]) throws -> [AgentConfiguration.UDPSendChannel] {
        try to.map { destination in
            guard let (host, port) = AgentConfiguration.hostAndPort(destination) else {
                try fail("--to \(destination.debugDescription): expected HOST:PORT")
                return AgentConfiguration.UDPSendChannel()
            }
            var channel =
                IPAddress(host)?.isMulticast == true
                ? AgentConfiguration.UDPSendChannel(mcastJoin: host, port: port)
                : AgentConfiguration.UDPSendChannel(host: host, port: port)
            channel.ttl = ttl
            return channel
        }
    }

    private func fail(_ message: String) throws {
        FileHandle.standardError.write(Data("plexus send: \(message)\n".utf8))
        throw ExitCode(1)
    }
}
