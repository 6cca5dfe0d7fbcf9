import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PlexusArchive
import PlexusCore
import PlexusStatus
import PlexusTestSupport
import Testing

@testable import PlexusWeb

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Every route of the aggregator's HTTP side, through Hummingbird's test client, against a
/// grid state made from a real document and real RRD files made in a temporary directory.
@Suite struct WebTests {
    static let t0: Int64 = 1_795_543_200
    static let now = t0 + 7200

    /// Cluster web: web-1 up, web-2 down (not heard for 600 s), and a host whose metric is named
    /// like an attack (`<script>…</script>` itself contains a `/`: refused before it is held).
    static func state() throws -> GridState {
        func metric(_ name: String, _ value: String, _ type: MetricType = .float, units: String = "") throws -> Metric {
            Metric(
                name: try MetricName(name), value: value, type: type, units: units, tn: 5, tmax: 60,
                extraData: [ExtraElement(name: "GROUP", value: "load")])
        }
        func host(_ name: String, tn: UInt32, _ metrics: [Metric]) throws -> PlexusCore.Host {
            PlexusCore.Host(name: try HostName(name), ip: "10.0.0.1", reported: now - Int64(tn), tn: tn, tmax: 20, dmax: 86400, metrics: metrics)
        }
        let document = GangliaDocument(
            source: .gmond,
            items: [
                .cluster(
                    Cluster(
                        name: try ClusterName("web"), localtime: now,
                        hosts: [
                            try host(
                                "web-1", tn: 5,
                                [
                                    try metric("load_one", "0.50"), try metric("cpu_num", "4", .uint16, units: "CPUs"),
                                    try metric("os_name", "Linux", .string), try metric("motd", "<script>alert(1)</script>", .string),
                                ]),
                            try host("web-2", tn: 600, [try metric("load_one", "2.00"), try metric("cpu_num", "8", .uint16, units: "CPUs")]),
                            try host("odd\"host", tn: 5, [try metric("<img src=x onerror=alert(1)>", "1")]),
                        ]))
            ])
        return try state(of: document)
    }

    /// The grid `Ops` holding `document` as its one source `web`, read as a poll reads it.
    static func state(of document: GangliaDocument) throws -> GridState {
        var bytes: [UInt8] = []
        GangliaXMLWriter(dialect: .gmond).write(document, into: &bytes)
        var reader = SourceAssembler(options: .init(), now: now)
        _ = GangliaXMLReader.read(bytes) { reader.apply($0) }
        var state = GridState(gridname: try GridName("Ops"), authority: "http://ops.test/", sources: ["web"])
        state.sources[0].content = reader.finish(previous: nil)
        state.sources[0].alive = true
        return state
    }

    /// Two hours of load, CPU and bytes for web-1 and the cluster, at 15 s.
    static func archive(_ dir: TemporaryDirectory, cluster: String = "web", host: String = "web-1") async throws -> RRDLayout {
        let layout = RRDLayout(root: dir.appending("rrds"))
        let writer = ArchiveWriter(
            store: ArchiveStore(
                layout: layout,
                archives: ["RRA:AVERAGE:0.5:1:1000", "RRA:AVERAGE:0.5:4:1000"]
                    .compactMap(RRDLayout.Archive.init)))
        let values: [String: (Int) -> Double] = [
            "load_one": { 0.5 + Double($0 % 20) / 10 }, "cpu_num": { _ in 4 }, "proc_run": { Double($0 % 3) }, "cpu_user": { _ in 30 },
            "cpu_system": { _ in 15 }, "cpu_idle": { _ in 55 }, "bytes_in": { Double(1000 + $0 * 10) },
        ]
        let web = try ClusterName(cluster)
        for i in 0...480 {
            for (metric, value) in values {
                let name = try MetricName(metric), t = t0 + Int64(i) * 15
                writer.submit(
                    ArchiveSample(key: ArchiveKey(.host(web, try HostName(host)), name), geometry: ArchiveGeometry(step: 15), time: t, value: value(i)))
                writer.submit(ArchiveSample(key: ArchiveKey(.clusterSummary(web), name), geometry: ArchiveGeometry(step: 15), time: t, sum: value(i), num: 1))
            }
        }
        await writer.shutdown()
        return layout
    }

    /// A status as the aggregator serves it on /status.
    static func status() -> AggregatorStatus {
        let json = """
            {"host":"h","gridname":"Ops","version":"v","boottime":1795550340,"uptime":60,"polls":{"ok":7,"failed":1,"missed":0},
             "sources":[{"name":"web","kind":"poll","alive":true,"pollsOK":7,"pollsFailed":1,"pollsMissed":0,"lastDocumentBytes":100,
                         "lastParseMilliseconds":1.5,"totalParseMilliseconds":9,"malformed":0,"truncated":0,"duplicates":0,"shadowed":0,
                         "datagrams":0,"datagramsDropped":0,"hosts":3,"metrics":6,"hostsRefused":0,"metricsRefused":0},
                        {"name":"db","kind":"listen","alive":true,"pollsOK":0,"pollsFailed":0,"pollsMissed":0,"lastDocumentBytes":0,
                         "lastParseMilliseconds":0,"totalParseMilliseconds":0,"malformed":0,"truncated":0,"duplicates":0,"shadowed":0,
                         "datagrams":40,"datagramsDropped":5,"hosts":1,"metrics":2,"hostsRefused":0,"metricsRefused":0,
                         "signatures":{"signed":35,"malformed":0,"unknownKey":1,"badMAC":0,"stale":0,"replay":3,"hostNotAllowed":1,"unsigned":0}}],
             "xml":{"served":1,"refused":0,"failed":0},"interactive":{"served":2,"refused":0,"failed":0,"rejected":0},
             "archive":{"enabled":true,"rrdRootdir":"/r","submitted":10,"refused":0,"queued":2,"written":8,"viaRRDCached":0,"fallback":0,
                        "dropped":0,"stale":0,"failed":0,"filesCreated":3,"accepted":10,"seriesRefused":0,"updateCalls":8,
                        "batches":0,"connectionFailures":0},
             "rootSummaries":5}
            """
        return try! JSONDecoder().decode(AggregatorStatus.self, from: Data(json.utf8))
    }

    static func inputs(_ layout: RRDLayout, token: String? = nil, trusted: [CIDRBlock] = [], hostValues: Bool = false) throws -> WebInputs {
        let state = try Self.state()
        return WebInputs(
            grid: { state }, status: { Self.status() }, layout: layout, events: EventFile(besideRoot: layout.root),
            eventsToken: token, trusted: trusted, hostValuesInMetrics: hostValues, clock: { Self.now })
    }

    static func application(_ inputs: WebInputs) -> some ApplicationProtocol {
        Application(router: WebApplication.router(inputs: inputs, logger: Logger(label: "test")))
    }

    static func json(_ body: ByteBuffer) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(body.readableBytesView), options: [.fragmentsAllowed])
    }

    @Test func theGridClustersHostsAndMetricsAsJSON() async throws {
        let dir = try TemporaryDirectory(prefix: "plexus-web")
        defer { dir.remove() }
        try await Self.application(try Self.inputs(RRDLayout(root: dir.appending("rrds")))).test(.router) { client in
            try await client.execute(uri: "/api/v1/grid", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                let grid = try #require(try Self.json(response.body) as? [String: Any])
                #expect(grid["grid"] as? String == "Ops" && grid["hosts_up"] as? Int == 2 && grid["hosts_down"] as? Int == 1)
                #expect((grid["clusters"] as? [[String: Any]])?.first?["cluster"] as? String == "web")
                let cpus = (grid["metrics"] as? [[String: Any]])?.first { $0["metric"] as? String == "cpu_num" }
                #expect(cpus?["sum"] as? Int == 4 && cpus?["hosts"] as? Int == 1, "down hosts are not summed")
            }
            try await client.execute(uri: "/api/v1/clusters", method: .get) { response in
                let rows = try #require(try Self.json(response.body) as? [[String: Any]])
                #expect(rows.count == 1 && rows[0]["up"] as? Int == 2 && rows[0]["down"] as? Int == 1)
            }
            try await client.execute(uri: "/api/v1/clusters/web", method: .get) { response in
                let cluster = try #require(try Self.json(response.body) as? [String: Any])
                let hosts = try #require(cluster["hosts"] as? [[String: Any]])
                #expect(hosts.map { $0["host"] as? String } == ["odd\"host", "web-1", "web-2"])
                #expect(hosts.map { $0["state"] as? String } == ["up", "up", "down"])
                #expect(hosts[2]["age_seconds"] as? Int == 600)
                // Numbers as numbers; a metric a host doesn't report is left out, not null.
                #expect(hosts[1]["load_one"] as? Double == 0.5 && hosts[1]["cpus"] as? Int == 4 && hosts[1]["ip"] as? String == "10.0.0.1")
                #expect(hosts[0]["load_one"] == nil && hosts[0]["cluster"] as? String == "web")
                #expect(cluster["cluster"] as? String == "web" && cluster["up"] as? Int == 2 && cluster["down"] as? Int == 1)
                #expect(cluster["localtime"] as? Int == Int(Self.now) && cluster["grid"] as? String == "Ops")
                let cpus = (cluster["metrics"] as? [[String: Any]])?.first { $0["metric"] as? String == "cpu_num" }
                #expect(cpus?["sum"] as? Int == 4 && cluster["cpus"] as? Int == 4)
            }
            try await client.execute(uri: "/api/v1/clusters/web/hosts/web-1", method: .get) { response in
                let host = try #require(try Self.json(response.body) as? [String: Any])
                #expect(host["up"] as? Bool == true && host["ip"] as? String == "10.0.0.1")
                let metrics = try #require(host["metrics"] as? [[String: Any]])
                #expect(metrics.first { $0["metric"] as? String == "os_name" }?["value"] as? String == "Linux")
                #expect(metrics.first { $0["metric"] as? String == "cpu_num" }?["number"] as? Int == 4)
            }
            for (uri, message) in [("/api/v1/clusters/db", "unknown cluster \"db\""), ("/api/v1/clusters/web/hosts/web-9", "unknown host \"web-9\"")] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .notFound)
                    let error = try Self.json(response.body) as? [String: Any]
                    #expect(error?["error"] as? String == message + (uri.hasSuffix("web-9") ? " in cluster \"web\"" : ""))
                }
            }
        }
    }

    @Test func graphsAndSeriesComeFromTheArchiveWithEvents() async throws {
        let dir = try TemporaryDirectory(prefix: "plexus-web")
        defer { dir.remove() }
        let layout = try await Self.archive(dir)
        let inputs = try Self.inputs(layout)
        _ = try inputs.events.add { Event(id: $0, start: Self.t0 + 3600, text: "v2 <deploy>", tags: ["deploy"], created: Self.t0) }
        let range = "start=\(Self.t0)&end=\(Self.now)"
        try await Self.application(inputs).test(.router) { client in
            try await client.execute(uri: "/graph.png?host=web-1&metric=bytes_in&size=large&\(range)", method: .get) { response in
                #expect(response.status == .ok && response.headers[.contentType] == "image/png")
                let image = try PNGImage(Array(response.body.readableBytesView))
                #expect(image.width > 480 && image.colorCount > 20)
                #expect(image.count(red: 0x00, green: 0x66, blue: 0xFF) > 20, "the deploy is drawn")
            }
            try await client.execute(uri: "/graph.png?host=web-1&metric=bytes_in&size=large&events=0&\(range)", method: .get) { response in
                let image = try PNGImage(Array(response.body.readableBytesView))
                #expect(image.count(red: 0x00, green: 0x66, blue: 0xFF) == 0)
            }
            try await client.execute(uri: "/graph.svg?cluster=web&report=cpu&width=600&height=200&\(range)", method: .get) { response in
                #expect(response.headers[.contentType] == "image/svg+xml")
                #expect(XMLParser(data: Data(response.body.readableBytesView)).parse())
            }
            for (uri, status) in [
                ("/graph.png?host=web-9&report=cpu", HTTPResponse.Status.badRequest), ("/graph.png?cluster=web&report=disk", .badRequest),
                ("/graph.png?cluster=..&report=cpu", .badRequest), ("/graph.png?cluster=web&report=cpu&width=99999", .badRequest),
                ("/graph.png?cluster=web&report=cpu&range=fortnight", .badRequest), ("/graph.png?cluster=web&metric=nope", .notFound),
                ("/graph.png?cluster=web", .badRequest),
            ] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == status, "\(uri)")
                    let error = try Self.json(response.body) as? [String: Any]
                    #expect(error?["error"] is String, "\(uri)")
                }
            }
            try await client.execute(uri: "/api/v1/series?host=web-1&metric=load_one&start=\(Self.t0 + 600)&end=\(Self.t0 + 660)", method: .get) { response in
                #expect(
                    String(buffer: response.body) == """
                        {"subject":{"cluster":"web","host":"web-1"},"metric":"load_one","start":1795543800,"end":1795543860,"step":15,"columns":["time","load_one"],
                        "rows":[{"time":1795543815,"load_one":0.6},
                         {"time":1795543830,"load_one":0.7},
                         {"time":1795543845,"load_one":0.8},
                         {"time":1795543860,"load_one":0.9}]}

                        """)
            }
            try await client.execute(
                uri: "/api/v1/series?cluster=web&metric=cpu_num&format=csv&time=iso&start=\(Self.now - 15)&end=\(Self.now + 15)", method: .get
            ) { response in
                #expect(response.headers[.contentType] == "text/csv; charset=utf-8")
                #expect(String(buffer: response.body) == "time,cpu_num,hosts\r\n2026-11-24T20:00:00Z,4,1\r\n2026-11-24T20:00:15Z,,\r\n")
            }
        }
    }

    @Test func theGraphCacheKeepsPicturesBrieflyAndBoundedly() {
        let cache = GraphCache(limit: 2)
        let a = GraphRequest(subject: .grid(nil), content: .report(.load)), b = GraphRequest(subject: .grid(nil), content: .report(.cpu))
        let c = GraphRequest(subject: .grid(nil), content: .report(.mem))
        cache.store([1], for: a, now: 100)
        #expect(cache.image(for: a, now: 105) == [1])
        #expect(cache.image(for: a, now: 110) == nil, "expired after \(GraphCache.seconds) s")
        cache.store([2], for: b, now: 101)
        cache.store([3], for: c, now: 102)
        #expect(cache.image(for: a, now: 103) == nil, "the oldest made room")
        #expect(cache.image(for: b, now: 103) == [2] && cache.image(for: c, now: 103) == [3])
    }

    @Test func eventsNeedTheTokenToChangeAndAreSharedWithTheJournal() async throws {
        let dir = try TemporaryDirectory(prefix: "plexus-web")
        defer { dir.remove() }
        let token = "0123456789abcdef0123"
        let inputs = try Self.inputs(RRDLayout(root: dir.appending("rrds")), token: token)
        let bearer: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
        try await Self.application(inputs).test(.router) { client in
            let body = ByteBuffer(string: #"{"text":"v1.4.2 to production","tags":["deploy"],"start":"-10m","cluster":"web*"}"#)
            try await client.execute(uri: "/api/v1/events", method: .post, headers: [.contentType: "application/json"], body: body) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/api/v1/events", method: .post, headers: [.authorization: "Bearer wrong-token-wrong-token"], body: body) {
                response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/api/v1/events", method: .post, headers: bearer, body: body) { response in
                #expect(response.status == .created)
                let event = try #require(try Self.json(response.body) as? [String: Any])
                #expect(event["id"] as? Int == 1 && event["start"] as? Int == Int(Self.now - 600) && event["end"] is NSNull)
            }
            try await client.execute(
                uri: "/api/v1/events", method: .post, headers: bearer,
                body: ByteBuffer(string: #"{"text":"db failover","start":1795545000,"end":1795545600,"cluster":"db"}"#)
            ) { response in
                #expect(response.status == .created)
            }
            for bad in [#"{"tags":["x"]}"#, #"{"text":"x","start":"soon"}"#, #"{"text":"x","start":100,"end":50}"#, "not json"] {
                try await client.execute(uri: "/api/v1/events", method: .post, headers: bearer, body: ByteBuffer(string: bad)) { response in
                    #expect(response.status == .badRequest, "\(bad)")
                }
            }
            try await client.execute(uri: "/api/v1/events?cluster=web", method: .get) { response in
                let events = try #require(try Self.json(response.body) as? [[String: Any]])
                #expect(events.map { $0["text"] as? String } == ["v1.4.2 to production"])
            }
            try await client.execute(uri: "/api/v1/events?end=1795545100", method: .get) { response in
                let events = try Self.json(response.body) as? [[String: Any]]
                #expect(events?.map { $0["id"] as? Int } == [2])
            }
            try await client.execute(uri: "/api/v1/events/1", method: .delete) { response in #expect(response.status == .unauthorized) }
            try await client.execute(uri: "/api/v1/events/1", method: .delete, headers: bearer) { response in #expect(response.status == .ok) }
            try await client.execute(uri: "/api/v1/events/1", method: .delete, headers: bearer) { response in #expect(response.status == .notFound) }
        }
        // The same journal plexus events reads: two adds and a remove.
        let replay = try inputs.events.read()
        #expect(replay.events.map(\.text) == ["db failover"] && replay.nextID == 3)
        // Without a token, the API takes no writes at all.
        try await Self.application(try Self.inputs(RRDLayout(root: dir.appending("rrds")))).test(.router) { client in
            try await client.execute(uri: "/api/v1/events", method: .post, headers: bearer, body: ByteBuffer(string: #"{"text":"x"}"#)) { response in
                #expect(response.status == .forbidden)
            }
        }
    }

    @Test func metricsSpeakPrometheusTextWithEscapedLabels() async throws {
        let dir = try TemporaryDirectory(prefix: "plexus-web")
        defer { dir.remove() }
        try await Self.application(try Self.inputs(RRDLayout(root: dir.appending("rrds")), hostValues: true)).test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
                let text = String(buffer: response.body)
                for line in [
                    "# TYPE plexus_polls_total counter", #"plexus_polls_total{result="failed"} 1"#, #"plexus_source_up{source="web"} 1"#,
                    #"plexus_archive_samples_total{fate="written"} 8"#, #"plexus_hosts{cluster="web",state="down"} 1"#,
                    "# HELP ganglia_cpu_num Ganglia metric cpu_num (CPUs).", #"ganglia_load_one{cluster="web",host="web-1"} 0.5"#,
                    #"ganglia__img_src_x_onerror_alert_1__{cluster="web",host="odd\"host"} 1"#,
                    #"plexus_source_datagrams_signed_total{source="db"} 35"#, #"plexus_source_datagrams_refused_total{source="db",reason="replay"} 3"#,
                    #"plexus_source_datagrams_refused_total{source="db",reason="unknown_key"} 1"#,
                    #"plexus_source_datagrams_total{source="db",result="dropped"} 5"#,
                ] {
                    #expect(text.contains(line + "\n"), "\(line)")
                }
                // A down host has no values (gmetad keeps none of its metrics).
                #expect(!text.contains(#"host="web-2"} "#))
                // Every sample line is NAME{labels} VALUE with a legal name.
                for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                    #expect(line.range(of: #"^[a-zA-Z_][a-zA-Z0-9_]*(\{.*\})? -?[0-9.e+]+$"#, options: .regularExpression) != nil, "\(line)")
                }
            }
        }
    }

    @Test func trustedHostsLimitWhoMayRead() async throws {
        let dir = try TemporaryDirectory(prefix: "plexus-web")
        defer { dir.remove() }
        let elsewhere = try Self.inputs(RRDLayout(root: dir.appending("rrds")), trusted: [CIDRBlock("10.0.0.0/8")!])
        try await Self.application(elsewhere).test(.live) { client in
            try await client.execute(uri: "/api/v1/grid", method: .get) { response in #expect(response.status == .forbidden) }
            try await client.execute(uri: "/metrics", method: .get) { response in #expect(response.status == .forbidden) }
        }
        let here = try Self.inputs(
            RRDLayout(root: dir.appending("rrds")),
            trusted: AggregatorConfiguration.parse(
                """
                http_trusted_hosts = ["10.0.0.0/8"]
                [[data_source]]
                name = "x"
                hosts = ["127.0.0.1"]
                """, file: "t.toml"
            ).httpAllowList)
        try await Self.application(here).test(.live) { client in
            try await client.execute(uri: "/api/v1/grid", method: .get) { response in #expect(response.status == .ok, "loopback may always read") }
        }
    }

    // MARK: - Pages

    static func page(_ client: some TestClientProtocol, _ uri: String) async throws -> String {
        try await client.execute(uri: uri, method: .get) { response in
            #expect(response.status == .ok, "\(uri)")
            #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            return String(buffer: response.body)
        }
    }

    @Test func pagesShowTheGridClustersHostsAndMetrics() async throws {
        let dir = try TemporaryDirectory(prefix: "plexus-web")
        defer { dir.remove() }
        let layout = try await Self.archive(dir)
        try await Self.application(try Self.inputs(layout)).test(.router) { client in
            let grid = try await Self.page(client, "/")
            #expect(grid.contains("<b id=\"hosts-up\">2</b>") && grid.contains("<b id=\"hosts-down\">1</b>"))
            #expect(grid.contains("<a href=\"/cluster/web?r=hour&amp;z=small\">web</a>"))
            #expect(grid.contains("src=\"/graph.png?cluster=web&amp;report=cpu&amp;range=hour&amp;size=small\""))
            // The range and size travel in every link.
            let week = try await Self.page(client, "/?r=week&z=large")
            #expect(week.contains("<a class=\"range on\" href=\"/?z=large&amp;r=week\">week</a>"))
            #expect(week.contains("report=load&amp;range=week&amp;size=large"))
            let custom = try await Self.page(client, "/?cs=-6h&ce=now")
            #expect(custom.contains("report=load&amp;start=-6h&amp;end=now") && custom.contains("value=\"-6h\""))

            let cluster = try await Self.page(client, "/cluster/web?m=load_one&s=descending")
            // Highest load first; the down host marked.
            let order = ["data-host=\"web-2\"", "data-host=\"web-1\""].compactMap { cluster.range(of: $0)?.lowerBound }
            #expect(order.count == 2 && order[0] < order[1])
            #expect(cluster.contains("<figure class=\"host down\" data-host=\"web-2\">") && cluster.contains("<b class=\"alert\">DOWN</b>, silent 10 min"))
            #expect(cluster.contains("host=web-1&amp;metric=load_one"))
            #expect(cluster.contains("<span class=\"note nograph\">no load_one</span>"), "a host without the metric gets no broken image")
            let filtered = try await Self.page(client, "/cluster/web?f=web-1")
            #expect(filtered.contains("data-host=\"web-1\"") && !filtered.contains("data-host=\"web-2\"") && filtered.contains("1 of 3 hosts"))

            let host = try await Self.page(client, "/cluster/web/host/web-1")
            #expect(host.contains("<tr><th>OS</th><td>Linux </td></tr>") && host.contains("<h2>load</h2>"))
            #expect(host.contains("host=web-1&amp;metric=load_one") && host.contains("<tr><th>os_name</th><td>Linux</td></tr>"))
            let down = try await Self.page(client, "/cluster/web/host/web-2")
            #expect(down.contains("This host is DOWN: not heard for 10 min."))

            let metric = try await Self.page(client, "/cluster/web/host/web-1/metric/load_one")
            for range in ["hour", "day", "week", "month", "year"] { #expect(metric.contains("metric=load_one&amp;range=\(range)&amp;size=small")) }
            let summed = try await Self.page(client, "/cluster/web/metric/cpu_num")
            #expect(summed.contains("cpu_num of cluster web") && summed.contains("src=\"/graph.png?cluster=web&amp;metric=cpu_num&amp;range=year"))
            let tv = try await Self.page(client, "/tv")
            #expect(tv.contains("<section class=\"slide\" data-name=\"web\">") && tv.contains("data-rotate=\"20\""))
            #expect(tv.contains("<script src=\"/static/tv.js\"></script>") && tv.contains("report=cpu&amp;range=4hr&amp;size=xlarge"))

            for uri in ["/cluster/db", "/cluster/web/host/web-9", "/cluster/web/host/web-1/metric/nope"] {
                try await client.execute(uri: uri, method: .get) { response in #expect(response.status == .notFound, "\(uri)") }
            }
            for (uri, type) in [("/static/plexus.css", "text/css; charset=utf-8"), ("/static/tv.js", "text/javascript; charset=utf-8")] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .ok && response.headers[.contentType] == type && response.body.readableBytes > 500)
                }
            }
        }
    }

    @Test func namesAndValuesFromTheNetworkReachThePageAsText() async throws {
        let dir = try TemporaryDirectory(prefix: "plexus-web")
        defer { dir.remove() }
        try await Self.application(try Self.inputs(RRDLayout(root: dir.appending("rrds")))).test(.router) { client in
            let host = try await Self.page(client, "/cluster/web/host/web-1")
            #expect(host.contains("<tr><th>motd</th><td>&lt;script&gt;alert(1)&lt;/script&gt;</td></tr>"))
            #expect(!host.contains("<script>alert(1)"))
            let cluster = try await Self.page(client, "/cluster/web?m=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E")
            #expect(cluster.contains("<option selected>&lt;img src=x onerror=alert(1)&gt;</option>"))
            #expect(cluster.contains("data-host=\"odd&quot;host\"") && cluster.contains("/cluster/web/host/odd%22host?"))
            #expect(cluster.contains("metric=%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E"))
            #expect(!cluster.contains("<img src=x"))
            // Every script on every page is a file of ours (the CSP allows no inline script).
            for page in [host, cluster, try await Self.page(client, "/"), try await Self.page(client, "/tv")] {
                #expect(page.components(separatedBy: "<script").count - 1 == page.components(separatedBy: "<script src=\"/static/").count - 1)
            }
        }
        #expect(URLText.safeLink("javascript:alert(1)") == nil && URLText.safeLink("http://seoul.example/ganglia/") != nil)
        #expect(URLText.safeLink("HTTPS://x.example") != nil && URLText.safeLink("//evil.example") == nil)
    }

    @Test func theWallScreenFollowsItsConfiguration() async throws {
        let dir = try TemporaryDirectory(prefix: "plexus-web")
        defer { dir.remove() }
        var inputs = try Self.inputs(RRDLayout(root: dir.appending("rrds")))
        inputs.wallScreen = try AggregatorConfiguration.parse(
            """
            [tv]
            clusters = ["web", "gone"]
            reports = ["cpu", "probes"]
            range = "day"
            rotate = 30
            refresh = 90
            [[data_source]]
            name = "x"
            hosts = ["127.0.0.1"]
            """, file: "t.toml"
        ).wallScreen
        try await Self.application(inputs).test(.router) { client in
            let tv = try await Self.page(client, "/tv")
            #expect(tv.contains("data-rotate=\"30\" data-refresh=\"90\""))
            #expect(tv.components(separatedBy: "<section class=\"slide\"").count - 1 == 2, "the grid and web; a cluster that is gone has no slide")
            #expect(tv.contains("report=probes&amp;range=day&amp;size=xlarge") && !tv.contains("report=load"))
        }
        #expect(throws: ConfigError.self) {
            try AggregatorConfiguration.parse("[tv]\nreports = [\"disk\"]\n[[data_source]]\nname = \"x\"\nhosts = [\"a\"]", file: "t")
        }
        // The configuration's lists are the graphs' own.
        #expect(AggregatorConfiguration.WallScreen.knownReports == GraphRequest.Report.allCases.map(\.rawValue))
        #expect(AggregatorConfiguration.WallScreen.knownRanges == GraphRequest.NamedRange.allCases.map(\.rawValue))
    }
}
