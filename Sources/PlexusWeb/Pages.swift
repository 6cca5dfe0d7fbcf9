import Foundation
import Hummingbird
import Mustache
import PlexusAlerts
import PlexusArchive
import PlexusCore

/// The dashboard's pages, rendered on the server from the aggregator's state: the grid, a
/// cluster, a host, one metric over five ranges, and the wall screen. Graphs are `<img>`s of
/// `/graph.png`; every name from the network reaches the HTML escaped and the URLs encoded.
struct Pages: Sendable {
    let inputs: WebInputs
    let library: MustacheLibrary
    var wallScreen: AggregatorConfiguration.WallScreen { inputs.wallScreen }

    init(inputs: WebInputs) throws {
        self.inputs = inputs
        var library = MustacheLibrary()
        for (name, text) in Templates.all { try library.register(text, named: name) }
        self.library = library
    }

    func add(to router: Routes) {
        let html = "text/html; charset=utf-8"
        router.get("/") { request, _ in try inputs.cached(request, type: html) { try grid(request) } }
        router.get("cluster/:cluster") { request, context in
            let name = try context.parameters.name("cluster")
            return try inputs.cached(request, type: html) { try cluster(request, name) }
        }
        router.get("cluster/:cluster/host/:host") { request, context in
            let (c, h) = (try context.parameters.name("cluster"), try context.parameters.name("host"))
            return try await inputs.cachedOffLoop(request, type: html) { try host(request, c, h) }
        }
        router.get("cluster/:cluster/metric/:metric") { request, context in
            let (c, m) = (try context.parameters.name("cluster"), try context.parameters.name("metric"))
            return try await inputs.cachedOffLoop(request, type: html) { try metric(request, cluster: c, host: nil, m) }
        }
        router.get("cluster/:cluster/host/:host/metric/:metric") { request, context in
            let (c, h, m) = (try context.parameters.name("cluster"), try context.parameters.name("host"), try context.parameters.name("metric"))
            return try await inputs.cachedOffLoop(request, type: html) { try metric(request, cluster: c, host: h, m) }
        }
        router.get("tv") { request, _ in inputs.cached(request, type: html) { tv() } }
    }

    static let reports: [GraphRequest.Report] = [.load, .cpu, .mem, .network]

    // MARK: - Grid

    func grid(_ request: Request) throws -> String {
        let query = PageQuery(request)
        let now = inputs.clock()
        let overview = inputs.overview(now: now)
        let summary = overview.summary(all: false)
        let rows = overview.clusterRows()
        let clusters = rows.map { row in
            let page = query.link(URLText.segments("cluster", row.cluster))
            return PageContext.GridPage.ClusterCard(
                name: row.cluster, href: page, up: row.up, down: row.down, anyDown: row.down > 0, cpus: Self.number(row.cpus),
                load: Self.number(row.loadAverage), cpu: Self.percent(row.cpuUsedPercent), memory: Self.kilobytes(row.memFreeKB),
                graphs: reportGraphs(query, [("cluster", row.cluster)], link: page, alt: row.cluster))
        }
        let grids = (overview.grid?.children ?? []).compactMap { child -> PageContext.GridPage.ChildGrid? in
            guard case .grid(let g) = child else { return nil }
            return .init(name: g.name.rawValue, up: g.summary?.hosts.up ?? 0, down: g.summary?.hosts.down ?? 0, link: URLText.safeLink(g.authority))
        }
        // The latest five refusals of each kind, latest first; /status has them all.
        let status = inputs.status()
        var perReason: [String: Int] = [:]
        let latest = (status.quarantine ?? []).reversed().filter { entry in
            perReason[entry.reason, default: 0] += 1
            return perReason[entry.reason]! <= 5
        }
        let quarantine = latest.map { entry in
            PageContext.GridPage.Refusal(subject: entry.subject, reason: entry.reason, count: entry.count, last: Self.time(entry.last))
        }
        let body = PageContext.GridPage(
            up: summary?.up ?? 0, down: summary?.down ?? 0, anyDown: (summary?.down ?? 0) > 0, clusterCount: rows.count,
            cpus: Self.number(rows.compactMap(\.cpus).reduce(0, +)), graphs: reportGraphs(query, [], link: query.link("/"), alt: "grid"),
            clusters: clusters, hasGrids: !grids.isEmpty, grids: grids, hasQuarantine: !quarantine.isEmpty, quarantine: quarantine,
            archiveFailing: status.archive.writer.failingSince.map { since in
                .init(since: Self.time(since), error: status.archive.writer.lastError ?? "unknown")
            })
        return page("grid", body, title: "Grid \(summary?.name ?? "")", crumbs: [], query: query, path: "/", now: now)
    }

    // MARK: - Cluster

    func cluster(_ request: Request, _ name: String) throws -> String {
        let query = PageQuery(request)
        let now = inputs.clock()
        let overview = inputs.overview(now: now)
        guard let row = overview.clusterRows().first(where: { $0.cluster == name }),
            let located = overview.clusters.first(where: { $0.cluster.name.rawValue == name })
        else { throw WebError(.notFound, "unknown cluster \(name.debugDescription)") }
        let path = URLText.segments("cluster", name)
        // The cluster's summary names every numeric metric its up hosts report: no pass over
        // all hosts' metrics for the chooser.
        var metricNames = (located.cluster.summary?.metrics ?? []).map(\.name.rawValue).sorted()
        if let chosen = query.metric, !metricNames.contains(chosen),
            located.cluster.hosts.contains(where: { $0.metrics.contains { $0.name.rawValue == chosen && $0.type.isNumeric } })
        {
            metricNames.append(chosen)
        }
        let metric =
            query.metric.flatMap { metricNames.contains($0) ? $0 : nil } ?? (metricNames.contains("load_one") ? "load_one" : metricNames.first ?? "load_one")
        let sort = query.sort.flatMap(PageQuery.HostOrder.init(rawValue:)) ?? .name
        let pattern = query.filter.map(NamePattern.init)
        let allHosts = inputs.hosts(cluster: name, now: now)
        var shown = allHosts.indices.filter { pattern?.matches(allHosts[$0].row.host) ?? true }
        let values = inputs.values(of: metric, cluster: name, now: now) { Self.values(of: metric, in: located.cluster) }
        switch sort {
        case .descending, .ascending:
            let sign: Double = sort == .descending ? -1 : 1
            let number = { (i: Int) in sign * (values[allHosts[i].row.host]?.number ?? .infinity) }
            shown.sort { number($0) < number($1) }
        case .down: shown.sort { (allHosts[$0].row.up ? 1 : 0, $0) < (allHosts[$1].row.up ? 1 : 0, $1) }
        case .name: break
        }
        // Written as bytes: the common parts of every host's links once, each host's name
        // escaped once a second (`HostEntry`; see `Templates`).
        let hostQuery = query.link("", ["m": nil, "s": nil, "f": nil])
        let hrefPrefix = HTMLText.escape(URLText.segments("cluster", name, "host")) + "/"
        let hrefSuffix = HTMLText.escape(hostQuery)
        let graphPrefix = HTMLText.escape(URLText.path("/graph.png", [("cluster", name)])) + "&amp;host="
        let graphSuffix = "&amp;" + HTMLText.escape(String(query.graph([], ("metric", metric)).dropFirst("/graph.png?".count)))
        let metricText = HTMLText.escape(metric)
        var list = ByteText(capacity: shown.count * 480)
        let alerts = hostAlerts(cluster: name)
        func putLink(to host: HostEntry) {
            list.put("<a href=\"")
            list.put(hrefPrefix)
            list.put(host.linked)
            list.put(hrefSuffix)
            list.put("\">")
        }
        for i in shown {
            let host = allHosts[i]
            let value = values[host.row.host]
            list.put(host.row.up ? "<figure class=\"host\" data-host=\"" : "<figure class=\"host down\" data-host=\"")
            list.put(host.shown)
            list.put("\">")
            putLink(to: host)
            if value == nil {
                // A host that doesn't report the metric (a switch sending only its temperature)
                // gets a note, not a broken image.
                list.put("<span class=\"note nograph\">no ")
                list.put(metricText)
                list.put("</span>")
            } else {
                list.put("<img src=\"")
                list.put(graphPrefix)
                list.put(host.linked)
                list.put(graphSuffix)
                list.put("\" alt=\"")
                list.put(host.shown)
                list.put(" ")
                list.put(metricText)
                list.put("\" loading=\"lazy\">")
            }
            list.put("</a>\n<figcaption>")
            putLink(to: host)
            list.put(host.shown)
            list.put("</a> <span class=\"value\">")
            list.putHTML(value?.text ?? "")
            list.put("</span>")
            if !host.row.up {
                list.put(" <b class=\"alert\">DOWN</b>, silent ")
                list.put(Self.duration(Int64(host.row.age)))
            }
            for alert in alerts[host.row.host] ?? [] {
                list.put(alert.state == .firing ? " <b class=\"firing\" title=\"firing\">" : " <b class=\"pending\" title=\"pending\">")
                list.putHTML(alert.name)
                list.put("</b>")
            }
            list.put("</figcaption></figure>\n")
        }
        let hostList = list.string
        let down = allHosts.count { !$0.row.up }
        let body = PageContext.ClusterPage(
            up: row.up, down: row.down, anyDown: down > 0, cpus: Self.number(row.cpus), load: Self.number(row.loadAverage),
            graphs: reportGraphs(query, [("cluster", name)], link: query.link(path), alt: name),
            metricOptions: Self.options(metricNames, selected: metric),
            sorts: PageQuery.HostOrder.allCases.map { .init(value: $0.rawValue, label: $0.label, selected: $0 == sort) },
            filter: query.filter ?? "", keep: hidden(query, except: ["m", "s", "f"]), shown: shown.count, total: row.up + row.down,
            hostList: hostList, alerts: alertRows(cluster: name))
        return page(
            "cluster", body, title: "Cluster \(name)", crumbs: [("Grid", query.link("/", ["m": nil, "s": nil, "f": nil]))],
            query: query, path: path, now: now)
    }

    /// `<option>`s for a `<select>`, written directly: a cluster may report hundreds of metrics.
    static func options(_ names: [String], selected: String) -> String {
        var text = ByteText(capacity: names.count * 32)
        for name in names {
            text.put(name == selected ? "<option selected>" : "<option>")
            text.putHTML(name)
            text.put("</option>")
        }
        return text.string
    }

    /// Each host's value of `metric` (text with units, and number), by host name. Hosts list
    /// their metrics in much the same order: the place the last host had it is tried first.
    static func values(of metric: String, in cluster: Cluster) -> [String: MetricValueText] {
        var values: [String: MetricValueText] = [:]
        values.reserveCapacity(cluster.hosts.count)
        var hint = 0
        for h in cluster.hosts.indices {
            let metrics = cluster.hosts[h].metrics
            let m: Int
            if hint < metrics.count, metrics[hint].name.rawValue == metric {
                m = hint
            } else if let found = metrics.firstIndex(where: { $0.name.rawValue == metric }) {
                m = found
            } else {
                continue
            }
            hint = m
            let units = metrics[m].units.utf8.allSatisfy { $0 == 0x20 } ? "" : " " + metrics[m].units
            values[cluster.hosts[h].name.rawValue] = (metrics[m].value + units, metrics[m].numericValue)
        }
        return values
    }

    // MARK: - Host

    func host(_ request: Request, _ cluster: String, _ name: String) throws -> String {
        let query = PageQuery(request)
        let now = inputs.clock()
        let overview = inputs.overview(now: now)
        guard let located = overview.clusters.first(where: { $0.cluster.name.rawValue == cluster }) else {
            throw WebError(.notFound, "unknown cluster \(cluster.debugDescription)")
        }
        guard let host = located.cluster.hosts.first(where: { $0.name.rawValue.lowercased() == name.lowercased() }),
            let metrics = overview.metricRows(cluster: cluster, host: host.name.rawValue)
        else { throw WebError(.notFound, "unknown host \(name.debugDescription) in cluster \(cluster.debugDescription)") }
        let hostName = host.name.rawValue
        let path = URLText.segments("cluster", cluster, "host", hostName)
        let subject = [("cluster", cluster), ("host", hostName)]
        let value = { (metric: String) in metrics.first { $0.metric == metric } }
        let up = host.isUp(localtime: located.cluster.localtime)
        var facts: [(String, String)] = [("IP", host.ip), ("State", up ? "up" : "DOWN"), ("Last heard", "\(Self.duration(Int64(host.tn))) ago")]
        if let os = value("os_name")?.value { facts.append(("OS", [os, value("os_release")?.value ?? ""].joined(separator: " "))) }
        if let machine = value("machine_type")?.value { facts.append(("Machine", machine)) }
        // boottime is whatever the host (or anyone spoofing it) sent: shown as a time only when
        // it is one, between the epoch and now.
        if let boot = value("boottime")?.number.flatMap(Int64.init(wholePartOf:)), boot > 0, boot <= now {
            facts.append(("Booted", Self.time(boot)))
            facts.append(("Uptime", Self.duration(now - boot)))
        } else if let text = value("boottime")?.value {
            facts.append(("Booted", "not a time: \(text)"))
        }
        if host.gmondStarted > 0 { facts.append(("Agent started", Self.time(host.gmondStarted))) }
        facts.append(("Location", host.location))
        if !host.tags.isEmpty { facts.append(("Tags", host.tags)) }
        // Every numeric metric with an archive, grouped by GROUP; text metrics as a table.
        let catalog = ArchiveCatalog(layout: inputs.layout)
        let archived: Set<String> = Set((try? HostName(hostName)).flatMap { h in (try? ClusterName(cluster)).map { catalog.metrics(at: .host($0, h)) } } ?? [])
        var groups: [PageContext.HostPage.Group] = []
        for row in metrics where row.number != nil && archived.contains(row.metric) {
            let group = row.group.isEmpty ? "other" : row.group
            let graph = PageContext.Graph(
                src: query.graph(subject, ("metric", row.metric)), alt: "\(hostName) \(row.metric)",
                link: query.link(URLText.segments("cluster", cluster, "host", hostName, "metric", row.metric)))
            if let i = groups.firstIndex(where: { $0.name == group }) {
                groups[i].graphs.append(graph)
            } else {
                groups.append(.init(name: group, graphs: [graph]))
            }
        }
        let strings = metrics.filter { $0.number == nil }.map { PageContext.Pair(name: $0.metric, value: $0.value) }
        var reports = Self.reports
        if archived.contains(where: { $0.hasPrefix("probe_") && $0.hasSuffix("_ms") }) { reports.append(.probes) }
        let body = PageContext.HostPage(
            isDown: !up, silent: Self.duration(Int64(host.tn)), facts: facts.map { .init(label: $0.0, value: $0.1) },
            graphs: reportGraphs(query, subject, link: query.link(path), alt: hostName, reports: reports),
            groups: groups, hasStrings: !strings.isEmpty, strings: strings, alerts: alertRows(cluster: cluster, host: hostName))
        return page(
            "host", body, title: hostName, crumbs: [("Grid", query.link("/")), (cluster, query.link(URLText.segments("cluster", cluster)))],
            query: query, path: path, now: now)
    }

    // MARK: - One metric, five ranges

    func metric(_ request: Request, cluster: String, host: String?, _ metric: String) throws -> String {
        let query = PageQuery(request)
        let now = inputs.clock()
        var subject = [("cluster", cluster)]
        if let host { subject.append(("host", host)) }
        // The same checks as a graph: unknown names are a 404 here, before five broken images.
        let checked: GraphRequest
        do {
            checked = try SeriesSelection(cluster: cluster, host: host, metric: metric).request(catalog: ArchiveCatalog(layout: inputs.layout), now: now)
        } catch {
            throw WebError(.notFound, error.message)
        }
        guard case .metric(let name) = checked.content,
            FileManager.default.fileExists(atPath: inputs.layout.path(of: name, in: checked.subject.location))
        else { throw WebError(.notFound, "no archive for metric \(metric.debugDescription) here") }
        let ranges: [GraphRequest.NamedRange] = [.hour, .day, .week, .month, .year]
        let body = PageContext.MetricPage(
            metric: metric, whose: host ?? "cluster \(cluster)",
            graphs: ranges.map { range in
                .init(
                    src: query.graph(subject, ("metric", metric), range: range), alt: "\(metric), last \(range.rawValue)",
                    link: query.link("", ["r": range.rawValue]))
            })
        var crumbs = [("Grid", query.link("/")), (cluster, query.link(URLText.segments("cluster", cluster)))]
        if let host { crumbs.append((host, query.link(URLText.segments("cluster", cluster, "host", host)))) }
        let path = host.map { URLText.segments("cluster", cluster, "host", $0, "metric", metric) } ?? URLText.segments("cluster", cluster, "metric", metric)
        return page("metric", body, title: metric, crumbs: crumbs, query: query, path: path, now: now)
    }

    // MARK: - Wall screen

    func tv() -> String {
        let now = inputs.clock()
        let overview = inputs.overview(now: now)
        let range = GraphRequest.NamedRange(rawValue: wallScreen.range) ?? .fourHours
        let reports = wallScreen.reports.compactMap(GraphRequest.Report.init(rawValue:))
        var query = PageQuery()
        query.size = .xlarge
        func graphs(_ subject: [(String, String)], _ label: String) -> [PageContext.Graph] {
            reports.map { .init(src: query.graph(subject, ("report", $0.rawValue), range: range), alt: "\(label) \($0.rawValue)") }
        }
        let rows = overview.clusterRows()
        let chosen = wallScreen.clusters.isEmpty ? rows : wallScreen.clusters.compactMap { name in rows.first { $0.cluster == name } }
        let summary = overview.summary(all: false)
        let slides =
            [
                PageContext.WallScreen.Slide(
                    name: summary?.name ?? "grid", up: summary?.up ?? 0, down: summary?.down ?? 0, anyDown: (summary?.down ?? 0) > 0,
                    graphs: graphs([], "grid"))
            ]
            + chosen.map { row in
                PageContext.WallScreen.Slide(
                    name: row.cluster, up: row.up, down: row.down, anyDown: row.down > 0,
                    graphs: graphs([("cluster", row.cluster)], row.cluster))
            }
        let context = PageContext.WallScreen(
            grid: summary?.name ?? "", slides: slides, rotate: Int(wallScreen.rotate),
            refresh: Int(wallScreen.refresh), range: range.rawValue, now: Self.time(now), alerts: alertBanner())
        return library.render(context, withTemplate: "tv") ?? ""
    }

    // MARK: - Pieces

    func reportGraphs(
        _ query: PageQuery, _ subject: [(String, String)], link: String, alt: String,
        reports: [GraphRequest.Report] = Pages.reports
    ) -> [PageContext.Graph] {
        reports.map { .init(src: query.graph(subject, ("report", $0.rawValue)), alt: "\(alt) \($0.rawValue) report", link: link) }
    }

    /// The page parameters as hidden inputs of a form that sets `except` itself.
    func hidden(_ query: PageQuery, except: Set<String>) -> [PageContext.Pair] {
        query.pageParameters.filter { !except.contains($0.0) }.map { .init(name: $0.0, value: $0.1) }
    }

    func page(
        _ template: String, _ body: Any, title: String, crumbs: [(String, String)], query: PageQuery, path: String,
        now: Int64
    ) -> String {
        let content = library.render(body, withTemplate: template) ?? ""
        let ranges = GraphRequest.NamedRange.allCases.map { range in
            PageContext.Link(
                label: range.rawValue, href: query.link(path, ["r": range.rawValue, "cs": nil, "ce": nil]),
                selected: query.start == nil && query.range == range)
        }
        let sizes = GraphRequest.Size.allCases.map { PageContext.Choice(value: $0.rawValue, selected: $0 == query.size) }
        let layout = PageContext.Layout(
            title: title, grid: inputs.grid().gridname.rawValue, home: query.link("/", ["m": nil, "s": nil, "f": nil]),
            crumbs: crumbs.map { .init(label: $0.0, href: $0.1) }, ranges: ranges, sizes: sizes, start: query.start ?? "",
            end: query.end ?? "", keep: hidden(query, except: ["r", "cs", "ce", "z"]), body: content, now: Self.time(now),
            alerts: alertBanner())
        return library.render(layout, withTemplate: "layout") ?? ""
    }
}
