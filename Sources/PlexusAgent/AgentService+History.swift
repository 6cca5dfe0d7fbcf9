import NIOCore
import PlexusCore
import PlexusTransport

/// The agent's history (issue 18, `docs/format/history.md`): the values it sends (and, with
/// `history_all_hosts`, every value it hears) kept for `history_seconds`, served on each accept
/// channel's `history_port` to aggregators back-filling after an outage.
extension AgentService {
    /// The interval a series' ring is sized for: our own metrics' `collect_every`, and for
    /// heard ones gmetad's default step (a faster sender keeps a shorter span within the bound).
    static let heardInterval = 15

    /// Keeps a value just filed in the cluster state under `host` (the name the XML shows), at `now`.
    func remember(_ message: GangliaMessage, host: String?, now: Int64, own: Bool) {
        guard config.globals.historySeconds > 0, own || config.globals.historyAllHosts, let host,
            case .value(let identity, _, let value) = message, let number = Self.archivable(value)
        else { return }
        let interval =
            own ? historyIntervals[identity.name] ?? plugins.definition(identity.name).map { Int($0.tmax) } ?? Self.heardInterval : Self.heardInterval
        let key = HistoryKey(cluster: config.cluster.name, host: host, metric: identity.name)
        history.withLock { _ = $0.record(key, time: now, value: number, interval: interval) }
    }

    /// A value as an aggregator would archive it: numbers only (strings never are).
    static func archivable(_ value: MetricValue) -> Double? {
        if case .string = value { return nil }
        return value.numericValue
    }

    /// Forgets the history of hosts the cluster state no longer holds.
    func expireHistory(keeping hosts: Set<String>) {
        history.withLock { history in
            for host in Set(history.rings.keys.map(\.host)) where !hosts.contains(host) {
                history.forget(cluster: config.cluster.name, host: host)
            }
        }
    }

    /// The reply to one request on a history port: the values from the time asked on, or an
    /// error line saying why not.
    func historyReply(to line: String?) -> [UInt8] {
        switch HistoryText.parseRequest(line) {
        case .failure(let error):
            stats.withLock { $0.historyRefused += 1 }
            return Array(HistoryText.error(error.reason).utf8)
        case .success(let from):
            let series = history.withLock { $0.values(after: from, inEffect: true) }
            stats.withLock { $0.historyServed += 1 }
            return Array(HistoryText.encode(series, now: clock()).utf8)
        }
    }

    /// Opens every accept channel's history port (with the channel's TLS): the listener and the
    /// channel's index.
    func openHistoryListeners(into listeners: inout [(GangliaPortServer.Listener, Int)]) async throws {
        for (i, channel) in config.tcpAcceptChannels.enumerated() {
            guard let port = channel.historyPort else { continue }
            let host = channel.bind ?? (channel.family == .inet6 ? "::" : "0.0.0.0")
            do {
                listeners.append((try await GangliaPortServer.listen(host: host, port: port, group: group, tls: i < tls.count ? tls[i] : nil), i))
            } catch {
                throw ChannelError(channel: "tcp_accept_channel[\(i)] history_port (\(host):\(port))", underlying: error)
            }
        }
    }

    /// Serves one history port: one request line, one reply.
    func serveHistory(_ listener: GangliaPortServer.Listener, channel: AgentConfiguration.TCPAcceptChannel) async throws {
        let server = GangliaPortServer(
            allow: channel.allow, gzip: channel.gzipOutput, timeout: .milliseconds(Int(channel.timeout * 1000)),
            requestLineLimit: 256, gate: gate)
        try await server.serve(listener, render: { self.historyReply(to: $0.line) }, report: { self.count($0) })
    }
}
