extension AgentConfiguration {
    /// The built-in configuration as TOML, printed by `plexus-agent --print-default-config` and
    /// kept identical to `config/agent.toml` (a test checks both parse to `AgentConfiguration()`).
    public static let defaultTOML = #"""
        # plexus-agent configuration (TOML), in gmond.conf's vocabulary: the same sections and keys,
        # the same defaults. This is the built-in default (`plexus-agent --print-default-config`);
        # every key may be left out. Check a file with `plexus-agent --check --config FILE`.

        [globals]
        deaf = false                  # true: no receive channels, no TCP XML
        mute = false                  # true: don't send our own metrics
        host_dmax = 86400             # seconds before a silent host is forgotten (0 = never)
        host_tmax = 20                # our heartbeat interval, shown as the host TMAX
        cleanup_threshold = 300       # seconds between expiry passes
        send_metadata_interval = 60   # resend metadata this often (gmond: 0 = never; 60 suits unicast)
        max_udp_msg_len = 1472
        # override_hostname = "web1.example.com"   # send our metrics as this host (spoofed)
        # override_ip = "10.0.0.5"
        tags = ""
        # Bounds on what we hold from others (Plexus additions, docs/security.md): past one, the newest
        # host, metric or metadata is refused and counted, never one already held.
        max_hosts = 10000
        max_metrics_per_host = 2000
        max_metrics = 500000          # over all hosts
        max_metadata_bytes_per_metric = 2048
        max_metadata_bytes_per_host = 262144
        max_metadata_bytes = 67108864 # 64 MiB over all hosts
        max_metadata_requests_per_second = 20   # asks for unknown metrics' metadata, on every send channel
        max_clients = 64              # open XML connections, all ports together (docs/security.md)
        max_clients_per_address = 16  # ... from one address (one /64 for IPv6)
        # Recent values kept for aggregators to back-fill after an outage (docs/format/history.md),
        # served on a tcp_accept_channel's history_port. 12 bytes a value.
        history_seconds = 3600        # 0: keep none
        history_all_hosts = false     # true: every host heard, not only ours (the agents a data source polls)
        history_max_values = 1000000  # in all; past it a new series is refused and counted
        # Plugins (docs/plugins.md): where Munin plugins find plugins/plugin.sh (MUNIN_LIBDIR) and keep
        # their state (MUNIN_PLUGSTATE, created when a Munin plugin is configured).
        munin_libdir = "/usr/share/munin"
        plugin_state_dir = "/var/lib/plexus/plugin-state"

        [cluster]
        name = "unspecified"
        owner = "unspecified"
        latlong = "unspecified"
        url = "unspecified"

        [host]
        location = "unspecified"      # conventionally "rack,rank,plane"

        # Where our datagrams go: a multicast group (mcast_join, ttl, mcast_if) or a unicast host.
        # Optional: bind = "SOURCE-IP"; sign = false sends this channel plain even with [security] key_file
        # (for gmonds still on it). Any number of channels; every message goes to all of them.
        [[udp_send_channel]]
        mcast_join = "239.2.11.71"
        port = 8649
        ttl = 1

        # Where we listen. Optional: family = "inet6", buffer = BYTES, allow = ["10.0.0.0/8", "::1"] (empty: anyone),
        # deny = ["10.9.0.0/16"] (refused even where allow would take them: gmond acl's action = "deny").
        [[udp_recv_channel]]
        mcast_join = "239.2.11.71"
        bind = "239.2.11.71"
        port = 8649

        # Where we serve the cluster as Ganglia XML. Optional: bind, gzip_output, timeout, allow, deny, and TLS
        # (docs/security.md#tls; gmetad can't poll a TLS port, plexus-aggregator with tls = true can):
        # tls_cert = "/etc/plexus/tls/agent.pem", tls_key = "/etc/plexus/tls/agent.key", and for mutual
        # TLS tls_client_ca = "/etc/plexus/tls/ca.pem" (pollers must present a certificate it signed).
        # history_port serves the recent values to plexus-aggregator's back-fill (gmetad never asks), with
        # the channel's bind, allow, gzip_output and TLS; 0 or absent: not served.
        [[tcp_accept_channel]]
        port = 8649
        history_port = 8659

        # Signed datagrams (docs/security.md, docs/format/signed.md). Off by default, as in Ganglia.
        # [security]
        # key_file = "/etc/plexus/web-1.key"     # sign what we send (plexus keygen --host web-1 -o ...)
        # keyring = "/etc/plexus/keyring.toml"   # the keys we accept, each bound to its hosts
        # require_signed = false                 # true: plain Ganglia datagrams are refused ...
        # accept_unsigned_from = ["10.1.0.0/24"] # ... except from these addresses (legacy gmonds)
        # replay_window = 60                     # seconds a signed datagram's clock may be off

        # Response-time probes, reported as probe_<name>_ms, probe_<name>_up, probe_<name>_status:
        # [[probe]]
        # name = "api"
        # url = "https://api.example.com/health"   # or: tcp = "db.internal:5432"
        # expect_status = 200
        # interval = 30
        # timeout = 5

        # Plugins (docs/plugins.md), none by default. Each runs every interval seconds, never through a
        # shell, killed after timeout seconds or past max_output_bytes of output; at most max_metrics
        # metrics each (500). Counted as plugin_<name>_runs, _failures, _timeouts, _metrics.
        # A Munin plugin, run as munin-node runs it; its fields are metrics named PLUGIN.FIELD:
        # [[plugin]]
        # name = "load"
        # munin = "/usr/share/munin/plugins/load"
        # interval = 60
        # timeout = 10
        # [plugin.env]                             # Munin's plugin-conf.d env.* lines
        # LANG = "C"
        # A command printing Prometheus text ("prometheus") or NAME VALUE [TYPE [UNITS]] lines ("gmetric"):
        # [[plugin]]
        # name = "inotify"
        # command = ["/usr/share/prometheus-node-exporter-collectors/inotify-instances"]
        # format = "prometheus"
        # interval = 60
        # timeout = 20
        # Optional for every plugin: max_metrics, max_output_bytes, group (GROUP of its metrics),
        # dmax (seconds before receivers forget a metric it stopped reporting; default 10 intervals).
        # A gmond Python module (NAME.py in path), unchanged, in a python3 process of its own:
        # [[module]]
        # name = "example"
        # language = "python"
        # path = "/usr/lib/plexus/python_modules"
        # interval = 60
        # [module.params]                          # metric_init(params)
        # RandomMax = "600"
        # node_exporter's textfile collector: the *.prom files cron jobs write there (counted as "textfile"):
        # [textfile]
        # directory = "/var/lib/plexus/textfile"
        # interval = 60

        # Collection groups (gmond's defaults): collect every collect_every seconds, send at least every
        # time_threshold seconds, and at once when a value moves by its value_threshold. A metric entry
        # may take plugins' metrics by a regular expression instead of a name, as gmond's name_match:
        # name_match = "^node_filesystem_avail_bytes\\." (the others go out each time their plugin runs).

        [[collection_group]]
        collect_once = true
        time_threshold = 20
        [[collection_group.metric]]
        name = "heartbeat"

        [[collection_group]]
        collect_every = 60
        time_threshold = 60
        [[collection_group.metric]]
        name = "cpu_num"
        title = "CPU Count"
        [[collection_group.metric]]
        name = "cpu_speed"
        title = "CPU Speed"
        [[collection_group.metric]]
        name = "mem_total"
        title = "Memory Total"
        [[collection_group.metric]]
        name = "swap_total"
        title = "Swap Space Total"
        [[collection_group.metric]]
        name = "boottime"
        title = "Last Boot Time"
        [[collection_group.metric]]
        name = "machine_type"
        title = "Machine Type"
        [[collection_group.metric]]
        name = "os_name"
        title = "Operating System"
        [[collection_group.metric]]
        name = "os_release"
        title = "Operating System Release"
        [[collection_group.metric]]
        name = "location"
        title = "Location"

        [[collection_group]]
        collect_every = 20
        time_threshold = 90
        [[collection_group.metric]]
        name = "cpu_user"
        value_threshold = 1.0
        title = "CPU User"
        [[collection_group.metric]]
        name = "cpu_system"
        value_threshold = 1.0
        title = "CPU System"
        [[collection_group.metric]]
        name = "cpu_idle"
        value_threshold = 5.0
        title = "CPU Idle"
        [[collection_group.metric]]
        name = "cpu_nice"
        value_threshold = 1.0
        title = "CPU Nice"
        [[collection_group.metric]]
        name = "cpu_aidle"
        value_threshold = 5.0
        title = "CPU aidle"
        [[collection_group.metric]]
        name = "cpu_wio"
        value_threshold = 1.0
        title = "CPU wio"
        [[collection_group.metric]]
        name = "cpu_steal"
        value_threshold = 1.0
        title = "CPU steal"
        [[collection_group.metric]]
        name = "cpu_intr"
        value_threshold = 1.0
        title = "CPU intr"
        [[collection_group.metric]]
        name = "cpu_sintr"
        value_threshold = 1.0
        title = "CPU sintr"

        [[collection_group]]
        collect_every = 20
        time_threshold = 90
        [[collection_group.metric]]
        name = "load_one"
        value_threshold = 1.0
        title = "One Minute Load Average"
        [[collection_group.metric]]
        name = "load_five"
        value_threshold = 1.0
        title = "Five Minute Load Average"
        [[collection_group.metric]]
        name = "load_fifteen"
        value_threshold = 1.0
        title = "Fifteen Minute Load Average"

        [[collection_group]]
        collect_every = 80
        time_threshold = 950
        [[collection_group.metric]]
        name = "proc_run"
        value_threshold = 1.0
        title = "Total Running Processes"
        [[collection_group.metric]]
        name = "proc_total"
        value_threshold = 1.0
        title = "Total Processes"

        [[collection_group]]
        collect_every = 40
        time_threshold = 180
        [[collection_group.metric]]
        name = "mem_free"
        value_threshold = 1024.0
        title = "Free Memory"
        [[collection_group.metric]]
        name = "mem_shared"
        value_threshold = 1024.0
        title = "Shared Memory"
        [[collection_group.metric]]
        name = "mem_buffers"
        value_threshold = 1024.0
        title = "Memory Buffers"
        [[collection_group.metric]]
        name = "mem_cached"
        value_threshold = 1024.0
        title = "Cached Memory"
        [[collection_group.metric]]
        name = "mem_available"
        value_threshold = 1024.0
        title = "Available Memory"
        [[collection_group.metric]]
        name = "swap_free"
        value_threshold = 1024.0
        title = "Free Swap Space"

        [[collection_group]]
        collect_every = 40
        time_threshold = 300
        [[collection_group.metric]]
        name = "bytes_out"
        value_threshold = 4096.0
        title = "Bytes Sent"
        [[collection_group.metric]]
        name = "bytes_in"
        value_threshold = 4096.0
        title = "Bytes Received"
        [[collection_group.metric]]
        name = "pkts_in"
        value_threshold = 256.0
        title = "Packets Received"
        [[collection_group.metric]]
        name = "pkts_out"
        value_threshold = 256.0
        title = "Packets Sent"

        [[collection_group]]
        collect_every = 1800
        time_threshold = 3600
        [[collection_group.metric]]
        name = "disk_total"
        value_threshold = 1.0
        title = "Total Disk Space"

        [[collection_group]]
        collect_every = 40
        time_threshold = 180
        [[collection_group.metric]]
        name = "disk_free"
        value_threshold = 1.0
        title = "Disk Space Available"
        [[collection_group.metric]]
        name = "part_max_used"
        value_threshold = 1.0
        title = "Maximum Disk Space Used"

        """#
}
