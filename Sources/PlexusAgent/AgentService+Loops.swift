import Logging
import NIOCore
import PlexusCollectors
import PlexusCore
import PlexusProbes
import PlexusSecurity
import PlexusTransport

extension AgentService {
    /// Collects and sends our own metrics on the schedule, and files them into our own cluster
    /// state (so our host is in our XML even when no receive channel hears our sends).
    func announce(senders: [UDPSender], identity: AgentIdentity) async throws {
        let ownSender = ClusterState.Sender(address: identity.stateKey, resolvedName: identity.hostname)
        var tagged = false
        while true {
            let now = Self.monotonic()
            let changes = plugins.takeChanges()
            let (outgoing, failures, deadline) = announcer.withLock { a in
                Self.apply(changes, to: &a.schedule, intervals: pluginIntervals, now: now)
                var failures: [(metrics: [String], error: CollectorError)] = []
                let out = a.schedule.tick(now: now) { names in
                    let sample = a.collectors.sample(names, proc: proc, now: now)
                    failures = sample.failures
                    var values = sample.values
                    for name in names where values[name] == nil {
                        if let value = plugins.value(name) { values[name] = value }
                    }
                    return values
                }
                return (out, failures, a.schedule.nextDeadline)
            }
            // Once per collector and minute at most (a missing /proc file fails every tick).
            for failure in failures {
                peerLog.log(.warning, "collector failed: \(failure.metrics.joined(separator: ","))", detail: "\(failure.error)")
            }
            if !failures.isEmpty { stats.withLock { $0.collectorFailures += failures.count } }
            let wall = clock()
            for item in outgoing {
                guard let message = identity.message(for: item, definition: { builtinDefinitions[$0] ?? plugins.definition($0) }) else { continue }
                send(message, to: senders)
                let host = state.withLock { state in
                    _ = state.apply(message, from: ownSender, now: wall)
                    if !tagged, !config.globals.tags.isEmpty { state.setTags(config.globals.tags, forHost: identity.stateKey) }
                    return state.hostName(for: message.identity, from: ownSender)
                }
                remember(message, host: host, now: wall, own: true)
                tagged = true
            }
            // Until the next deadline, or news: a metadata request, a plugin's run (`Wakeup`).
            await news.sleep(seconds: max(0.01, deadline - Self.monotonic()))
            try Task.checkCancellation()
        }
    }

    /// Sends one message on every channel, sealed in an envelope when we have a key
    /// (`docs/format/signed.md`): values, metadata, metadata requests and resends alike; plain
    /// on a channel with `sign = false`.
    func send(_ message: GangliaMessage, to senders: [UDPSender]) {
        let plain = message.xdr
        let sealed = seal(plain)
        let largest = max(plain.count, sealed?.count ?? 0)
        guard largest <= GangliaMessage.maxMessageLength else {
            stats.withLock { $0.oversized += 1 }
            peerLog.log(.warning, "message too large for one datagram", detail: "\(message.identity.name)", metadata: ["bytes": "\(largest)"])
            return
        }
        let channels = config.udpSendChannels
        for (i, sender) in senders.enumerated() {
            if let sealed, i < channels.count, channels[i].sign {
                sender.send(sealed)
            } else {
                sender.send(plain)
            }
        }
        stats.withLock { $0.sent += senders.count }
    }

    /// `plain` in an envelope, when we have a key and a channel signs. Kept out of `send` on
    /// purpose: written there as one conditional expression (`signs ? signer.withLock { $0?.seal(…) }
    /// : nil`), the debug build aborted in Swift 6.3.1's task allocator ("freed pointer was not the
    /// last allocation") within a second of `PlexusAgentTests`; as this function it never has.
    func seal(_ plain: [UInt8]) -> [UInt8]? {
        guard config.udpSendChannels.contains(where: \.sign) else { return nil }
        let now = clock()
        return signer.withLock { signer -> [UInt8]? in
            guard signer != nil else { return nil }
            return signer!.seal(plain, now: now)
        }
    }

    /// Files what one receive channel hears until it closes: drops what the allow-list refuses,
    /// what `[security]` refuses (counted and logged by reason) or what doesn't decode (counted),
    /// applies the rest to the cluster state, and acts on metadata requests either way. Each
    /// datagram is filed on the channel's event loop as it is read (`UDPReceiver.file`).
    func receive(_ channel: any Channel, allow: [CIDRBlock], senders: [UDPSender], identity: AgentIdentity) async throws {
        let historyOfHeardHosts = config.globals.historySeconds > 0 && config.globals.historyAllHosts
        try await UDPReceiver.file(channel) { envelope in
            self.file(envelope, allow: allow, senders: senders, identity: identity, historyOfHeardHosts: historyOfHeardHosts)
        }
    }

    private func file(
        _ envelope: AddressedEnvelope<ByteBuffer>, allow: [CIDRBlock], senders: [UDPSender], identity: AgentIdentity, historyOfHeardHosts: Bool
    ) {
        guard let source = envelope.remoteAddress.ipAddress, let ip = IPAddress(source), allow.allows(ip) else {
            stats.withLock { $0.refused += 1 }
            return
        }
        let now = clock()
        let message: GangliaMessage
        let keyID: String?
        switch envelope.data.withUnsafeReadableBytes({ intake.receive($0, from: ip, now: now) }) {
        case .message(let m, let key):
            (message, keyID) = (m, key)
        case .refused(let reason):
            refuse(reason, from: source, keyID: nil)
            return
        case .undecodable(let error):
            stats.withLock { $0.malformed += 1 }
            logger.debug("dropped malformed datagram", metadata: ["from": "\(source)", "error": "\(error)"])
            return
        }
        let sender = ClusterState.Sender(address: source)
        let filed: (ClusterState.Action, String?)? = state.withLock { state in
            guard intake.mayFile(message, keyID: keyID, in: state, from: sender) else { return nil }
            let action = state.apply(message, from: sender, now: now)
            // The host's name only for what needs it: the history of heard hosts.
            return (action, historyOfHeardHosts ? state.hostName(for: message.identity, from: sender) : nil)
        }
        guard let (action, host) = filed else {
            refuse(.hostNotAllowed, from: source, keyID: keyID, host: message.identity.host)
            return
        }
        remember(message, host: host, now: now, own: false)
        if keyID != nil { signatures.countSigned() }
        stats.withLock { $0.received += 1 }
        switch action {
        case .none:
            break
        case .requestMetadata(let id):
            send(.metadataRequest(id), to: senders)
            stats.withLock { $0.metadataRequestsSent += 1 }
        case .metadataRequested(let id):
            guard identity.owns(id) else { break }
            let now = Self.monotonic()
            announcer.withLock { $0.schedule.metadataRequested(id.name, now: now) }
            news.wake()
            stats.withLock { $0.metadataRequestsAnswered += 1 }
        }
    }

    /// Counts a refused datagram and logs it (once per reason a minute) with the sender.
    func refuse(_ reason: EnvelopeVerifier.Refusal, from source: String, keyID: String?, host: String? = nil) {
        signatures.count(reason)
        var detail = source
        if let keyID { detail += " key \(keyID)" }
        if let host { detail += " for host \(host)" }
        peerLog.log(.warning, "datagram refused: \(reason.rawValue)", detail: detail)
    }

    /// Runs one probe every `interval` seconds; its collector reports the latest result.
    func runProbe(_ probe: AgentConfiguration.Probe) async throws {
        var lastUp: Bool?
        while true {
            let started = Self.monotonic()
            let result = await ProbeRunner.run(probe, group: group)
            probes.record(result, for: probe.name)
            if result.up != lastUp {
                logger.notice(
                    "probe \(result.up ? "up" : "down")",
                    metadata: [
                        "probe": "\(probe.name)", "ms": "\(Int(result.totalMilliseconds))", "error": "\(result.error ?? "")",
                    ])
                lastUp = result.up
            }
            try await Task.sleep(for: .seconds(max(0.1, Double(probe.interval) - (Self.monotonic() - started))))
        }
    }

    /// gmond's cleanup every `cleanup_threshold` seconds, plus one log line per interval when
    /// anything was dropped (malformed, refused, oversized, or over the host/metric caps).
    func cleanup() async throws {
        var reported = (stats: AgentStatistics(), counters: ClusterState.Counters())
        while true {
            try await Task.sleep(for: .seconds(Int(max(config.globals.cleanupThreshold, 1))))
            let (counters, quarantine, held) = state.withLock { state in
                state.expire(now: clock(), hostDmax: config.globals.hostDmax)
                return (state.counters, state.quarantine, Set(state.hosts.values.map(\.name.rawValue)))
            }
            expireHistory(keeping: held)
            let now = statistics
            let dropped: [(String, Int, Int)] = [
                ("malformed", now.malformed, reported.stats.malformed), ("refused", now.refused, reported.stats.refused),
                ("oversized", now.oversized, reported.stats.oversized), ("host_limit", counters.hostLimit, reported.counters.hostLimit),
                ("metric_limit", counters.metricLimit, reported.counters.metricLimit),
                (
                    "bad_name", counters.refusedMetricName + counters.refusedHostName,
                    reported.counters.refusedMetricName + reported.counters.refusedHostName
                ),
                ("bad_spoof", counters.badSpoof, reported.counters.badSpoof),
                ("metadata_limit", counters.metadataLimit, reported.counters.metadataLimit),
                ("metadata_requests_limited", counters.metadataRequestsLimited, reported.counters.metadataRequestsLimited),
                ("unconfirmed_expired", counters.unconfirmedExpired, reported.counters.unconfirmedExpired),
            ]
            let grown = dropped.filter { $0.1 != $0.2 }
            if !grown.isEmpty {
                var metadata = Dictionary(uniqueKeysWithValues: grown.map { ($0.0, Logger.MetadataValue.string("\($0.1 - $0.2)")) })
                // The latest refusals at a bound, named (at most five; the quarantine keeps 100).
                let latest = quarantine.entries.suffix(5).map { "\(ThrottledLog.cut($0.subject, limit: 80)) (\($0.reason), \($0.count)×)" }
                if !latest.isEmpty { metadata["quarantined"] = "\(latest.joined(separator: "; "))" }
                logger.notice("messages dropped since the last report", metadata: metadata)
            }
            reported = (now, counters)
        }
    }

    /// The cluster as gmond's XML, rendered from a copy of the state taken under the lock.
    func xmlDocument() -> [UInt8] {
        let snapshot = state.withLock { $0 }
        let info = config.cluster
        let name = (try? ClusterName(info.name)) ?? (try? ClusterName("unspecified"))
        guard let name else { return [] }
        let cluster = snapshot.snapshot(
            of: Cluster(name: name, localtime: 0, owner: info.owner, latlong: info.latlong, url: info.url),
            now: clock(), hostTmax: config.globals.hostTmax, hostDmax: config.globals.hostDmax)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4096 + cluster.hosts.count * 10_000)
        let writer = GangliaXMLWriter(dialect: .gmond)
        writer.writeProlog(source: .gmond, into: &bytes)
        writer.write(cluster, into: &bytes)
        writer.writeEpilog(into: &bytes)
        return bytes
    }

    func count(_ outcome: GangliaPortServer.Outcome) {
        stats.withLock { $0.xml.record(outcome) }
        switch outcome {
        case .served: break
        case .refused(let decision, let peer): peerLog.log(.notice, "XML client refused: \(decision)", detail: peer)
        case .failed(let reason): peerLog.log(.info, "XML client failed", detail: reason)
        }
    }
}
