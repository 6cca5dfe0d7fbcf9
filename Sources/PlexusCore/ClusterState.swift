/// The cluster as one agent knows it, from every message it has heard (its own included).
///
/// A value with no I/O and no clock: the owner feeds messages with the time and sender, performs
/// what `apply` asks for (a metadata request to send), calls `expire` periodically and renders
/// snapshots as XML. Keys follow gmond: a host is its source address, or the `IP` of a spoofed
/// `IP:hostname`.
public struct ClusterState: Sendable {
    /// Bounds that keep a flood of invented hosts or metrics from taking the agent's memory.
    public struct Limits: Sendable, Equatable {
        public var maxHosts: Int
        public var maxMetricsPerHost: Int

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

        public init() {}
    }

    /// Seconds between metadata requests for one metric.
    public static let metadataRequestInterval: Int64 = 10

    public var limits: Limits
    /// Hosts by key.
    public private(set) var hosts: [String: HostRecord] = [:]
    public private(set) var counters = Counters()
    /// Shared copies of repeated metadata texts.
    private var interner = Interner()

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
            let metadata = interner.metadata(announced)
            updateMetric(host: key, name: identity.name, now: now) { record in
                record.metadata = metadata
                record.metadataHeard = now
            }
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
        var action = Action.none
        updateMetric(host: hostKey, name: identity.name, now: now) { record in
            record.value = ValueFormat.render(value, format: format)
            record.valueHeard = now
            if record.metadata == nil, now - record.metadataRequested >= Self.metadataRequestInterval {
                record.metadataRequested = now
                action = .requestMetadata(identity)
            }
        }
        return action
    }

    /// The host key and display name for a message, or nil (counted) when it can't have one.
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
            return false
        }
        hosts[key] = HostRecord(name: name, ip: key, heard: now)
        return true
    }

    private mutating func updateMetric(host key: String, name: String, now: Int64, _ change: (inout MetricRecord) -> Void) {
        guard hosts[key] != nil else { return }
        if hosts[key]!.metrics[name] == nil, hosts[key]!.metrics.count >= limits.maxMetricsPerHost {
            counters.metricLimit += 1
            return
        }
        change(&hosts[key]!.metrics[name, default: MetricRecord()])
    }

    mutating func removeHost(_ key: String) {
        hosts[key] = nil
        counters.hostsExpired += 1
    }

    mutating func removeMetric(_ name: String, ofHost key: String) {
        hosts[key]?.metrics[name] = nil
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
