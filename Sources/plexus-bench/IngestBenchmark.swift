import PlexusCore
import PlexusSecurity

/// `plexus-bench ingest HOSTS METRICS ROUNDS`: what an agent's receive loop does with each
/// datagram once it is read (`AgentService.receive`): decoded through the intake (no keyring,
/// unsigned accepted), checked by `mayFile`, filed into the cluster state, the host named for
/// the history. The datagrams are `Flood.packets`: metadata and a value for every metric of
/// HOSTS spoofed hosts; each round sends them all again. Counted by `scripts/bench ingest` with
/// valgrind (instructions a datagram), so it prints only what it held, as a check.
struct IngestBenchmark {
    var hosts: Int
    var metrics: Int
    var rounds: Int

    func run() {
        let packets = Flood.packets(hosts: hosts, metrics: metrics, tag: 1)
        let intake = SignedReceiver(keyring: Keyring())
        var state = ClusterState()
        let sender = ClusterState.Sender(address: "127.0.0.1")
        let address = IPAddress("127.0.0.1")!
        var named = 0
        for round in 0..<rounds {
            let now = 1_795_543_200 + Int64(round)
            for packet in packets {
                guard case .message(let message, let keyID) = packet.withUnsafeBytes({ intake.receive($0, from: address, now: now) }),
                    intake.mayFile(message, keyID: keyID, in: state, from: sender)
                else { continue }
                _ = state.apply(message, from: sender, now: now)
                if state.hostName(for: message.identity, from: sender) != nil { named += 1 }
            }
        }
        let held = state.hosts.values.reduce(0) { $0 + $1.metrics.values.filter(\.isConfirmed).count }
        print("ingest: \(packets.count * rounds) datagrams, \(named) named, \(held) metrics held")
    }
}
