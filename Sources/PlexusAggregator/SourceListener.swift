import NIOCore
import PlexusCore
import PlexusSecurity
import PlexusTransport
import ServiceLifecycle

/// One listened data source (`listen`): datagrams from the cluster's channel build a cluster
/// state, as an agent's would, which becomes the source's content every `step` seconds,
/// timestamped with our clock.
final class SourceListener: Service, Sendable {
    let store: GridStore
    let index: Int
    let source: AggregatorConfiguration.DataSource
    let channel: AgentConfiguration.UDPReceiveChannel
    let group: any EventLoopGroup
    let heard: HeardCluster

    init(store: GridStore, index: Int, channel: AgentConfiguration.UDPReceiveChannel, keyring: Keyring = Keyring(), group: any EventLoopGroup) {
        self.store = store
        self.index = index
        source = store.configuration.dataSources[index]
        self.channel = channel
        self.group = group
        let security = source.security
        heard = HeardCluster(
            intake: SignedReceiver(
                keyring: keyring, window: security.replayWindow, requireSigned: security.requireSigned,
                acceptUnsignedFrom: security.acceptUnsignedFrom))
    }

    func run() async throws {
        let receiver: UDPReceiver.Channel
        do {
            receiver = try await UDPReceiver.open(channel, maxMessageLength: 65507, group: group)
        } catch {
            let address = "\(channel.mcastJoin.map { "group \($0), " } ?? "")\(channel.bind ?? "*"):\(channel.port)"
            throw ListenError(key: "data_source[\(index)].listen", address: address, underlying: error)
        }
        let cluster = try ClusterName(source.name)
        try? await cancelWhenGracefulShutdown {
            try await withThrowingDiscardingTaskGroup { tasks in
                tasks.addTask { try await self.hear(receiver) }
                tasks.addTask { try await self.deliverEveryStep(cluster) }
            }
        }
    }

    private func hear(_ receiver: UDPReceiver.Channel) async throws {
        let allow = channel.allow
        try await receiver.executeThenClose { inbound, _ in
            for try await envelope in inbound {
                let outcome = heard.apply(envelope, allow: allow, now: store.clock())
                store.count { s in
                    s.sources[index].datagrams += 1
                    switch outcome {
                    case .applied(let signed): if signed { s.sources[index].signatures?.signed += 1 }
                    case .dropped: s.sources[index].datagramsDropped += 1
                    case .refused(let reason, _):
                        s.sources[index].datagramsDropped += 1
                        s.sources[index].signatures?[reason] += 1
                    }
                }
                if case .refused(let reason, let detail) = outcome {
                    store.peerLog.log(.warning, "datagram refused: \(reason.rawValue)", detail: "\(detail) (data_source \(source.name))")
                }
            }
        }
    }

    private func deliverEveryStep(_ cluster: ClusterName) async throws {
        var previous: SourceContent?
        var reporter = DropReporter()
        let clock = ContinuousClock()
        while true {
            try await Task.sleep(for: .seconds(Int(source.step)), tolerance: .milliseconds(100), clock: clock)
            let delivery = deliver(cluster, previous: previous, now: store.clock())
            store.publish(delivery, source: index, reporting: &reporter)
            previous = delivery.content
        }
    }

    /// What was heard until `now`, as the source's next content.
    func deliver(_ cluster: ClusterName, previous: SourceContent?, now: Int64) -> Delivery {
        let began = ContinuousClock.now
        let snapshot = heard.snapshot(of: Cluster(name: cluster, localtime: now), now: now, hostTmax: source.hostTmax, hostDmax: source.hostDmax)
        var reader = SourceAssembler(options: store.configuration.readerOptions, now: now)
        reader.apply(.clusterStart(snapshot))
        for host in snapshot.hosts { reader.apply(.host(host)) }
        reader.apply(.clusterEnd)
        return Delivery(
            content: reader.finish(previous: previous), anomalies: reader.anomalies, report: XMLReadReport(), now: now,
            bytes: 0, parse: ContinuousClock.now - began)
    }
}

/// A port or channel that could not be opened, named as in the configuration.
public struct ListenError: Error, CustomStringConvertible {
    public var key: String
    public var address: String
    public var underlying: any Error
    public var description: String { "cannot listen on \(key) (\(address)): \(underlying)" }
}
