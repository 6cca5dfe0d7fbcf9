/// The agent's configuration: gmond.conf's sections and keys, in TOML (`docs/configuration.md`).
/// Defaults are gmond's where gmond has one.
public struct AgentConfiguration: Sendable, Equatable {
    /// `[globals]`.
    public struct Globals: Sendable, Equatable {
        /// No receiving: no receive channels, no TCP XML.
        public var deaf = false
        /// No sending of our own metrics.
        public var mute = false
        /// Seconds before a silent host is deleted; 0 = never.
        public var hostDmax: UInt32 = 86_400
        /// Heartbeat interval advertised as the host TMAX.
        public var hostTmax: UInt32 = 20
        /// Seconds between expiry passes.
        public var cleanupThreshold: UInt32 = 300
        /// Seconds between metadata resends (gmond's default is 0, never; 60 lets a restarted
        /// unicast receiver recover).
        public var sendMetadataInterval: UInt32 = 60
        /// Receive buffer size and largest datagram we send.
        public var maxUDPMessageLength = 1472
        /// Send our metrics as this host (spoofed as `override_ip:override_hostname`).
        public var overrideHostname: String?
        public var overrideIP: String?
        /// TAGS shown for our host.
        public var tags = ""
        /// Bounds on what we hold from others (Plexus additions; `ClusterState.Limits`,
        /// `docs/security.md`): hosts, metrics per host and in all, metadata bytes per metric,
        /// per host and in all, and metadata requests sent per second.
        public var maxHosts = 10_000
        public var maxMetricsPerHost = 2_000
        public var maxMetrics = 500_000
        public var maxMetadataBytesPerMetric = 2_048
        public var maxMetadataBytesPerHost = 256 << 10
        public var maxMetadataBytes = 64 << 20
        public var maxMetadataRequestsPerSecond = 20
        /// `max_clients`: open connections to the XML ports together; `max_clients_per_address`:
        /// from one address (one /64 for IPv6). Past them a client is closed as it is accepted
        /// (Plexus additions; `docs/security.md`).
        public var maxClients = 64
        public var maxClientsPerAddress = 16
        /// Seconds of recent values kept for aggregators to back-fill after an outage
        /// (`history_seconds`; 0: none kept; `docs/format/history.md`).
        public var historySeconds: UInt32 = 3600
        /// Keep history for every host heard, not only our own (`history_all_hosts`): set it on
        /// the agents a data source polls.
        public var historyAllHosts = false
        /// Values the history may hold in all, 12 bytes each (`history_max_values`); past it a
        /// new series is refused and counted.
        public var historyMaxValues = 1_000_000
    }

    /// The state's bounds from `[globals]`.
    public var clusterLimits: ClusterState.Limits {
        var limits = ClusterState.Limits(maxHosts: globals.maxHosts, maxMetricsPerHost: globals.maxMetricsPerHost)
        limits.maxMetrics = globals.maxMetrics
        limits.maxMetadataBytesPerMetric = globals.maxMetadataBytesPerMetric
        limits.maxMetadataBytesPerHost = globals.maxMetadataBytesPerHost
        limits.maxMetadataBytes = globals.maxMetadataBytes
        limits.maxMetadataRequestsPerSecond = globals.maxMetadataRequestsPerSecond
        return limits
    }

    /// `[cluster]`.
    public struct ClusterInfo: Sendable, Equatable {
        public var name = "unspecified"
        public var owner = "unspecified"
        public var latlong = "unspecified"
        public var url = "unspecified"
    }

    /// Address family of a channel.
    public enum Family: String, Sendable, Equatable {
        case inet4, inet6
    }

    /// `[[udp_send_channel]]`: where our datagrams go (a multicast group or a unicast host).
    public struct UDPSendChannel: Sendable, Equatable {
        public var mcastJoin: String?
        public var mcastIf: String?
        public var host: String?
        public var port = 8649
        public var ttl = 1
        /// Source address to send from.
        public var bind: String?
        /// With `[security] key_file`: sign what goes out on this channel (false: plain Ganglia,
        /// for gmonds still listening on it during a migration).
        public var sign = true

        public init(mcastJoin: String? = nil, host: String? = nil, port: Int = 8649) {
            self.mcastJoin = mcastJoin
            self.host = host
            self.port = port
        }
    }

    /// `[[udp_recv_channel]]`: where we listen (joining a group when `mcast_join` is set).
    public struct UDPReceiveChannel: Sendable, Equatable {
        public var mcastJoin: String?
        public var mcastIf: String?
        public var bind: String?
        public var port = 8649
        public var family = Family.inet4
        /// Socket receive buffer in bytes; nil = the system's default.
        public var buffer: Int?
        /// Who may send to us; empty = anyone.
        public var allow: [CIDRBlock] = []

        public init(mcastJoin: String? = nil, bind: String? = nil, port: Int = 8649) {
            self.mcastJoin = mcastJoin
            self.bind = bind
            self.port = port
        }
    }

    /// `[[tcp_accept_channel]]`: where we serve the cluster's XML.
    public struct TCPAcceptChannel: Sendable, Equatable {
        public var bind: String?
        public var port = 8649
        public var family = Family.inet4
        public var gzipOutput = false
        /// Seconds a client may take to read the document.
        public var timeout: Double = 10
        /// Who may read; empty = anyone.
        public var allow: [CIDRBlock] = []
        /// Serve the XML over TLS (`tls_cert`, `tls_key`, `tls_client_ca`); nil: plain TCP, as gmond.
        public var tls: ServerTLS?
        /// Serve the history (`docs/format/history.md`) on this port too, with the channel's
        /// bind, allow-list, gzip and TLS; nil: not served (gmetad never asks for it).
        public var historyPort: Int?

        public init(bind: String? = nil, port: Int = 8649) {
            self.bind = bind
            self.port = port
        }

        /// The built-in channel: XML on 8649, history on 8659.
        public static var `default`: TCPAcceptChannel {
            var channel = TCPAcceptChannel()
            channel.historyPort = 8659
            return channel
        }
    }

    /// One `[[collection_group.metric]]`.
    public struct MetricSelection: Sendable, Equatable {
        public var name: String
        /// Send the group at once when the value moves at least this much; nil = never.
        public var valueThreshold: Double?
        public var title: String?

        public init(name: String, valueThreshold: Double? = nil, title: String? = nil) {
            self.name = name
            self.valueThreshold = valueThreshold
            self.title = title
        }
    }

    /// A `[[collection_group.metric]]` with `name_match` (gmond's): a regular expression that
    /// takes plugins' metrics into the group as they appear (searched anywhere in the name;
    /// anchor it with `^…$`).
    public struct MetricPattern: Sendable, Equatable {
        public var nameMatch: String
        public var valueThreshold: Double?
        public var title: String?

        public init(nameMatch: String, valueThreshold: Double? = nil, title: String? = nil) {
            self.nameMatch = nameMatch
            self.valueThreshold = valueThreshold
            self.title = title
        }

        /// Whether `name` matches (nil: the pattern isn't a regular expression, refused by `--check`).
        public func matches(_ name: String) -> Bool {
            (try? Regex(nameMatch)).map { (try? $0.firstMatch(in: name)) != nil } ?? false
        }

        /// The title `name` gets: gmond's `\1` … `\9` in `title` replaced by what the pattern's
        /// groups matched (`name_match = "multicpu_([a-z]+)([0-9]+)"`, `title = "CPU-\\2 \\1"`
        /// gives `multicpu_idle3` the title `CPU-3 idle`); nil without a title.
        public func title(for name: String) -> String? {
            guard let title else { return nil }
            guard title.contains("\\"), let regex = try? Regex(nameMatch), let match = try? regex.firstMatch(in: name) else { return title }
            var out = ""
            var characters = title.makeIterator()
            while let c = characters.next() {
                guard c == "\\" else {
                    out.append(c)
                    continue
                }
                guard let next = characters.next() else {
                    out.append(c)
                    break
                }
                if let n = next.wholeNumberValue, n > 0, n < match.output.count {
                    out += match.output[n].substring.map(String.init) ?? ""
                } else {
                    out.append(c)
                    out.append(next)
                }
            }
            return out
        }
    }

    /// `[[collection_group]]`: metrics collected and sent together (`docs/configuration.md`).
    public struct CollectionGroup: Sendable, Equatable {
        public var collectOnce = false
        public var collectEvery: UInt32 = 60
        public var timeThreshold: UInt32 = 3600
        public var metrics: [MetricSelection] = []
        /// `name_match` entries: plugins' metrics the group takes as they appear.
        public var patterns: [MetricPattern] = []

        public init(collectOnce: Bool = false, collectEvery: UInt32 = 60, timeThreshold: UInt32 = 3600, metrics: [MetricSelection]) {
            self.collectOnce = collectOnce
            self.collectEvery = collectEvery
            self.timeThreshold = timeThreshold
            self.metrics = metrics
        }
    }

    /// `[[probe]]`: a response-time check reported as `probe_<name>_*` metrics.
    public struct Probe: Sendable, Equatable {
        public enum Target: Sendable, Equatable {
            /// `url = "http://..."` or `"https://..."`.
            case http(url: String)
            /// `tcp = "host:port"`.
            case tcp(host: String, port: Int)
        }

        public var name: String
        public var target: Target
        /// Seconds between checks.
        public var interval: UInt32 = 30
        /// Seconds before a check counts as down.
        public var timeout: Double = 5
        /// HTTP status that counts as up; nil = any 2xx or 3xx.
        public var expectStatus: Int?
        /// Check the HTTPS server's certificate (turn off only for self-signed test targets).
        public var verifyTLS = true

        public init(name: String, target: Target) {
            self.name = name
            self.target = target
        }

        /// The metrics this probe reports: `probe_<name>_ms`, `_up`, `_status`, and for HTTP `_ttfb_ms`.
        public var metricNames: [String] {
            let base = ["probe_\(name)_ms", "probe_\(name)_up", "probe_\(name)_status"]
            if case .http = target { return base + ["probe_\(name)_ttfb_ms"] }
            return base
        }

        /// Its own collection group: collected and sent once per interval.
        public var collectionGroup: CollectionGroup {
            CollectionGroup(collectEvery: interval, timeThreshold: interval, metrics: metricNames.map { MetricSelection(name: $0) })
        }
    }

    /// `[security]`: signed datagrams (`docs/security.md`, `docs/format/signed.md`). The
    /// aggregator's listened data sources take the same keys but `key_file` (they send nothing).
    public struct Security: Sendable, Equatable {
        /// Our key (a `plexus keygen` file): everything we send is signed with it.
        public var keyFile: String?
        /// The keys we accept (a keyring file); without one, signed datagrams are refused as
        /// `unknown_key` (except our own, which `key_file` adds).
        public var keyring: String?
        /// Refuse plain Ganglia datagrams (counted as `unsigned`), except from `acceptUnsignedFrom`.
        public var requireSigned = false
        /// Addresses and CIDR blocks whose plain datagrams are still taken (legacy gmonds).
        public var acceptUnsignedFrom: [CIDRBlock] = []
        /// Seconds a signed datagram's timestamp may differ from our clock.
        public var replayWindow: UInt32 = 60

        public init() {}

        /// Whether any of it is switched on.
        public var isEnabled: Bool { keyFile != nil || keyring != nil || requireSigned }
    }

    public var globals = Globals()
    public var cluster = ClusterInfo()
    /// `[host] location`.
    public var location = "unspecified"
    public var udpSendChannels = [UDPSendChannel(mcastJoin: "239.2.11.71")]
    public var udpReceiveChannels = [UDPReceiveChannel(mcastJoin: "239.2.11.71", bind: "239.2.11.71")]
    public var tcpAcceptChannels = [TCPAcceptChannel.default]
    public var collectionGroups = AgentConfiguration.defaultCollectionGroups
    public var probes: [Probe] = []
    public var security = Security()
    /// `[[plugin]]` and `[textfile]` (`docs/plugins.md`).
    public var plugins: [Plugin] = []
    /// `[[module]]`: gmond Python modules.
    public var modules: [Module] = []
    public var textfile: Textfile?
    /// `[globals]` `munin_libdir`, `plugin_state_dir`.
    public var pluginEnvironment = PluginEnvironment()

    public init() {}
}
