/// The cluster as one agent knows it, from every message it has heard (its own included).
///
/// A value with no I/O and no clock: the owner feeds messages with the time and sender, performs
/// what `apply` asks for (a metadata request to send), calls `expire` periodically and renders
/// snapshots as XML. Keys follow gmond: a host is its source address, or the `IP` of a spoofed
/// `IP:hostname`.
public struct ClusterState: Sendable {
    /// Bounds that keep a flood of invented hosts, metrics or metadata from taking the agent's
    /// memory (`docs/security.md`). At a bound the newest is refused and counted, never one
    /// already held.
    public struct Limits: Sendable, Equatable {
        public var maxHosts: Int
        public var maxMetricsPerHost: Int
        /// Metrics held over all hosts.
        public var maxMetrics: Int = 500_000
        /// Bytes of one metric's metadata (name, units and extra data), of one host's, of all.
        public var maxMetadataBytesPerMetric: Int = 2_048
        public var maxMetadataBytesPerHost: Int = 256 << 10
        public var maxMetadataBytes: Int = 64 << 20
        /// Metadata requests sent per second at most, whatever the number of unknown metrics
        /// heard (each request goes to every send channel: a reflection otherwise).
        public var maxMetadataRequestsPerSecond: Int = 20
        /// Seconds a metric may be held without ever having both metadata and a value (it is
        /// not shown meanwhile); a host left with no metric goes after as long.
        public var unconfirmedLifetime: Int64 = 600

        public init(maxHosts: Int = 10_000, maxMetricsPerHost: Int = 2_000) {
            self.maxHosts = maxHosts
            self.maxMetricsPerHost = maxMetricsPerHost
        }
    }

    /// Who sent a datagram, as the receive path saw it.
    public struct Sender: Sendable, Equatable {
        /// The source IP address as text.
        public var address: String
        /// The source's reverse-DNS name if the receive path resolved one.
        public var resolvedName: String?

        public init(address: String, resolvedName: String? = nil) {
            self.address = address
            self.resolvedName = resolvedName
        }
    }

    /// What the owner should do after a message.
    public enum Action: Sendable, Equatable {
        /// Nothing more.
        case none
        /// Ask the metric's owner to resend its metadata (send this on every send channel).
        case requestMetadata(MetricIdentity)
        /// Someone asks for the metadata of `name` of host `host` (ours if we own it).
        case metadataRequested(MetricIdentity)
    }

    /// Why messages were dropped, counted.
    public struct Counters: Sendable, Equatable {
        public var applied = 0
        public var badSpoof = 0
        public var refusedHostName = 0
        public var refusedMetricName = 0
        public var hostLimit = 0
        public var metricLimit = 0
        public var hostsExpired = 0
        public var metricsExpired = 0
        /// Metadata refused at a byte bound.
        public var metadataLimit = 0
        /// Metadata requests not sent because the rate bound was reached (sent later).
        public var metadataRequestsLimited = 0
        /// Metrics and hosts forgotten for never being confirmed (metadata and a value).
        public var unconfirmedExpired = 0

        public init() {}
    }

    /// Seconds between metadata requests for one metric.
    public static let metadataRequestInterval: Int64 = 10

    public var limits: Limits
    /// Hosts by key.
    public private(set) var hosts: [String: HostRecord] = [:]
    public internal(set) var counters = Counters()
    /// Metrics held, over all hosts, and their metadata's bytes.
    public private(set) var metricCount = 0
    public private(set) var metadataBytes = 0
    /// Hosts, metrics and metadata refused at a bound, for the log.
    public private(set) var quarantine = Quarantine()
    /// Shared copies of repeated metadata texts.
    private var interner = Interner()
    /// The metadata request budget: tokens left, and when they were last topped up.
    private var requestTokens = 0
    private var tokensTopped: Int64 = .min

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Applies one decoded message heard from `sender` at `now`.
    ///
    /// Every datagram an agent hears passes here, so the host and the metric are each looked up
    /// once and changed in place through their dictionaries' indices (`docs/architecture.md`,
    /// "The agent's state is one value behind a mutex").
    public mutating func apply(_ message: GangliaMessage, from sender: Sender, now: Int64) -> Action {
        let identity = message.identity
        guard let arrival = arrival(identity, sender: sender) else { return .none }
        if case .metadataRequest = message {
            touchHost(arrival, now: now)
            counters.applied += 1
            return .metadataRequested(identity)
        }
        guard MetricName.problem(with: identity.name) == nil else {
            counters.refusedMetricName += 1
            return .none
        }
        guard let host = touchHost(arrival, now: now) else { return .none }
        counters.applied += 1
        switch message {
        case .metadata(_, let announced):
            applyMetadata(announced, name: identity.name, host: host, now: now)
            return .none
        case .value(_, let format, let value):
            return applyValue(identity, format: format, value: value, host: host, now: now)
        case .metadataRequest:
            return .none
        }
    }

    private typealias HostIndex = Dictionary<String, HostRecord>.Index

    private mutating func applyValue(
        _ identity: MetricIdentity, format: String, value: MetricValue, host: HostIndex, now: Int64
    ) -> Action {
        let text = ValueFormat.render(value, format: format)
        // heartbeat and location become host attributes, as in gmond.
        if identity.name == "heartbeat" {
            hosts.values[host].gmondStarted = Self.integer(value)
        } else if identity.name == "location" {
            hosts.values[host].location = text
        }
        guard let metric = metricIndex(identity.name, host: host, now: now) else { return .none }
        let wantsMetadata = hosts.values[host].metrics.values[metric].takeValue(text, now: now, requestInterval: Self.metadataRequestInterval)
        guard wantsMetadata else { return .none }
        guard takeRequestToken(now: now) else {
            counters.metadataRequestsLimited += 1
            return .none
        }
        hosts.values[host].metrics.values[metric].metadataRequested = now
        return .requestMetadata(identity)
    }

    /// Files a metric's metadata unless it passes a byte bound (a known metric then keeps the
    /// metadata it had).
    private mutating func applyMetadata(_ announced: MetricMetadata, name: String, host: HostIndex, now: Int64) {
        guard let held = hosts.values[host].refreshMetadata(announced, name: name, now: now) else { return }
        let cost = announced.byteCount
        let growth = cost - held.metric
        // Named only when refused.
        var subject: String { "\(hosts.values[host].name.rawValue)/\(name)" }
        if cost > limits.maxMetadataBytesPerMetric {
            return refuseMetadata(subject, "metadata of \(cost) bytes, more than max_metadata_bytes_per_metric", now: now)
        }
        if growth > 0, held.host + growth > limits.maxMetadataBytesPerHost {
            return refuseMetadata(subject, "host's metadata over max_metadata_bytes_per_host", now: now)
        }
        if growth > 0, metadataBytes + growth > limits.maxMetadataBytes {
            return refuseMetadata(subject, "metadata over max_metadata_bytes", now: now)
        }
        guard let metric = metricIndex(name, host: host, now: now) else { return }
        let metadata = interner.metadata(announced)
        hosts.values[host].metrics.values[metric].takeMetadata(metadata, bytes: cost, now: now)
        hosts.values[host].metadataBytes += growth
        metadataBytes += growth
    }

    private mutating func refuseMetadata(_ subject: String, _ reason: String, now: Int64) {
        counters.metadataLimit += 1
        quarantine.record(subject, reason: reason, now: now)
    }

    /// One metadata request from the budget (`maxMetadataRequestsPerSecond`, with ten seconds'
    /// worth saved up at most).
    private mutating func takeRequestToken(now: Int64) -> Bool {
        let rate = limits.maxMetadataRequestsPerSecond
        if now > tokensTopped {
            let elapsed = tokensTopped == .min ? 10 : min(now - tokensTopped, 10)
            requestTokens = min(rate * 10, requestTokens + Int(elapsed) * rate)
            tokensTopped = now
        }
        guard requestTokens > 0 else { return false }
        requestTokens -= 1
        return true
    }

    /// The name a message from `sender` would be filed under: a known host keeps the name it
    /// was first given, a spoofed message names its host. A signed message's key must speak for
    /// this name (`docs/security.md`). Nil when the message would be refused for its name.
    public func hostName(for identity: MetricIdentity, from sender: Sender) -> String? {
        if identity.spoof {
            guard let (ip, hostname) = identity.spoofedAddress else { return nil }
            return hosts[ip]?.name.rawValue ?? hostname
        }
        if let known = hosts[sender.address] { return known.name.rawValue }
        return [sender.resolvedName, identity.host, sender.address].compactMap({ $0 }).first { HostName(validating: $0) != nil }
    }

    /// Where a message's host is filed: its place if it is held, else its key and the name a
    /// new host would get. Nil (counted) when the message can't name a host.
    private enum Arrival {
        case held(HostIndex)
        case new(key: String, name: HostName)
    }

    private mutating func arrival(_ identity: MetricIdentity, sender: Sender) -> Arrival? {
        if identity.spoof {
            guard let (key, offset) = identity.spoofedSplit else {
                counters.badSpoof += 1
                return nil
            }
            // Checked on every message, held host or not.
            guard identity.spoofedNameProblem(at: offset) == nil else {
                counters.refusedHostName += 1
                return nil
            }
            if let index = hosts.index(forKey: key) { return .held(index) }
            return .new(key: key, name: HostName(validated: String(decoding: identity.host.utf8.dropFirst(offset), as: UTF8.self)))
        }
        // Known hosts keep the name they were first given.
        if let index = hosts.index(forKey: sender.address) { return .held(index) }
        let candidates = [sender.resolvedName, identity.host, sender.address]
        for candidate in candidates.compactMap({ $0 }) {
            if let name = HostName(validating: candidate) { return .new(key: sender.address, name: name) }
        }
        counters.refusedHostName += 1
        return nil
    }

    /// Refreshes (or creates) a host; nil when the host limit refuses a new one.
    @discardableResult
    private mutating func touchHost(_ arrival: Arrival, now: Int64) -> HostIndex? {
        switch arrival {
        case .held(let index):
            hosts.values[index].heard(at: now)
            return index
        case .new(let key, let name):
            guard hosts.count < limits.maxHosts else {
                counters.hostLimit += 1
                quarantine.record("\(name)", reason: "over max_hosts", now: now)
                return nil
            }
            hosts[key] = HostRecord(name: name, ip: key, heard: now)
            return hosts.index(forKey: key)
        }
    }

    /// A host's metric, created unless a count bound refuses it; nil when refused. The host's
    /// index stays valid: only its own dictionary of metrics changes.
    private mutating func metricIndex(_ name: String, host: HostIndex, now: Int64) -> HostRecord.MetricIndex? {
        let (maxMetrics, clusterFull) = (limits.maxMetricsPerHost, metricCount >= limits.maxMetrics)
        switch hosts.values[host].place(name, now: now, maxMetrics: maxMetrics, clusterFull: clusterFull) {
        case .held(let index):
            return index
        case .created(let index):
            metricCount += 1
            return index
        case .refused(let reason):
            counters.metricLimit += 1
            quarantine.record("\(hosts.values[host].name)/\(name)", reason: reason, now: now)
            return nil
        }
    }

    mutating func removeHost(_ key: String) {
        guard let host = hosts.removeValue(forKey: key) else { return }
        metricCount -= host.metrics.count
        metadataBytes -= host.metadataBytes
        counters.hostsExpired += 1
    }

    mutating func removeMetric(_ name: String, ofHost key: String) {
        guard let metric = hosts[key]?.metrics.removeValue(forKey: name) else { return }
        metricCount -= 1
        metadataBytes -= metric.metadataBytes
        hosts[key]!.metadataBytes -= metric.metadataBytes
        counters.metricsExpired += 1
    }

    /// Sets attributes of a host that don't travel on the wire (the agent's own tags).
    public mutating func setTags(_ tags: String, forHost key: String) {
        hosts[key]?.tags = tags
    }

    /// A heartbeat's value as a start time. gmetric's spoofed heartbeat is the string "0";
    /// gmond reads that union as an integer and shows garbage, we parse it.
    private static func integer(_ value: MetricValue) -> Int64 {
        switch value {
        case .string(let s): Int64(s.trimmingASCIIWhitespace()) ?? 0
        case .float(let f): f.isFinite ? Int64(exactly: f.rounded()) ?? 0 : 0
        case .double(let d): d.isFinite ? Int64(exactly: d.rounded()) ?? 0 : 0
        default: value.integerValue
        }
    }
}
