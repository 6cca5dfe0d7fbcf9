/// What `plexus-aggregator` is told to do, in gmetad.conf's vocabulary (`gridname`, `xml_port`,
/// `trusted_hosts`, `data_source`...). Defaults match gmetad 3.7's. Parsed from TOML by
/// `AggregatorConfiguration.parse` (every key name lives in `AggregatorConfiguration+TOML.swift`).
public struct AggregatorConfiguration: Sendable, Equatable {
    /// One `data_source`: a cluster (or a grid) the aggregator polls or hears.
    public struct DataSource: Sendable, Equatable {
        /// How the source's data arrives.
        public enum Transport: Sendable, Equatable {
            /// Poll the XML port of any of these, in failover order (gmetad's data_source hosts).
            case poll([Endpoint])
            /// Hear the cluster's UDP traffic directly (the agent's receive path).
            case listen(AgentConfiguration.UDPReceiveChannel)
        }

        /// `name`: how logs, `/status` and the configuration call the source. Polled sources
        /// are archived under the NAME their XML gives (as gmetad does); listened ones under this.
        public var name: String
        /// `step`: seconds between polls, and the step of the source's RRD files.
        public var step: UInt32 = 15
        public var transport: Transport
        /// `connect_timeout`: seconds to wait for a TCP connection (per address).
        public var connectTimeout: Double = 5
        /// `timeout`: seconds to wait for the whole document (gmetad: 10 s between reads).
        public var timeout: Double = 10
        /// For listened sources: gmond's `host_tmax` and `host_dmax` for the hosts heard.
        public var hostTmax: UInt32 = 20
        public var hostDmax: UInt32 = 86_400
        /// For listened sources: the agent's `[security]` keys but `key_file`, given in
        /// `[data_source.listen]` (`docs/security.md`).
        public var security = AgentConfiguration.Security()
        /// For polled sources: poll over TLS (`tls = true`, `tls_ca`, `tls_cert`, `tls_key`).
        public var tls: ClientTLS?
        /// For polled sources: the port their history is asked on after an outage
        /// (`history_port`; `docs/format/history.md`); nil: each address's port + 10 (8659 for
        /// an agent on 8649, 8661 for an aggregator on 8651); 0: no back-fill.
        public var historyPort: Int?

        /// The history port of `endpoint`, or nil when back-fill is off for this source.
        public func historyPort(of endpoint: Endpoint) -> Int? {
            switch historyPort {
            case 0: nil
            case let port?: port
            case nil: endpoint.port + 10 <= 65535 ? endpoint.port + 10 : nil
            }
        }

        public init(name: String, step: UInt32 = 15, transport: Transport) {
            self.name = name
            self.step = step
            self.transport = transport
        }
    }

    /// `host:port` of a polled XML port.
    public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
        public var host: String
        public var port: Int

        public init(host: String, port: Int = 8649) {
            self.host = host
            self.port = port
        }

        /// `host`, `host:port`, `a.b.c.d:port`, `[v6]:port` or a bare IPv6 address.
        public init?(_ text: String, defaultPort: Int = 8649) {
            let trimmed = String(text.trimmingASCIIWhitespace())
            if trimmed.hasPrefix("[") {
                guard let close = trimmed.firstIndex(of: "]") else { return nil }
                let host = String(trimmed[trimmed.index(after: trimmed.startIndex)..<close])
                let rest = trimmed[trimmed.index(after: close)...]
                guard IPAddress(host) != nil else { return nil }
                if rest.isEmpty {
                    self.init(host: host, port: defaultPort)
                    return
                }
                guard rest.first == ":", let port = Int(rest.dropFirst()), (1...65535).contains(port) else { return nil }
                self.init(host: host, port: port)
                return
            }
            let colons = trimmed.filter { $0 == ":" }.count
            if colons > 1 {
                guard IPAddress(trimmed) != nil else { return nil }
                self.init(host: trimmed, port: defaultPort)
                return
            }
            if colons == 1 {
                let colon = trimmed.firstIndex(of: ":")!
                guard let port = Int(trimmed[trimmed.index(after: colon)...]), (1...65535).contains(port) else { return nil }
                self.init(host: String(trimmed[..<colon]), port: port)
            } else {
                self.init(host: trimmed, port: defaultPort)
            }
            guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "/" }) else { return nil }
        }

        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// `gridname`: the NAME of the GRID wrapping our XML, and the grid a parent archives us under.
    public var gridname = "unspecified"
    /// `authority`: the URL of our web front end; nil means `http://<hostname>/ganglia/` (gmetad's).
    public var authority: String?
    /// `bind`: the address the XML, interactive and HTTP ports listen on (`::` accepts IPv4 too).
    public var bind = "::"
    /// `xml_port`: the whole grid as XML to anyone trusted who connects.
    public var xmlPort = 8651
    /// `interactive_port`: one request line (a path, `?filter=summary`, `GET … HTTP/1.x`, `/status`).
    public var interactivePort = 8652
    /// `http_port`: the web dashboard and JSON API.
    public var httpPort = 8080
    /// `http_trusted_hosts`: addresses and CIDR blocks allowed to read the dashboard and API
    /// (besides 127.0.0.1 and ::1); empty: everyone may read (Plexus addition).
    public var httpTrustedHosts: [CIDRBlock] = []
    /// `events_token`: the bearer token that may add and remove events through the API; nil:
    /// the API takes no writes (Plexus addition).
    public var eventsToken: String?
    /// `[tv]`: the wall screen (`/tv`).
    public var wallScreen = WallScreen()
    /// `[alerting]` and the `[[alert]]` rules (`docs/alerts.md`).
    public var alerting = AlertingConfiguration()
    public var alerts: [AlertRule] = []
    /// `metrics_host_values`: `/metrics` also carries the latest value of every host metric
    /// (Plexus addition; a large grid makes a large page).
    public var metricsHostValues = false
    /// `trusted_hosts`: addresses and CIDR blocks (IPv4 and IPv6) allowed on the XML and
    /// interactive ports, besides 127.0.0.1 and ::1.
    public var trustedHosts: [CIDRBlock] = []
    /// `all_trusted`: answer anyone.
    public var allTrusted = false
    /// `server_timeout`: seconds a client of the XML or interactive port gets to send its
    /// request and read the answer (Plexus addition; gmetad has none, issue #223).
    public var serverTimeout: Double = 10
    /// `tls_cert`, `tls_key`, `tls_client_ca`: serve the XML and interactive ports over TLS (a
    /// gmetad can't poll them then; plexus aggregators with `tls = true` can).
    public var tls: ServerTLS?
    /// `max_clients`: open client connections over the XML, interactive and HTTP ports
    /// together, lowered at start to fit the descriptor limit with a reserve for polls and
    /// archives; `max_clients_per_address`: from one address (one /64 for IPv6). Past them a
    /// client is closed as it is accepted (Plexus additions; `docs/security.md`).
    public var maxClients = 512
    public var maxClientsPerAddress = 32
    /// `http_idle_timeout`: seconds an HTTP connection may take to send a request, or sit idle
    /// between requests, before it is closed (Plexus addition).
    public var httpIdleTimeout: Double = 15
    /// `max_hosts_per_source`, `max_metrics_per_host`: what one data source may make us hold
    /// (`SourceAssembler.Options`); `max_new_series_per_host`, `max_new_series_per_cluster`: new
    /// RRD files a minute (`SeriesBudget`); `rrd_keep_free`: percent of the archives'
    /// filesystem left free, below which no file is created (Plexus additions;
    /// `docs/security.md`).
    public var maxHostsPerSource = 20_000
    public var maxMetricsPerHost = 2_000
    public var maxNewSeriesPerHost = 200
    public var maxNewSeriesPerCluster = 10_000
    public var rrdKeepFree: Double = 5
    /// `rrd_rootdir`.
    public var rrdRootdir = "/var/lib/ganglia/rrds"
    /// `rrdcached_address`: `unix:/path`, `/path`, `host`, `host:port` or `[v6]:port`.
    public var rrdcachedAddress: String?
    /// `rrdcached_fallback_after`: seconds rrdcached may be unreachable before the writer
    /// writes files directly; 0 = never (Plexus addition).
    public var rrdcachedFallbackAfter: UInt32 = 30
    /// `scalable`: keep only a child grid's summary (on), or adopt its clusters (off).
    public var scalable = true
    /// `backfill_seconds`: the longest outage back-filled from a source's history (Plexus, issue
    /// 18; `docs/aggregator.md#back-fill`); 0: no back-fill.
    public var backfillSeconds: UInt32 = 3600
    /// `live_tail_seconds`: the last values of every archived series kept in memory and spliced
    /// onto graphs and exports (Plexus, issue 18; `docs/aggregator.md#live-tail`); 0: none.
    public var liveTailSeconds: UInt32 = 900
    /// `live_tail_max_values`: values the live tail may hold in all, 12 bytes each.
    public var liveTailMaxValues = 5_000_000
    /// `history_port`: serve our own history (the live tail's host series) to a parent
    /// aggregator's back-fill (`docs/format/history.md`); nil: not served.
    public var historyPort: Int?
    /// `write_rrds`.
    public var writeRRDs = true
    /// `carbon_server` and the other Graphite keys, `[[remote_write]]`, `export_metrics`
    /// (`docs/exports.md`).
    public var exports = ExportConfiguration()
    /// `RRAs`.
    public var archives = RRASpec.gmetadDefaults
    /// `case_sensitive_hostnames`: false lower-cases host directories (gmetad's code default is true).
    public var caseSensitiveHostnames = true
    /// `unsummarized_metrics`: metric name prefixes left out of cluster and grid summaries.
    public var unsummarizedMetrics: [String] = []
    /// `[[data_source]]`.
    public var dataSources: [DataSource] = [
        DataSource(name: "my cluster", transport: .poll([Endpoint(host: "localhost")]))
    ]

    public init() {}

    /// The addresses every port trusts, as gmetad trusts them: 127.0.0.1 and ::1 (not all of
    /// 127.0.0.0/8: one rule for 8651, 8652 and the HTTP port).
    public static let alwaysTrusted = [CIDRBlock("127.0.0.1/32")!, CIDRBlock("::1/128")!]

    /// The allow-list the servers use: nil (anyone) when all are trusted, else the trusted
    /// hosts plus the loopback addresses.
    public var serverAllowList: [CIDRBlock]? {
        if allTrusted { return nil }
        return Self.alwaysTrusted + trustedHosts
    }

    /// Who may read the web side: everyone without `http_trusted_hosts`, else loopback and those.
    public var httpAllowList: [CIDRBlock] {
        httpTrustedHosts.isEmpty ? [] : Self.alwaysTrusted + httpTrustedHosts
    }

    /// How a source's documents are read, with its bounds.
    public var readerOptions: SourceAssembler.Options {
        var options = SourceAssembler.Options(scalable: scalable, unsummarized: unsummarizedMetrics)
        options.maxHosts = maxHostsPerSource
        options.maxMetricsPerHost = maxMetricsPerHost
        return options
    }

    /// The shortest step of all sources: how often the root summary is written.
    public var shortestStep: UInt32 { dataSources.map(\.step).min() ?? 15 }

    /// Whether `metric` is left out of summaries (`unsummarized_metrics`, a prefix match).
    public func isUnsummarized(_ metric: String) -> Bool {
        unsummarizedMetrics.contains { metric.hasPrefix($0) }
    }
}

extension AggregatorConfiguration {
    /// `[tv]`: what the wall screen shows and how it moves (Plexus addition).
    public struct WallScreen: Sendable, Equatable {
        /// `clusters`: one slide each, in this order; empty: every cluster. The grid comes first.
        public var clusters: [String] = []
        /// `reports`: the graphs of each slide.
        public var reports = ["load", "cpu", "mem", "network"]
        /// `range`: hour, 2hr, 4hr, day, week, month or year.
        public var range = "4hr"
        /// `rotate`: seconds per slide; `refresh`: seconds between graph reloads.
        public var rotate: UInt32 = 20
        public var refresh: UInt32 = 60

        public init() {}

        /// The reports and ranges the graphs know (`GraphRequest` in PlexusArchive).
        public static let knownReports = ["load", "cpu", "mem", "network", "probes"]
        public static let knownRanges = ["hour", "2hr", "4hr", "day", "week", "month", "year"]
    }
}
