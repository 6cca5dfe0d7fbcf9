import Foundation
import PlexusCore
import PlexusTestSupport
import Testing

@testable import PlexusArchive

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Graphs: the arguments we build (pure), and real renders checked as pictures.
@Suite struct GraphTests {
    static let t0: Int64 = 1_795_543_200
    static let now = t0 + 7200

    /// A host and a cluster with gmond's load, CPU, memory and network metrics for two hours.
    static func archive(in dir: TemporaryDirectory, host: String = "web-1") async throws -> ArchiveStore {
        let store = ArchiveStore(layout: RRDLayout(root: dir.path), archives: smallArchives)
        let writer = ArchiveWriter(store: store)
        let cluster = try ClusterName("web")
        let values: [String: (Int) -> Double] = [
            "load_one": { 0.5 + Double($0 % 20) / 10 }, "cpu_num": { _ in 4 }, "proc_run": { Double($0 % 3) },
            "cpu_user": { _ in 30 }, "cpu_nice": { _ in 5 }, "cpu_system": { _ in 15 }, "cpu_wio": { _ in 10 }, "cpu_idle": { _ in 40 },
            "mem_total": { _ in 8_000_000 }, "mem_free": { _ in 2_000_000 }, "mem_cached": { _ in 3_000_000 }, "mem_buffers": { _ in 500_000 },
            "mem_shared": { _ in 100_000 }, "swap_total": { _ in 1_000_000 }, "swap_free": { _ in 900_000 },
            "bytes_in": { Double(1000 + $0 * 10) }, "bytes_out": { Double(5000 - $0 * 5) },
            "probe_shop_ms": { 20 + Double($0 % 7) }, "probe_shop_up": { $0 % 60 == 30 ? 0 : 1 }, "probe_api_ms": { _ in 45 },
            "probe_api_ttfb_ms": { _ in 30 },
        ]
        for i in 0...480 {
            let t = t0 + Int64(i) * 15
            for (metric, value) in values {
                let name = try MetricName(metric)
                writer.submit(
                    ArchiveSample(key: ArchiveKey(.host(cluster, try HostName(host)), name), geometry: ArchiveGeometry(step: 15), time: t, value: value(i)))
                writer.submit(
                    ArchiveSample(key: ArchiveKey(.clusterSummary(cluster), name), geometry: ArchiveGeometry(step: 15), time: t, sum: 2 * value(i), num: 2))
            }
        }
        await writer.shutdown()
        #expect(writer.statistics.failed == 0)
        return store
    }

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    static func listing(_ directory: String) -> [String] {
        ArchiveCatalog(layout: RRDLayout(root: "/")).files(in: directory)
    }

    @Test func argumentsEscapeNamesAndMarkEvents() throws {
        let layout = RRDLayout(root: "/rrds")
        let request = GraphRequest(
            subject: .host(try ClusterName("c"), try HostName("10.0.0.9:switch9")), content: .metric(try MetricName("a:b\\c")),
            range: .between(start: 1000, end: 5000), size: .small, title: "t",
            events: [
                GraphEvent(start: 2000, text: "v1.4.2: to prod\\n", tag: "deploy"),
                GraphEvent(start: 3000, end: 3500, text: "outage", tag: "incident"),
                GraphEvent(start: 9000, text: "later"),
            ]
        )
        let graph = try GraphArguments(request, layout: layout, now: 0) { _ in true }
        #expect(graph.paths == ["/rrds/c/10.0.0.9:switch9/a:b\\c.rrd"])
        #expect(graph.arguments.contains("DEF:value=/rrds/c/10.0.0.9\\:switch9/a\\:b\\c.rrd:sum:AVERAGE"))
        #expect(graph.arguments.contains("LINE1:value#2E6DB4:a\\:b/c\\l"))
        #expect(graph.arguments.contains("VRULE:2000#0066FF:v1.4.2\\: to prod/n:dashes"))
        #expect(graph.arguments.contains("VRULE:3000#DD0000:outage:dashes"))
        #expect(graph.arguments.contains("CDEF:event1=value,POP,TIME,3000,GE,TIME,3500,LE,*,INF,UNKN,IF"))
        #expect(!graph.arguments.contains { $0.contains("later") })  // outside the range
        #expect(
            Array(graph.arguments.prefix(13)) == [
                "-", "--imgformat", "PNG", "--start", "1000", "--end", "5000", "--width", "200", "--height", "65", "--slope-mode", "--title",
            ])
    }

    @Test func missingFilesAreLeftOutAndNothingAtAllIsAnError() throws {
        let layout = RRDLayout(root: "/rrds")
        let host = GraphRequest.Subject.host(try ClusterName("c"), try HostName("h"))
        let onlyLoad = try GraphArguments(GraphRequest(subject: host, content: .report(.load)), layout: layout, now: Self.now) { $0.hasSuffix("/load_one.rrd") }
        #expect(onlyLoad.paths == ["/rrds/c/h/load_one.rrd"])
        #expect(!onlyLoad.arguments.contains { $0.hasPrefix("LINE2:cpus") })
        #expect(throws: RRDError.self) {
            try GraphArguments(GraphRequest(subject: host, content: .report(.mem)), layout: layout, now: Self.now) { $0.hasSuffix("/mem_total.rrd") }
        }
        #expect(throws: RRDError.self) { try GraphArguments(GraphRequest(subject: host, content: .report(.cpu)), layout: layout, now: Self.now) { _ in false } }
        #expect(throws: RRDError.self) {
            try GraphArguments(GraphRequest(subject: host, content: .report(.cpu), range: .between(start: 10, end: 10)), layout: layout, now: Self.now) { _ in
                true
            }
        }
        // Cluster CPU is the mean: each part divided by the host count.
        let cluster = try GraphArguments(
            GraphRequest(subject: .cluster(try ClusterName("c")), content: .report(.cpu), range: .last(.day)), layout: layout, now: Self.now
        ) { _ in true }
        #expect(cluster.arguments.contains("CDEF:cpu_user=cpu_user_raw,cpu_user_num,/"))
        #expect(cluster.arguments.contains("DEF:cpu_user_num=/rrds/c/__SummaryInfo__/cpu_user.rrd:num:AVERAGE"))
        #expect(cluster.arguments.contains(String(Self.now - 86400)))
    }

    @Test(arguments: GraphRequest.Report.allCases)
    func reportsRenderAsRealPictures(report: GraphRequest.Report) async throws {
        let dir = try TemporaryDirectory(prefix: "plexus-graph")
        defer { dir.remove() }
        let store = try await Self.archive(in: dir)
        let reader = ArchiveReader(store: store)
        defer { Task { await reader.shutdown() } }
        for subject in [GraphRequest.Subject.host(try ClusterName("web"), try HostName("web-1")), .cluster(try ClusterName("web"))] {
            let request = GraphRequest(subject: subject, content: .report(report), range: .between(start: Self.t0, end: Self.now), size: .large)
            let graph = try await reader.render(
                try GraphArguments(
                    request, layout: store.layout, now: Self.now, exists: Self.exists,
                    listing: Self.listing))
            let image = try PNGImage(graph.image)
            // PLEXUS_DUMP_GRAPHS=DIR keeps the pictures, to look at them.
            if let dump = ProcessInfo.processInfo.environment["PLEXUS_DUMP_GRAPHS"] {
                let name = if case .host = subject { "host" } else { "cluster" }
                FileManager.default.createFile(atPath: "\(dump)/\(report.rawValue)-\(name).png", contents: Data(graph.image))
            }
            #expect(image.width == graph.width && image.height == graph.height)
            #expect(image.width > 480 && image.height > 150)  // plot area plus axes and legend
            #expect(image.colorCount > 20, "\(report) \(subject) looks blank")
        }
    }

    @Test func aMetricGraphShowsItsData() async throws {
        let dir = try TemporaryDirectory(prefix: "plexus-graph")
        defer { dir.remove() }
        let store = try await Self.archive(in: dir, host: "10.0.0.9:sw 9")
        let reader = ArchiveReader(store: store)
        defer { Task { await reader.shutdown() } }
        let subject = GraphRequest.Subject.host(try ClusterName("web"), try HostName("10.0.0.9:sw 9"))
        func render(_ range: GraphRequest.TimeRange) async throws -> PNGImage {
            let request = GraphRequest(
                subject: subject, content: .metric(try MetricName("bytes_in")), range: range, size: .medium,
                events: [GraphEvent(start: Self.t0 + 3600, text: "deploy: v2", tag: "deploy")])
            let bytes = try await reader.render(try GraphArguments(request, layout: store.layout, now: Self.now, exists: Self.exists)).image
            if let dump = ProcessInfo.processInfo.environment["PLEXUS_DUMP_GRAPHS"] {
                FileManager.default.createFile(atPath: "\(dump)/metric-\(range.hashValue & 0xFF).png", contents: Data(bytes))
            }
            return try PNGImage(bytes)
        }
        // The data's fill colour covers much of the plot; the deploy line is drawn in its colour.
        let withData = try await render(.between(start: Self.t0, end: Self.now))
        #expect(withData.count(red: 0x8F, green: 0xB5, blue: 0xE2) > 300 * 95 / 4)
        #expect(withData.count(red: 0x00, green: 0x66, blue: 0xFF) > 20)
        // A range where the archive holds nothing draws no area.
        let empty = try await render(.between(start: Self.t0 - 7 * 86400, end: Self.t0 - 6 * 86400))
        #expect(empty.count(red: 0x8F, green: 0xB5, blue: 0xE2) < 10)
    }

    @Test func theProbesReportDrawsEveryProbeAndItsFailures() throws {
        let layout = RRDLayout(root: "/rrds")
        let files = ["probe_shop_ms.rrd", "probe_shop_up.rrd", "probe_api_ms.rrd", "probe_api_ttfb_ms.rrd", "load_one.rrd"]
        let host = try GraphArguments(
            GraphRequest(subject: .host(try ClusterName("c"), try HostName("h")), content: .report(.probes)),
            layout: layout, now: Self.now, exists: { _ in true }, listing: { _ in files })
        // Sorted by probe name; time-to-first-byte is not a probe of its own.
        #expect(host.arguments.contains("LINE2:p0#1F78B4:api"))
        #expect(host.arguments.contains("LINE2:p1#33A02C:shop"))
        #expect(!host.arguments.contains { $0.contains("ttfb") })
        #expect(host.arguments.contains("CDEF:p1_up=p1_up_raw,100,*"))
        #expect(host.arguments.contains("TICK:p1_down#DD000060:1.0"))
        // A cluster shows the mean over its hosts, and availability as the share of hosts up.
        let cluster = try GraphArguments(
            GraphRequest(subject: .cluster(try ClusterName("c")), content: .report(.probes)),
            layout: layout, now: Self.now, exists: { _ in true }, listing: { _ in files })
        #expect(cluster.arguments.contains("CDEF:p1=p1_raw,p1_num,/"))
        #expect(cluster.arguments.contains("CDEF:p1_up=p1_up_raw,p1_up_num,/,100,*"))
        #expect(throws: RRDError.self) {
            try GraphArguments(
                GraphRequest(subject: .cluster(try ClusterName("c")), content: .report(.probes)),
                layout: layout, now: Self.now, exists: { _ in true }, listing: { _ in ["load_one.rrd"] })
        }
    }

    @Test func anExportHoldsWhatTheGraphDraws() async throws {
        let dir = try TemporaryDirectory(prefix: "plexus-graph")
        defer { dir.remove() }
        let store = try await Self.archive(in: dir)
        let reader = ArchiveReader(store: store)
        defer { Task { await reader.shutdown() } }
        let range = GraphRequest.TimeRange.between(start: Self.t0 + 600, end: Self.t0 + 1200)
        // The cluster's CPU report: each part is the mean over the two hosts (sum / num).
        let cpu = try ExportArguments(
            GraphRequest(subject: .cluster(try ClusterName("web")), content: .report(.cpu), range: range),
            layout: store.layout, now: Self.now, exists: Self.exists)
        #expect(cpu.columns == ["cpu_user", "cpu_nice", "cpu_system", "cpu_wio", "cpu_idle"])
        let series = try await reader.export(cpu)
        #expect(series.step == 15 && series.rows.count == 40)
        #expect(series.rows.dropLast().allSatisfy { $0 == [30, 5, 15, 10, 40] })
        // Memory in bytes; a summary metric with its host count.
        let mem = try await reader.export(
            try ExportArguments(
                GraphRequest(subject: .host(try ClusterName("web"), try HostName("web-1")), content: .report(.mem), range: range),
                layout: store.layout, now: Self.now, exists: Self.exists))
        #expect(mem.columns == ["used_bytes", "shared_bytes", "cached_bytes", "buffers_bytes", "free_bytes", "swapped_bytes", "total_bytes"])
        let kilobytes: [Double] = [2_400_000, 100_000, 3_000_000, 500_000, 2_000_000, 100_000, 8_000_000]
        #expect(mem.rows[0] == kilobytes.map { $0 * 1024 })
        let load = try await reader.export(
            try ExportArguments(
                GraphRequest(subject: .cluster(try ClusterName("web")), content: .metric(try MetricName("cpu_num")), range: range),
                layout: store.layout, now: Self.now, step: 60, exists: Self.exists))
        #expect(load.columns == ["cpu_num", "hosts"] && load.step == 60)
        #expect(load.rows[1] == [8, 2])
    }

    @Test func svgAndConcurrentRendersAreSerializedSafely() async throws {
        let dir = try TemporaryDirectory(prefix: "plexus-graph")
        defer { dir.remove() }
        let store = try await Self.archive(in: dir)
        let reader = ArchiveReader(store: store)
        defer { Task { await reader.shutdown() } }
        let subject = GraphRequest.Subject.cluster(try ClusterName("web"))
        let svg = try await reader.render(
            try GraphArguments(GraphRequest(subject: subject, content: .report(.cpu), format: .svg), layout: store.layout, now: Self.now, exists: Self.exists))
        let text = String(decoding: svg.image, as: UTF8.self)
        #expect(text.contains("<svg"))
        #expect(XMLParser(data: Data(svg.image)).parse())
        // Sixteen at once through four readers and xports beside them: rrd_graph_v and rrd_xport
        // are not thread-safe, and two readers rendering at once corrupted the heap until LibRRD
        // serialized them process-wide.
        let readers = [reader] + (1..<4).map { _ in ArchiveReader(store: store) }
        defer { for r in readers.dropFirst() { Task { await r.shutdown() } } }
        let sizes = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<16 {
                group.addTask {
                    let report = GraphRequest.Report.allCases[i % 4]
                    let reader = readers[i % 4]
                    let rows = try await reader.xport(
                        [SeriesDefinition(key: ArchiveKey(.clusterSummary(try ClusterName("web")), try MetricName("load_one")))], start: Self.t0, end: Self.now
                    ).rows.count
                    #expect(rows == 240)  // xport keeps to 400 rows by default: 2 h at 30 s
                    let graph = try await reader.render(
                        try GraphArguments(
                            GraphRequest(subject: subject, content: .report(report), range: .between(start: Self.t0, end: Self.now)), layout: store.layout,
                            now: Self.now, exists: Self.exists))
                    return try PNGImage(graph.image).colorCount
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(sizes.count == 16 && sizes.allSatisfy { $0 > 20 })
    }
}
