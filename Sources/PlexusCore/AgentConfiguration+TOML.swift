/// Reading the agent's TOML. Every key name of the agent's configuration appears in this file
/// only; the meaning of each is documented on `AgentConfiguration`.
extension AgentConfiguration {
    /// Parses and validates `text` (the content of `file`, named in every error).
    public static func parse(_ text: String, file: String) throws(ConfigError) -> AgentConfiguration {
        var root = try ConfigTable.parse(text, file: file)
        var config = AgentConfiguration()
        if var t = try root.table("globals") {
            try readGlobals(&t, into: &config.globals)
            config.pluginEnvironment.muninLibdir = try path(&t, "munin_libdir") ?? config.pluginEnvironment.muninLibdir
            config.pluginEnvironment.stateDirectory = try path(&t, "plugin_state_dir") ?? config.pluginEnvironment.stateDirectory
            try t.finish()
        }
        if var t = try root.table("cluster") {
            config.cluster.name = try t.string("name") ?? config.cluster.name
            config.cluster.owner = try t.string("owner") ?? config.cluster.owner
            config.cluster.latlong = try t.string("latlong") ?? config.cluster.latlong
            config.cluster.url = try t.string("url") ?? config.cluster.url
            try t.finish()
        }
        if var t = try root.table("host") {
            config.location = try t.string("location") ?? config.location
            try t.finish()
        }
        if let tables = try root.tables("udp_send_channel") {
            config.udpSendChannels = try tables.map { t throws(ConfigError) in try readSendChannel(t) }
        }
        if let tables = try root.tables("udp_recv_channel") {
            config.udpReceiveChannels = try tables.map { t throws(ConfigError) in try readReceiveChannel(t) }
        }
        if let tables = try root.tables("tcp_accept_channel") {
            config.tcpAcceptChannels = try tables.map { t throws(ConfigError) in try readAcceptChannel(t) }
        }
        if let tables = try root.tables("collection_group") {
            config.collectionGroups = try tables.map { t throws(ConfigError) in try readCollectionGroup(t) }
        }
        if let tables = try root.tables("probe") {
            config.probes = try tables.map { t throws(ConfigError) in try readProbe(t) }
        }
        if let tables = try root.tables("plugin") {
            config.plugins = try tables.map { t throws(ConfigError) in try readPlugin(t) }
        }
        if let tables = try root.tables("module") {
            config.modules = try tables.map { t throws(ConfigError) in try readModule(t) }
        }
        if var t = try root.table("textfile") {
            config.textfile = try readTextfile(&t)
            try t.finish()
        }
        if var t = try root.table("security") {
            config.security = try readSecurity(&t, sends: true)
            try t.finish()
        }
        try root.finish()
        try config.validate(file: file)
        return config
    }

    private static func readGlobals(_ t: inout ConfigTable, into g: inout Globals) throws(ConfigError) {
        g.deaf = try t.bool("deaf") ?? g.deaf
        g.mute = try t.bool("mute") ?? g.mute
        g.hostDmax = try t.seconds("host_dmax") ?? g.hostDmax
        g.hostTmax = try t.seconds("host_tmax") ?? g.hostTmax
        g.cleanupThreshold = try t.seconds("cleanup_threshold") ?? g.cleanupThreshold
        g.sendMetadataInterval = try t.seconds("send_metadata_interval") ?? g.sendMetadataInterval
        g.maxUDPMessageLength = try t.integer("max_udp_msg_len", in: 576...65507) ?? g.maxUDPMessageLength
        if let name = try t.string("override_hostname") {
            if let problem = HostName.error(for: name) { throw t.error("override_hostname", "\(problem)") }
            g.overrideHostname = name
        }
        if let ip = try t.string("override_ip") {
            guard IPAddress(ip) != nil else { throw t.error("override_ip", "\(ip.debugDescription) is not an IP address") }
            g.overrideIP = ip
        }
        g.tags = try t.string("tags") ?? g.tags
        g.maxHosts = try t.integer("max_hosts", in: 1...1_000_000) ?? g.maxHosts
        g.maxMetricsPerHost = try t.integer("max_metrics_per_host", in: 1...100_000) ?? g.maxMetricsPerHost
        g.maxMetrics = try t.integer("max_metrics", in: 1...100_000_000) ?? g.maxMetrics
        g.maxMetadataBytesPerMetric = try t.integer("max_metadata_bytes_per_metric", in: 256...1_000_000) ?? g.maxMetadataBytesPerMetric
        g.maxMetadataBytesPerHost = try t.integer("max_metadata_bytes_per_host", in: 1024...1 << 40) ?? g.maxMetadataBytesPerHost
        g.maxMetadataBytes = try t.integer("max_metadata_bytes", in: 1024...1 << 50) ?? g.maxMetadataBytes
        g.maxMetadataRequestsPerSecond = try t.integer("max_metadata_requests_per_second", in: 1...1_000_000) ?? g.maxMetadataRequestsPerSecond
        g.maxClients = try t.integer("max_clients", in: 1...100_000) ?? g.maxClients
        g.maxClientsPerAddress = try t.integer("max_clients_per_address", in: 1...100_000) ?? g.maxClientsPerAddress
        g.historySeconds = try t.seconds("history_seconds") ?? g.historySeconds
        guard g.historySeconds <= 86_400 else { throw t.error("history_seconds", "at most 86400 (a day)") }
        g.historyAllHosts = try t.bool("history_all_hosts") ?? g.historyAllHosts
        g.historyMaxValues = try t.integer("history_max_values", in: 1...1_000_000_000) ?? g.historyMaxValues
    }

    private static func readSendChannel(_ table: ConfigTable) throws(ConfigError) -> UDPSendChannel {
        var t = table
        var c = UDPSendChannel()
        c.mcastJoin = try multicastGroup(&t, "mcast_join")
        c.mcastIf = try t.string("mcast_if")
        c.host = try t.string("host")
        c.port = try t.integer("port", in: 1...65535) ?? c.port
        c.ttl = try t.integer("ttl", in: 0...255) ?? c.ttl
        c.bind = try address(&t, "bind")
        c.sign = try t.bool("sign") ?? c.sign
        switch (c.mcastJoin, c.host) {
        case (nil, nil): throw t.error("host", "a send channel needs host (unicast) or mcast_join (multicast)")
        case (.some, .some): throw t.error("host", "set host or mcast_join, not both")
        default: break
        }
        try t.finish()
        return c
    }

    static func readReceiveChannel(_ table: ConfigTable) throws(ConfigError) -> UDPReceiveChannel {
        var t = table
        var c = UDPReceiveChannel()
        c.mcastJoin = try multicastGroup(&t, "mcast_join")
        c.mcastIf = try t.string("mcast_if")
        c.bind = try address(&t, "bind")
        c.port = try t.integer("port", in: 0...65535) ?? c.port
        c.family = try family(&t) ?? c.family
        c.buffer = try t.integer("buffer", in: 0...(1 << 30))
        c.allow = try allowList(&t)
        try t.finish()
        return c
    }

    private static func readAcceptChannel(_ table: ConfigTable) throws(ConfigError) -> TCPAcceptChannel {
        var t = table
        var c = TCPAcceptChannel()
        c.bind = try address(&t, "bind")
        c.port = try t.integer("port", in: 0...65535) ?? c.port
        c.family = try family(&t) ?? c.family
        c.gzipOutput = try t.bool("gzip_output") ?? c.gzipOutput
        c.timeout = try t.number("timeout", in: 0.1...3600) ?? c.timeout
        c.allow = try allowList(&t)
        c.tls = try readServerTLS(&t)
        if let port = try t.integer("history_port", in: 0...65535), port != 0 {
            guard port != c.port else { throw t.error("history_port", "must differ from port") }
            c.historyPort = port
        }
        try t.finish()
        return c
    }

    static func readCollectionGroup(_ table: ConfigTable) throws(ConfigError) -> CollectionGroup {
        var t = table
        var g = CollectionGroup(metrics: [])
        g.collectOnce = try t.bool("collect_once") ?? g.collectOnce
        g.collectEvery = try t.seconds("collect_every") ?? g.collectEvery
        g.timeThreshold = try t.seconds("time_threshold", minimum: 1) ?? g.timeThreshold
        guard g.collectOnce || g.collectEvery > 0 else { throw t.error("collect_every", "must be at least 1 second") }
        for var m in try t.tables("metric") ?? [] {
            let threshold = try m.number("value_threshold", in: 0...Double.greatestFiniteMagnitude), title = try m.string("title")
            switch (try m.string("name"), try m.string("name_match")) {
            case (let name?, nil):
                if let problem = MetricName.error(for: name) { throw m.error("name", "\(problem)") }
                g.metrics.append(MetricSelection(name: name, valueThreshold: threshold, title: title))
            case (nil, let pattern?):
                do {
                    _ = try Regex(pattern)
                } catch {
                    throw m.error("name_match", "\(pattern.debugDescription) is not a regular expression: \(error)")
                }
                g.patterns.append(MetricPattern(nameMatch: pattern, valueThreshold: threshold, title: title))
            default:
                throw m.error("name", "every metric needs a name, or a name_match (a regular expression over plugins' metrics)")
            }
            try m.finish()
        }
        guard !g.metrics.isEmpty || !g.patterns.isEmpty else {
            throw t.error("metric", "a collection group needs at least one [[collection_group.metric]]")
        }
        try t.finish()
        return g
    }

    private static func readProbe(_ table: ConfigTable) throws(ConfigError) -> Probe {
        var t = table
        guard let name = try t.string("name") else { throw t.error("name", "every probe needs a name") }
        guard MetricName(validating: "probe_\(name)_status") != nil, !name.contains(" ") else {
            throw t.error("name", "\(name.debugDescription) can't be part of a metric name")
        }
        let target: Probe.Target
        switch (try t.string("url"), try t.string("tcp")) {
        case (let url?, nil):
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else { throw t.error("url", "must start with http:// or https://") }
            target = .http(url: url)
        case (nil, let endpoint?):
            guard let (host, port) = hostAndPort(endpoint) else { throw t.error("tcp", "expected host:port, found \(endpoint.debugDescription)") }
            target = .tcp(host: host, port: port)
        default:
            throw t.error("url", "a probe needs exactly one of url (HTTP/HTTPS) or tcp (host:port)")
        }
        var probe = Probe(name: name, target: target)
        probe.interval = try t.seconds("interval", minimum: 1) ?? probe.interval
        probe.timeout = try t.number("timeout", in: 0.01...600) ?? probe.timeout
        probe.expectStatus = try t.integer("expect_status", in: 100...599)
        probe.verifyTLS = try t.bool("verify_tls") ?? probe.verifyTLS
        try t.finish()
        return probe
    }

    /// `[security]`, or the same keys in an aggregator's `[data_source.listen]` (`sends` false:
    /// a listener signs nothing, so `key_file` is refused there).
    static func readSecurity(_ t: inout ConfigTable, sends: Bool) throws(ConfigError) -> Security {
        var s = Security()
        if let path = try t.string("key_file") {
            guard sends else { throw t.error("key_file", "a listened data source sends nothing to sign; keyring is the key it needs") }
            guard path.hasPrefix("/") else { throw t.error("key_file", "must be an absolute path, found \(path.debugDescription)") }
            s.keyFile = path
        }
        if let path = try t.string("keyring") {
            guard path.hasPrefix("/") else { throw t.error("keyring", "must be an absolute path, found \(path.debugDescription)") }
            s.keyring = path
        }
        s.requireSigned = try t.bool("require_signed") ?? s.requireSigned
        for (i, text) in (try t.strings("accept_unsigned_from") ?? []).enumerated() {
            guard let block = CIDRBlock(text) else {
                throw t.error("accept_unsigned_from[\(i)]", "\(text.debugDescription) is not an address or CIDR block")
            }
            s.acceptUnsignedFrom.append(block)
        }
        s.replayWindow = try t.integer("replay_window", in: 1...86_400).map(UInt32.init) ?? s.replayWindow
        if s.requireSigned, s.keyring == nil, s.keyFile == nil || !sends {
            throw t.error("require_signed", "needs a keyring: without keys to accept, every datagram would be refused")
        }
        return s
    }

    /// `tls_cert`, `tls_key`, `tls_client_ca` of an XML port (the agent's accept channels, the
    /// aggregator's 8651/8652); nil without them.
    static func readServerTLS(_ t: inout ConfigTable) throws(ConfigError) -> ServerTLS? {
        let certificate = try path(&t, "tls_cert"), key = try path(&t, "tls_key"), clientCA = try path(&t, "tls_client_ca")
        switch (certificate, key) {
        case (let certificate?, let key?): return ServerTLS(certificate: certificate, key: key, clientCA: clientCA)
        case (nil, nil):
            if clientCA != nil { throw t.error("tls_client_ca", "mutual TLS needs the server's own tls_cert and tls_key") }
            return nil
        case (nil, _): throw t.error("tls_cert", "tls_key needs its certificate, tls_cert")
        case (_, nil): throw t.error("tls_key", "tls_cert needs its private key, tls_key")
        }
    }

    /// `tls`, `tls_ca`, `tls_cert`, `tls_key` of a poll; nil unless `tls = true`.
    static func readClientTLS(_ t: inout ConfigTable) throws(ConfigError) -> ClientTLS? {
        let on = try t.bool("tls") ?? false
        let tls = ClientTLS(ca: try path(&t, "tls_ca"), certificate: try path(&t, "tls_cert"), key: try path(&t, "tls_key"))
        if !on {
            for (key, value) in [("tls_ca", tls.ca), ("tls_cert", tls.certificate), ("tls_key", tls.key)] where value != nil {
                throw t.error(key, "only used with tls = true (the poll is plain TCP without it)")
            }
            return nil
        }
        if (tls.certificate == nil) != (tls.key == nil) {
            throw t.error(tls.certificate == nil ? "tls_cert" : "tls_key", "a client certificate needs both tls_cert and tls_key")
        }
        return tls
    }

    static func path(_ t: inout ConfigTable, _ key: String) throws(ConfigError) -> String? {
        guard let path = try t.string(key) else { return nil }
        guard path.hasPrefix("/") else { throw t.error(key, "must be an absolute path, found \(path.debugDescription)") }
        return path
    }

    // MARK: - Shared value rules

    static func address(_ t: inout ConfigTable, _ key: String) throws(ConfigError) -> String? {
        guard let text = try t.string(key) else { return nil }
        guard IPAddress(text) != nil else { throw t.error(key, "\(text.debugDescription) is not an IP address") }
        return text
    }

    private static func multicastGroup(_ t: inout ConfigTable, _ key: String) throws(ConfigError) -> String? {
        guard let text = try address(&t, key) else { return nil }
        guard IPAddress(text)!.isMulticast else { throw t.error(key, "\(text) is not a multicast group address") }
        return text
    }

    private static func family(_ t: inout ConfigTable) throws(ConfigError) -> Family? {
        guard let text = try t.string("family") else { return nil }
        guard let family = Family(rawValue: text) else { throw t.error("family", "expected \"inet4\" or \"inet6\", found \(text.debugDescription)") }
        return family
    }

    /// `allow` (empty: anyone) less `deny` (gmond's acl action "deny"): the addresses a channel
    /// takes, as blocks (`CIDRArithmetic`; empty: anyone).
    static func allowList(_ t: inout ConfigTable) throws(ConfigError) -> [CIDRBlock] {
        let allow = try blocks(&t, "allow"), deny = try blocks(&t, "deny")
        guard !deny.isEmpty else { return allow }
        let left = CIDRArithmetic.subtracting(allow.isEmpty ? CIDRArithmetic.everything : allow, deny)
        guard !left.isEmpty else { throw t.error("deny", "allow and deny leave no address: the channel would take nothing") }
        return left == CIDRArithmetic.everything ? [] : left
    }

    private static func blocks(_ t: inout ConfigTable, _ key: String) throws(ConfigError) -> [CIDRBlock] {
        var blocks: [CIDRBlock] = []
        for (i, text) in (try t.strings(key) ?? []).enumerated() {
            guard let block = CIDRBlock(text) else { throw t.error("\(key)[\(i)]", "\(text.debugDescription) is not an address or CIDR block") }
            blocks.append(block)
        }
        return blocks
    }

    /// `host:port` or `[v6]:port`.
    public static func hostAndPort(_ text: String) -> (String, Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else {
            return nil
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }

    /// Cross-field rules.
    func validate(file: String) throws(ConfigError) {
        func fail(_ key: String, _ reason: String) -> ConfigError { ConfigError(file: file, key: key, reason: reason) }
        if globals.deaf && globals.mute { throw fail("globals.deaf", "deaf and mute together leave the agent nothing to do") }
        if let problem = ClusterName.error(for: cluster.name) { throw fail("cluster.name", "\(problem)") }
        try validatePlugins(file: file)
        var probeNames: Set<String> = []
        for (i, probe) in probes.enumerated() where !probeNames.insert(probe.name).inserted {
            throw fail("probe[\(i)].name", "another probe is already called \(probe.name.debugDescription)")
        }
        // Linux lets two UDP sockets (SO_REUSEADDR) bind one address and port: unicast
        // datagrams then go to one of them, multicast ones to both. Never what was meant.
        for (j, later) in udpReceiveChannels.enumerated() {
            for (i, earlier) in udpReceiveChannels.prefix(j).enumerated()
            where earlier.port == later.port && earlier.family == later.family && earlier.bind == later.bind {
                throw fail(
                    "udp_recv_channel[\(j)].port",
                    "udp_recv_channel[\(i)] already listens on \(later.bind ?? "*"):\(later.port); "
                        + "two channels on one address and port split or duplicate the datagrams (join both groups in one channel, or give each its own port or bind)"
                )
            }
        }
    }
}
