/// Reading the aggregator's TOML. Every key name of the aggregator's configuration appears in
/// this file only (the alerting keys in `AggregatorConfiguration+Alerting.swift`); the meaning of
/// each is documented on `AggregatorConfiguration`.
extension AggregatorConfiguration {
    /// Parses and validates `text` (the content of `file`, named in every error).
    public static func parse(_ text: String, file: String) throws(ConfigError) -> AggregatorConfiguration {
        var t = try ConfigTable.parse(text, file: file)
        var c = AggregatorConfiguration()
        if let name = try t.string("gridname") {
            if let problem = GridName.error(for: name) { throw t.error("gridname", "\(problem)") }
            c.gridname = name
        }
        c.authority = try t.string("authority") ?? c.authority
        c.bind = try AgentConfiguration.address(&t, "bind") ?? c.bind
        c.xmlPort = try t.integer("xml_port", in: 0...65535) ?? c.xmlPort
        c.interactivePort = try t.integer("interactive_port", in: 0...65535) ?? c.interactivePort
        c.httpPort = try t.integer("http_port", in: 0...65535) ?? c.httpPort
        for (i, text) in (try t.strings("http_trusted_hosts") ?? []).enumerated() {
            guard let block = CIDRBlock(text) else {
                throw t.error("http_trusted_hosts[\(i)]", "\(text.debugDescription) is not an IP address or CIDR block (names are not resolved)")
            }
            c.httpTrustedHosts.append(block)
        }
        if let token = try t.string("events_token") {
            guard token.count >= 16, token.allSatisfy({ $0.isASCII && !$0.isWhitespace && !$0.isNewline }) else {
                throw t.error("events_token", "use at least 16 printable ASCII characters without spaces (e.g. openssl rand -hex 16)")
            }
            c.eventsToken = token
        }
        c.metricsHostValues = try t.bool("metrics_host_values") ?? c.metricsHostValues
        if let table = try t.table("tv") { c.wallScreen = try readWallScreen(table) }
        if let table = try t.table("alerting") { c.alerting = try readAlerting(table) }
        if let tables = try t.tables("alert") { c.alerts = try tables.map { t throws(ConfigError) in try readAlertRule(t) } }
        for (i, text) in (try t.strings("trusted_hosts") ?? []).enumerated() {
            guard let block = CIDRBlock(text) else {
                throw t.error("trusted_hosts[\(i)]", "\(text.debugDescription) is not an IP address or CIDR block (names are not resolved)")
            }
            c.trustedHosts.append(block)
        }
        c.allTrusted = try t.bool("all_trusted") ?? c.allTrusted
        c.serverTimeout = try t.number("server_timeout", in: 0.1...3600) ?? c.serverTimeout
        c.tls = try AgentConfiguration.readServerTLS(&t)
        c.maxClients = try t.integer("max_clients", in: 1...1_000_000) ?? c.maxClients
        c.maxClientsPerAddress = try t.integer("max_clients_per_address", in: 1...1_000_000) ?? c.maxClientsPerAddress
        c.httpIdleTimeout = try t.number("http_idle_timeout", in: 0.1...3600) ?? c.httpIdleTimeout
        c.maxHostsPerSource = try t.integer("max_hosts_per_source", in: 1...10_000_000) ?? c.maxHostsPerSource
        c.maxMetricsPerHost = try t.integer("max_metrics_per_host", in: 1...1_000_000) ?? c.maxMetricsPerHost
        c.maxNewSeriesPerHost = try t.integer("max_new_series_per_host", in: 1...100_000_000) ?? c.maxNewSeriesPerHost
        c.maxNewSeriesPerCluster = try t.integer("max_new_series_per_cluster", in: 1...100_000_000) ?? c.maxNewSeriesPerCluster
        c.rrdKeepFree = try t.number("rrd_keep_free", in: 0...99) ?? c.rrdKeepFree
        c.rrdRootdir = try t.string("rrd_rootdir") ?? c.rrdRootdir
        if c.rrdRootdir.isEmpty { throw t.error("rrd_rootdir", "must not be empty") }
        c.rrdcachedAddress = try t.string("rrdcached_address")
        if c.rrdcachedAddress?.isEmpty == true { throw t.error("rrdcached_address", "must not be empty (leave it out to write files directly)") }
        if let text = c.rrdcachedAddress, RRDCachedAddress(text) == nil {
            throw t.error("rrdcached_address", "expected unix:/path, /path, host, host:port or [v6]:port, found \(text.debugDescription)")
        }
        c.rrdcachedFallbackAfter = try t.seconds("rrdcached_fallback_after") ?? c.rrdcachedFallbackAfter
        c.scalable = try t.bool("scalable") ?? c.scalable
        c.backfillSeconds = try t.seconds("backfill_seconds") ?? c.backfillSeconds
        guard c.backfillSeconds <= 86_400 else { throw t.error("backfill_seconds", "at most 86400 (a day)") }
        c.liveTailSeconds = try t.seconds("live_tail_seconds") ?? c.liveTailSeconds
        guard c.liveTailSeconds <= 86_400 else { throw t.error("live_tail_seconds", "at most 86400 (a day)") }
        c.liveTailMaxValues = try t.integer("live_tail_max_values", in: 1...1_000_000_000) ?? c.liveTailMaxValues
        if let port = try t.integer("history_port", in: 0...65535), port != 0 { c.historyPort = port }
        c.writeRRDs = try t.bool("write_rrds") ?? c.writeRRDs
        c.exports = try readExports(&t)
        if let texts = try t.strings("RRAs") {
            c.archives = []
            for (i, text) in texts.enumerated() {
                guard let spec = RRASpec(text) else {
                    throw t.error("RRAs[\(i)]", "expected RRA:CF:xff:steps:rows (e.g. RRA:AVERAGE:0.5:1:5856), found \(text.debugDescription)")
                }
                c.archives.append(spec)
            }
            if c.archives.isEmpty { throw t.error("RRAs", "needs at least one archive") }
        }
        c.caseSensitiveHostnames = try t.bool("case_sensitive_hostnames") ?? c.caseSensitiveHostnames
        c.unsummarizedMetrics = try t.strings("unsummarized_metrics") ?? c.unsummarizedMetrics
        if let tables = try t.tables("data_source") {
            c.dataSources = try tables.map { t throws(ConfigError) in try readDataSource(t) }
        }
        try t.finish()
        try c.validate(file: file)
        return c
    }

    private static func readWallScreen(_ table: ConfigTable) throws(ConfigError) -> WallScreen {
        var t = table
        var tv = WallScreen()
        tv.clusters = try t.strings("clusters") ?? tv.clusters
        tv.reports = try t.strings("reports") ?? tv.reports
        for (i, report) in tv.reports.enumerated() where !WallScreen.knownReports.contains(report) {
            throw t.error("reports[\(i)]", "unknown report \(report.debugDescription) (known: \(WallScreen.knownReports.joined(separator: ", ")))")
        }
        if tv.reports.isEmpty { throw t.error("reports", "needs at least one report") }
        tv.range = try t.string("range") ?? tv.range
        if !WallScreen.knownRanges.contains(tv.range) {
            throw t.error("range", "unknown range \(tv.range.debugDescription) (known: \(WallScreen.knownRanges.joined(separator: ", ")))")
        }
        tv.rotate = try t.seconds("rotate") ?? tv.rotate
        tv.refresh = try t.seconds("refresh") ?? tv.refresh
        if tv.rotate < 5 { throw t.error("rotate", "at least 5 seconds a slide") }
        if tv.refresh < 10 { throw t.error("refresh", "at least 10 seconds between refreshes") }
        try t.finish()
        return tv
    }

    private static func readDataSource(_ table: ConfigTable) throws(ConfigError) -> DataSource {
        var t = table
        guard let name = try t.string("name") else { throw t.error("name", "every data_source needs a name") }
        if let problem = ClusterName.error(for: name) { throw t.error("name", "\(problem)") }
        let step = try t.seconds("step", minimum: 1) ?? 15
        let hosts = try t.strings("hosts")
        var listen = try t.table("listen")
        var security = AgentConfiguration.Security()
        if listen != nil { security = try AgentConfiguration.readSecurity(&listen!, sends: false) }
        let transport: DataSource.Transport
        switch (hosts, listen) {
        case (let hosts?, nil):
            var endpoints: [Endpoint] = []
            for (i, text) in hosts.enumerated() {
                guard let endpoint = Endpoint(text) else {
                    throw t.error("hosts[\(i)]", "expected host, host:port or [v6]:port, found \(text.debugDescription)")
                }
                endpoints.append(endpoint)
            }
            guard !endpoints.isEmpty else { throw t.error("hosts", "needs at least one host:port") }
            transport = .poll(endpoints)
        case (nil, let listen?):
            transport = .listen(try AgentConfiguration.readReceiveChannel(listen))
        default:
            throw t.error("hosts", "a data_source needs exactly one of hosts (poll XML ports) or [data_source.listen] (hear UDP)")
        }
        var source = DataSource(name: name, step: step, transport: transport)
        source.connectTimeout = try t.number("connect_timeout", in: 0.01...600) ?? source.connectTimeout
        source.timeout = try t.number("timeout", in: 0.01...3600) ?? source.timeout
        source.hostTmax = try t.seconds("host_tmax") ?? source.hostTmax
        source.hostDmax = try t.seconds("host_dmax") ?? source.hostDmax
        source.security = security
        source.tls = try AgentConfiguration.readClientTLS(&t)
        if source.tls != nil, case .listen = transport { throw t.error("tls", "a listened source hears UDP; TLS is for polls") }
        source.historyPort = try t.integer("history_port", in: 0...65535)
        if source.historyPort != nil, case .listen = transport {
            throw t.error("history_port", "a listened source hears UDP; there is no one to ask for history")
        }
        try t.finish()
        return source
    }

    /// Cross-field rules.
    func validate(file: String) throws(ConfigError) {
        func fail(_ key: String, _ reason: String) -> ConfigError { ConfigError(file: file, key: key, reason: reason) }
        guard !dataSources.isEmpty else { throw fail("data_source", "at least one [[data_source]] is needed") }
        var names: Set<String> = []
        var udpPorts: [Int: Int] = [:]
        for (i, source) in dataSources.enumerated() {
            if !names.insert(source.name).inserted {
                throw fail("data_source[\(i)].name", "another data_source is already called \(source.name.debugDescription)")
            }
            if case .listen(let channel) = source.transport, channel.port != 0 {
                if let other = udpPorts[channel.port], dataSources[other].listenGroup == source.listenGroup {
                    throw fail("data_source[\(i)].listen.port", "data_source[\(other)] already listens on port \(channel.port) for the same group")
                }
                udpPorts[channel.port] = i
            }
        }
        let ports = [("xml_port", xmlPort), ("interactive_port", interactivePort), ("http_port", httpPort)].filter { $0.1 != 0 }
        for (i, a) in ports.enumerated() {
            if let b = ports[..<i].first(where: { $0.1 == a.1 }) { throw fail(a.0, "port \(a.1) is already the \(b.0)") }
        }
        for (i, prefix) in unsummarizedMetrics.enumerated() where prefix.isEmpty {
            throw fail("unsummarized_metrics[\(i)]", "an empty prefix would leave every metric out of the summaries")
        }
    }
}

extension AggregatorConfiguration.DataSource {
    /// The multicast group (or unicast bind) a listened source hears, to tell two apart.
    var listenGroup: String? {
        guard case .listen(let channel) = transport else { return nil }
        return channel.mcastJoin ?? channel.bind
    }
}
