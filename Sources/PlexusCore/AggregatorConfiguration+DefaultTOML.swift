extension AggregatorConfiguration {
    /// The built-in configuration as TOML, printed by `plexus-aggregator --print-default-config`
    /// and kept identical to `config/aggregator.toml` (a test checks both parse to
    /// `AggregatorConfiguration()`).
    public static let defaultTOML = #"""
        # plexus-aggregator configuration (TOML), in gmetad.conf's vocabulary: the same keys, the same
        # defaults. This is the built-in default (`plexus-aggregator --print-default-config`); every key
        # may be left out. Check a file with `plexus-aggregator --check --config FILE`.

        gridname = "unspecified"        # NAME of the GRID wrapping our XML
        # authority = "http://monitor.example.com/ganglia/"   # default: http://<this host>/ganglia/

        bind = "::"                     # the servers' address; "::" accepts IPv4 and IPv6
        xml_port = 8651                 # the whole grid as XML (what a parent aggregator or gmetad polls)
        interactive_port = 8652         # path queries: /cluster/host?filter=summary, GET ... HTTP/1.1, /status
        http_port = 8080                # web dashboard, graphs, JSON and events API, /metrics (0 = off)
        http_trusted_hosts = []         # who may read it besides 127.0.0.1 and ::1; empty: everyone
        # events_token = "..."          # bearer token for POST/DELETE /api/v1/events (openssl rand -hex 16)
        metrics_host_values = false     # /metrics also lists every host metric's latest value

        # Who may read the XML and interactive ports, besides 127.0.0.1 and ::1: addresses and CIDR
        # blocks, IPv4 or IPv6 (names are not resolved).
        trusted_hosts = []
        all_trusted = false
        server_timeout = 10             # seconds a client gets to ask and read (Plexus addition)
        # TLS on xml_port and interactive_port (docs/security.md#tls); a gmetad can't poll them then:
        # tls_cert = "/etc/plexus/tls/aggregator.pem"
        # tls_key = "/etc/plexus/tls/aggregator.key"
        # tls_client_ca = "/etc/plexus/tls/ca.pem"   # mutual TLS: clients need a certificate it signed

        # Bounds on what clients can hold (Plexus additions; docs/security.md). max_clients counts the
        # XML, interactive and HTTP ports together and is lowered at start to fit the descriptor limit.
        max_clients = 512
        max_clients_per_address = 32    # one /64 for IPv6
        http_idle_timeout = 15          # seconds an HTTP client may take to ask, or sit idle

        # Round-robin archives, in gmetad's layout: rrd_rootdir/<cluster>/<host>/<metric>.rrd,
        # rrd_rootdir/<cluster>/__SummaryInfo__/, rrd_rootdir/__SummaryInfo__/.
        write_rrds = true
        rrd_rootdir = "/var/lib/ganglia/rrds"
        # rrdcached_address = "unix:/var/run/rrdcached.sock"   # or "host:port", "[v6]:port"
        rrdcached_fallback_after = 30   # seconds without rrdcached before writing directly (0 = never)
        RRAs = [
            "RRA:AVERAGE:0.5:1:5856",   # a day at 15 s
            "RRA:AVERAGE:0.5:4:20160",  # 14 days at 1 min
            "RRA:AVERAGE:0.5:40:52704", # a year at 10 min
        ]
        case_sensitive_hostnames = true # false: host directories lower-cased

        # Bounds on what data sources can make us hold and write (Plexus additions; docs/security.md).
        # Past one, the newest host, metric or series is refused, counted and listed in /status; what
        # is already held or archived never is.
        max_hosts_per_source = 20000
        max_metrics_per_host = 2000
        max_new_series_per_host = 200      # new RRD files a minute
        max_new_series_per_cluster = 10000 # ... for a cluster, its hosts and summary together
        rrd_keep_free = 5                  # percent of the archives' filesystem kept free: no new file below it
        unsummarized_metrics = []       # name prefixes left out of cluster and grid summaries, e.g. ["disk_", "temp"]

        # Federation: a data_source may be another aggregator's (or gmetad's) xml_port. scalable = true

        # Back-fill (docs/aggregator.md#back-fill): after an outage (our restart, failed or missed polls)
        # ask each polled source for the values we missed and write them before resuming, so the archives
        # carry no hole. Agents serve them on history_port (docs/format/history.md).
        backfill_seconds = 3600         # the longest outage filled; 0: none
        # The live tail: the last values of every archived series in memory, spliced onto graphs and
        # exports, so they show the newest poll even while rrdcached holds writes, without a FLUSH (a file
        # further behind than the tail is read with what rrdcached holds for it: PENDING).
        live_tail_seconds = 900         # 0: none (graphs flush rrdcached, as before)
        live_tail_max_values = 5000000  # 12 bytes each; past it a new series is read from its file alone
        # A parent aggregator back-fills from us on this port (our live tail's host series; a parent asks
        # its data source's port + 10 by default). Off unless set:
        # history_port = 8661
        # keeps only the child grid's summary; false adopts its clusters as our own.
        scalable = true

        # Exports (docs/exports.md): every polled host value and the summaries, streamed besides the
        # archives (write_rrds = false: exports only), through a bounded queue per destination that
        # never holds a poll up. Graphite's carbon, in gmetad's words (off without carbon_server):
        # carbon_server = "graphite.example"
        # carbon_port = 2003
        # carbon_protocol = "tcp"         # one lasting connection; or "udp"
        # carbon_timeout = 500            # milliseconds to connect, and for each write
        # graphite_prefix = "ganglia"
        # graphite_path = "%s.%h.%m"      # %s cluster, %h host, %m metric
        # carbon_queue_capacity = 250000  # values waiting while carbon is away; past it the oldest go
        # Which metrics go to every destination (globs; default: all):
        # export_metrics = ["load_*", "cpu_*", "bytes_*"]

        # The wall screen (/tv): the grid, then one slide per cluster, rotating and refreshing itself.
        [tv]
        clusters = []                   # which clusters, in order; empty: all
        reports = ["load", "cpu", "mem", "network"]   # also: probes
        range = "4hr"                   # hour, 2hr, 4hr, day, week, month, year
        rotate = 20                     # seconds per slide
        refresh = 60                    # seconds between graph reloads

        # Alerts (docs/alerts.md): rules evaluated on what the aggregator holds, sent to Alertmanager,
        # a webhook or a command. Without [[alert]] rules nothing is evaluated.
        # [alerting]
        # alertmanager_url = "http://127.0.0.1:9093"   # Alertmanager's v2 API
        # webhook_url = "https://chat.example/hook"     # a JSON POST per change
        # command = "/usr/local/bin/page-someone"       # run per change, the alert as JSON on stdin
        # evaluation_interval = 15                      # seconds; default: the shortest data source step
        # resend_interval = 60                          # firing alerts are re-sent to Alertmanager this often
        # dashboard_url = "http://monitor.example:8080" # links in alerts; default http://<this host>:<http_port>
        # timeout = 10                                  # seconds a delivery (POST or command) may take
        #
        # [[alert]]
        # name = "HighLoad"             # the alertname label
        # metric = "load_one"           # a metric name or glob
        # cluster = "web*"              # globs over cluster and host names; default "*"
        # host = "*"
        # above = 4.0                   # or below = ...
        # clear = 3.0                   # resolves only past this (hysteresis); default: the threshold
        # for = 60                      # seconds the condition holds before it fires; default 0
        # severity = "warning"
        # summary = "load {{value}} on {{host}}"
        #
        # [[alert]]
        # name = "HostDown"
        # kind = "host_down"            # also: stale (stale_factor x TMAX without an update), source_down, anomaly
        #
        # [[alert]]
        # name = "OddTraffic"
        # kind = "anomaly"              # RRDtool's Holt-Winters forecast on the metric's archives
        # metric = "bytes_in"
        # season = 86400                # seconds; alpha = 0.1, beta = 0.0035, gamma = 0.1,
        #                               # failure_window = 9, failure_threshold = 7
        #
        # [[alert]]
        # name = "ClusterBusy"
        # metric = "cpu_user"
        # scope = "cluster"             # the cluster's summary (aggregate = "mean" or "sum"); "grid": the whole grid
        # above = 80

        # Prometheus remote-write receivers (Prometheus with --web.enable-remote-write-receiver, Mimir,
        # Thanos Receive, Cortex, VictoriaMetrics), one [[remote_write]] each:
        # [[remote_write]]
        # url = "http://prometheus.example:9090/api/v1/write"
        # name = "prometheus"             # in logs and /status; default: the URL's host:port
        # bearer_token_file = "/etc/plexus/remote-write.token"   # or basic_auth_username and basic_auth_password_file
        # ca_file = "/etc/plexus/tls/ca.pem"   # https: trust this CA instead of the system's
        # remote_timeout = 30             # seconds a request may take
        # queue_capacity = 250000         # samples waiting while it is away; past it the oldest go
        # max_samples_per_send = 2000
        # batch_send_deadline = 5         # seconds a sample waits for its request to fill
        # min_backoff = 0.03              # seconds before a retry, doubling up to max_backoff
        # max_backoff = 5

        # Data sources. Either poll XML ports (hosts are failover alternatives, default port 8649):
        [[data_source]]
        name = "my cluster"
        hosts = ["localhost:8649"]
        step = 15                       # seconds between polls, and the step of the RRD files
        connect_timeout = 5
        timeout = 10
        # history_port = 8659             # where its history is asked for (default: each address's port + 10; 0: no back-fill)
        # tls = true                      # poll over TLS (docs/security.md#tls), trusting ...
        # tls_ca = "/etc/plexus/tls/ca.pem"        # ... this CA (default: the system's CAs)
        # tls_cert = "/etc/plexus/tls/aggregator.pem"   # our certificate, for ports with mutual TLS
        # tls_key = "/etc/plexus/tls/aggregator.key"

        # ... or hear a cluster's UDP traffic directly, with the agent's udp_recv_channel keys:
        # [[data_source]]
        # name = "web"
        # step = 15
        # [data_source.listen]
        # mcast_join = "239.2.11.71"
        # port = 8649
        # Signed datagrams (docs/security.md), as in the agent's [security] but without key_file:
        # keyring = "/etc/plexus/keyring.toml"   # the keys accepted, each bound to its hosts
        # require_signed = false                 # true: plain Ganglia datagrams are refused ...
        # accept_unsigned_from = ["10.1.0.0/24"] # ... except from these addresses (legacy gmonds)
        # replay_window = 60                     # seconds a signed datagram's clock may be off

        """#
}
