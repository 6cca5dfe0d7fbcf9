/// Where the aggregator streams what it polls besides its RRD archives (`docs/exports.md`):
/// Graphite's carbon in gmetad's own keys, and Prometheus remote-write receivers.
public struct ExportConfiguration: Sendable, Equatable {
    /// `carbon_server` and the keys that go with it; nil: no Graphite export.
    public var graphite: Graphite?
    /// `[[remote_write]]`.
    public var remoteWrite: [RemoteWrite] = []
    /// `export_metrics`: shell globs over metric names; empty: every metric. A summary goes
    /// when its metric does.
    public var metrics: [NamePattern] = []

    public init() {}

    /// Whether anything is exported.
    public var isEnabled: Bool { graphite != nil || !remoteWrite.isEmpty }

    /// Whether values of `metric` go out (`export_metrics`).
    public func exports(_ metric: String) -> Bool {
        metrics.isEmpty || metrics.contains { $0.matches(metric) }
    }

    /// gmetad's Graphite export, with a queue of its own.
    public struct Graphite: Sendable, Equatable {
        public enum Transport: String, Sendable, CaseIterable { case tcp, udp }

        /// `carbon_server`: a host name or address.
        public var server: String
        /// `carbon_port` (2003).
        public var port = 2003
        /// `carbon_protocol`: tcp (one lasting connection) or udp (datagrams of whole lines).
        public var transport = Transport.tcp
        /// `carbon_timeout`: milliseconds a connection and each write may take (gmetad's 500).
        public var timeoutMilliseconds = 500
        /// `graphite_prefix`: put before every path, with a dot.
        public var prefix: String?
        /// `graphite_path`: the path of a value, `%s` the cluster (gmetad's source), `%h` the
        /// host, `%m` the metric; nil: `%s.%h.%m`.
        public var path: String?
        /// `carbon_queue_capacity`: values waiting while carbon is away; past it the oldest go.
        public var queueCapacity = 250_000

        public init(server: String) { self.server = server }
    }

    /// One Prometheus remote-write receiver (protocol 1.0).
    public struct RemoteWrite: Sendable, Equatable {
        /// `url`: where the WriteRequests are POSTed.
        public var url: String
        /// `name`: how logs and `/status` call it; the URL's host and port by default.
        public var name: String
        /// `bearer_token` or `bearer_token_file` (read at start).
        public var bearerToken: String?
        public var bearerTokenFile: String?
        /// `basic_auth_username` with `basic_auth_password` or `basic_auth_password_file`.
        public var basicAuthUsername: String?
        public var basicAuthPassword: String?
        public var basicAuthPasswordFile: String?
        /// `ca_file`: PEM certificates an https receiver's chain must lead to, instead of the
        /// system's trust roots.
        public var caFile: String?
        /// `remote_timeout`: seconds one request may take (30).
        public var remoteTimeout: Double = 30
        /// `queue_capacity`: samples waiting; past it the oldest go (counted as dropped).
        public var queueCapacity = 250_000
        /// `max_samples_per_send`: samples in one request (2000, Prometheus's default).
        public var maxSamplesPerSend = 2000
        /// `batch_send_deadline`: seconds a sample waits for its request to fill (5).
        public var batchSendDeadline: Double = 5
        /// `min_backoff` and `max_backoff`: seconds between retries, doubling (0.03 to 5, as
        /// Prometheus).
        public var minBackoff = 0.03
        public var maxBackoff: Double = 5

        public init(url: String, name: String) {
            self.url = url
            self.name = name
        }
    }
}
