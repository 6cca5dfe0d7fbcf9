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
    public mutating func apply(_ message: GangliaMessage, from sender: Sender, now: Int64) -> Action {
        let identity = message.identity
        guard let (key, hostName) = hostIdentity(identity, sender: sender) else { return .none }
        if case .metadataRequest = message {
            touchHost(key: key, name: hostName, now: now)
            counters.applied += 1
            return .metadataRequested(identity)
        }
        guard MetricName(validating: identity.name) != nil else {
            counters.refusedMetricName += 1
            return .none
        }
        guard touchHost(key: key, name: hostName, now: now) else { return .none }
        counters.applied += 1
        switch message {
        case .metadata(_, let announced):
            applyMetadata(announced, identity: identity, hostKey: key, now: now)
            return .none
        case .value(_, let format, let value):
            return applyValue(identity, format: format, value: value, hostKey: key, now: now)
        case .metadataRequest:
            return .none
        }
    }

    private mutating func applyValue(
        _ identity: MetricIdentity, format: String, value: MetricValue, hostKey: String, now: Int64
    ) -> Action {
        // heartbeat and location become host attributes, as in gmond.
        if identity.name == "heartbeat" {
            hosts[hostKey]?.gmondStarted = Self.integer(value)
        } else if identity.name == "location" {
            hosts[hostKey]?.location = ValueFormat.render(value, format: format)
        }
        var wantsMetadata = false
        updateMetric(host: hostKey, name: identity.name, now: now) { record in
            record.value = ValueFormat.render(value, format: format)
            record.valueHeard = now
            wantsMetadata = record.metadata == nil && now - record.metadataRequested >= Self.metadataRequestInterval
        }
        guard wantsMetadata else { return .none }
        guard takeRequestToken(now: now) else {
            counters.metadataRequestsLimited += 1
            return .none
        }
        hosts[hostKey]?.metrics[identity.name]?.metadataRequested = now
        return .requestMetadata(identity)
    }

    /// Files a metric's metadata unless it passes a byte bound (a known metric then keeps the
    /// metadata it had).
    private mutating func applyMetadata(_ announced: MetricMetadata, identity: MetricIdentity, hostKey key: String, now: Int64) {
        let cost = announced.byteCount
        let held = hosts[key]?.metrics[identity.name]?.metadataBytes ?? 0
        let growth = cost - held
        // Named only when refused: every metadata datagram passes here.
        var subject: String { "\(hosts[key]?.name.rawValue ?? key)/\(identity.name)" }
        if cost > limits.maxMetadataBytesPerMetric {
            return refuseMetadata(subject, "metadata of \(cost) bytes, more than max_metadata_bytes_per_metric", now: now)
        }
        if growth > 0, (hosts[key]?.metadataBytes ?? 0) + growth > limits.maxMetadataBytesPerHost {
            return refuseMetadata(subject, "host's metadata over max_metadata_bytes_per_host", now: now)
        }
        if growth > 0, metadataBytes + growth > limits.maxMetadataBytes {
            return refuseMetadata(subject, "metadata over max_metadata_bytes", now: now)
        }
        let metadata = interner.metadata(announced)
        let filed = updateMetric(host: key, name: identity.name, now: now) { record in
            record.metadata = metadata
            record.metadataHeard = now
            record.metadataBytes = cost
        }
        guard filed else { return }
        hosts[key]?.metadataBytes += growth
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

    /// The host key and display name for a message, or nil (counted) when it can't have one.
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

    private mutating func hostIdentity(_ identity: MetricIdentity, sender: Sender) -> (String, HostName)? {
        if identity.spoof {
            guard let (ip, hostname) = identity.spoofedAddress else {
                counters.badSpoof += 1
                return nil
            }
            guard let name = HostName(validating: hostname) else {
                counters.refusedHostName += 1
                return nil
            }
            return (ip, name)
        }
        // Known hosts keep the name they were first given.
        if let known = hosts[sender.address] { return (sender.address, known.name) }
        let candidates = [sender.resolvedName, identity.host, sender.address]
        for candidate in candidates.compactMap({ $0 }) {
            if let name = HostName(validating: candidate) { return (sender.address, name) }
        }
        counters.refusedHostName += 1
        return nil
    }

    /// Refreshes (or creates) a host; false when the host limit refuses a new one.
    @discardableResult
    private mutating func touchHost(key: String, name: HostName, now: Int64) -> Bool {
        if hosts[key] != nil {
            hosts[key]!.lastHeard = max(hosts[key]!.lastHeard, now)
            return true
        }
        guard hosts.count < limits.maxHosts else {
            counters.hostLimit += 1
            quarantine.record("\(name)", reason: "over max_hosts", now: now)
            return false
        }
        hosts[key] = HostRecord(name: name, ip: key, heard: now)
        return true
    }

    /// Changes a metric, creating it unless a count bound refuses it; false when refused.
    @discardableResult
    private mutating func updateMetric(host key: String, name: String, now: Int64, _ change: (inout MetricRecord) -> Void) -> Bool {
        guard let host = hosts[key] else { return false }
        if host.metrics[name] == nil {
            let over =
                host.metrics.count >= limits.maxMetricsPerHost
                ? "over max_metrics_per_host"
                : metricCount >= limits.maxMetrics ? "over max_metrics" : nil
            if let over {
                counters.metricLimit += 1
                quarantine.record("\(host.name)/\(name)", reason: over, now: now)
                return false
            }
            metricCount += 1
            hosts[key]!.metrics[name] = MetricRecord(created: now)
        }
        change(&hosts[key]!.metrics[name]!)
        return true
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
