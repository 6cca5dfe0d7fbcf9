import Foundation
import PlexusArchive
import PlexusCore
import PlexusTestSupport
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// `plexus graph`, `export` and `events` run as real processes on real RRD files made in a
/// temporary folder, in gmetad's layout, with values known in advance.
@Suite struct CLIArchiveTests {
    static let t0: Int64 = 1_795_543_200
    static let end = t0 + 7200

    /// Two hosts of cluster web, the cluster's and the grid's summaries, two hours at 15 s.
    static func archive(in folder: TemporaryFolder) async throws -> String {
        let root = folder.url.appendingPathComponent("rrds").path
        let writer = ArchiveWriter(
            store: ArchiveStore(
                layout: RRDLayout(root: root),
                archives: [
                    "RRA:AVERAGE:0.5:1:1000", "RRA:AVERAGE:0.5:4:1000", "RRA:AVERAGE:0.5:40:500",
                ].compactMap(RRDLayout.Archive.init)))
        let values: [String: (Int) -> Double] = [
            "load_one": { 0.5 + Double($0 % 20) / 10 }, "cpu_num": { _ in 4 }, "proc_run": { Double($0 % 3) },
            "cpu_user": { _ in 30 }, "cpu_nice": { _ in 5 }, "cpu_system": { _ in 15 }, "cpu_wio": { _ in 10 }, "cpu_idle": { _ in 40 },
            "mem_total": { _ in 8_000_000 }, "mem_free": { _ in 2_000_000 }, "mem_cached": { _ in 3_000_000 },
            "mem_buffers": { _ in 500_000 }, "mem_shared": { _ in 100_000 },
            "bytes_in": { Double(1000 + $0 * 10) }, "bytes_out": { Double(5000 - $0 * 5) },
            "probe_shop_ms": { 20 + Double($0 % 7) }, "probe_shop_up": { $0 % 60 == 30 ? 0 : 1 },
        ]
        let web = try ClusterName("web")
        for i in 0...480 {
            let t = t0 + Int64(i) * 15
            for (metric, value) in values {
                let name = try MetricName(metric)
                for host in ["web-1", "web-2"] {
                    writer.submit(
                        ArchiveSample(
                            key: ArchiveKey(.host(web, try HostName(host)), name), geometry: ArchiveGeometry(step: 15),
                            time: t, value: value(i)))
                }
                for location in [RRDLayout.Location.clusterSummary(web), .rootSummary] {
                    writer.submit(
                        ArchiveSample(
                            key: ArchiveKey(location, name), geometry: ArchiveGeometry(step: 15), time: t,
                            sum: 2 * value(i), num: 2))
                }
            }
        }
        await writer.shutdown()
        #expect(writer.statistics.failed == 0)
        return root
    }

    static func plexus(_ arguments: [String], environment: [String: String]? = nil) async throws -> Executable.Result {
        let executable = try Executable("plexus")
        return try await executable.run(arguments, environment: environment)
    }

    /// The range of the archive, as options.
    static let whole = ["--start", String(t0), "--end", String(end)]

    @Test func everyReportOfEverySubjectIsARealPicture() async throws {
        let folder = try TemporaryFolder("plexus-cli-graph")
        let root = try await Self.archive(in: folder)
        for subject in [["--host", "web-1"], ["--cluster", "web", "--host", "web-2"], ["--cluster", "web"], []] {
            for report in ["load", "cpu", "mem", "network", "probes"] {
                let file = folder.url.appendingPathComponent("\(subject.last ?? "grid")-\(report).png").path
                let result = try await Self.plexus(
                    ["graph", "--rrd-root", root, "--report", report, "--size", "large", "-o", file]
                        + subject + Self.whole)
                #expect(result.status == 0, "\(subject) \(report): \(result.stderr)")
                #expect(result.stderr.hasPrefix("plexus: wrote \(file) (PNG, "))
                let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
                #expect(bytes.starts(with: PNGImage.signature))
                let image = try PNGImage(bytes)
                #expect(image.width > 480 && image.height > 150, "\(subject) \(report): plot area plus axes and legend")
                #expect(image.colorCount > 20, "\(subject) \(report) looks blank")
            }
        }
        // Sizes, a title, SVG, and standard output.
        let wide = folder.url.appendingPathComponent("wide.png").path
        let sized = try await Self.plexus(
            [
                "graph", "--rrd-root", root, "--metric", "bytes_in", "--host", "web-1", "--width", "900",
                "--height", "250", "--title", "Inbound", "-q", "-o", wide,
            ] + Self.whole)
        #expect(sized.status == 0 && sized.stderr.isEmpty)
        let image = try PNGImage([UInt8](Data(contentsOf: URL(fileURLWithPath: wide))))
        #expect(image.width > 900 && image.height > 250)
        let svg = folder.url.appendingPathComponent("cpu.svg").path
        #expect(try await Self.plexus(["graph", "--rrd-root", root, "--report", "cpu", "--cluster", "web", "-q", "-o", svg] + Self.whole).status == 0)
        let text = try Data(contentsOf: URL(fileURLWithPath: svg))
        #expect(String(decoding: text, as: UTF8.self).contains("<svg"))
        #expect(XMLParser(data: text).parse(), "the SVG parses as XML")
        let piped = try await Self.plexus(["graph", "--rrd-root", root, "--report", "load", "-o", "-"] + Self.whole)
        #expect(piped.status == 0 && piped.output.starts(with: PNGImage.signature) && piped.stderr.isEmpty)
    }

    @Test func eventsAreDrawnOnTheGraphsTheyTouch() async throws {
        let folder = try TemporaryFolder("plexus-cli-events-graph")
        let root = try await Self.archive(in: folder)
        let deploy = try await Self.plexus([
            "events", "add", "--rrd-root", root, "--tag", "deploy", "--start", String(Self.t0 + 3600),
            "--cluster", "web*", "v1.4.2 to production",
        ])
        #expect(deploy.status == 0, "\(deploy.stderr)")
        // An incident elsewhere: red, and never on web's graphs.
        #expect(
            try await Self.plexus([
                "events", "add", "--rrd-root", root, "--tag", "incident", "--start", String(Self.t0 + 1800),
                "--end", String(Self.t0 + 2400), "--cluster", "db", "db failover",
            ]).status == 0)
        func render(_ extra: [String]) async throws -> PNGImage {
            let file = folder.url.appendingPathComponent("m.png").path
            let result = try await Self.plexus(
                ["graph", "--rrd-root", root, "--metric", "bytes_in", "--host", "web-1", "-q", "-o", file]
                    + Self.whole + extra)
            #expect(result.status == 0, "\(result.stderr)")
            return try PNGImage([UInt8](Data(contentsOf: URL(fileURLWithPath: file))))
        }
        let blue = (red: UInt8(0x00), green: UInt8(0x66), blue: UInt8(0xFF)), red = (red: UInt8(0xDD), green: UInt8(0x00), blue: UInt8(0x00))
        let marked = try await render([])
        #expect(marked.count(red: blue.red, green: blue.green, blue: blue.blue) > 20, "the deploy line and its legend")
        #expect(marked.count(red: red.red, green: red.green, blue: red.blue) == 0, "db's incident is not web's")
        let plain = try await render(["--no-events"])
        #expect(plain.count(red: blue.red, green: blue.green, blue: blue.blue) == 0)
        let grid = folder.url.appendingPathComponent("grid.png").path
        #expect(try await Self.plexus(["graph", "--rrd-root", root, "--metric", "bytes_in", "-q", "-o", grid] + Self.whole).status == 0)
        let gridImage = try PNGImage([UInt8](Data(contentsOf: URL(fileURLWithPath: grid))))
        #expect(gridImage.count(red: red.red, green: red.green, blue: red.blue) > 20, "the grid shows every event")
    }

    @Test func eventsAreAddedListedAndRemovedThroughAnAppendOnlyJournal() async throws {
        let folder = try TemporaryFolder("plexus-cli-events")
        let root = folder.url.appendingPathComponent("rrds").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let journal = folder.url.appendingPathComponent("events.jsonl").path
        // "Now" is the command's: between the clock before it started and after it ended, however
        // long a loaded machine makes it take.
        let before = Int64(Date().timeIntervalSince1970)
        let added = try await Self.plexus(["events", "add", "--rrd-root", root, "--tag", "deploy", "--json", "v1.4.2 to production"])
        let after = Int64(Date().timeIntervalSince1970)
        #expect(added.status == 0, "\(added.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: added.output) as? [[String: Any]]).first
        #expect(object?["id"] as? Int == 1 && object?["tags"] as? [String] == ["deploy"] && object?["end"] is NSNull)
        #expect((before...after).contains(object?["start"] as? Int64 ?? 0))
        #expect(
            try await Self.plexus([
                "events", "add", "--rrd-root", root, "--tag", "incident", "--start", "now-1h", "--end", "now-30m",
                "--host", "db-*", "--cluster", "db", "replica lag",
            ]).status == 0)

        let listed = try await Self.plexus(["events", "list", "--rrd-root", root, "--csv"])
        #expect(listed.status == 0)
        let lines = listed.stdout.split(separator: "\r\n")
        #expect(lines.first == "id,start,end,tags,cluster,host,text")
        #expect(lines.count == 3 && lines[1].hasPrefix("2,") && lines[2].hasPrefix("1,"), "oldest first")
        #expect(try await Self.plexus(["events", "list", "--rrd-root", root, "--tag", "deploy", "--csv"]).stdout.split(separator: "\r\n").count == 2)
        #expect(try await Self.plexus(["events", "list", "--rrd-root", root, "--cluster", "web", "--csv"]).stdout.split(separator: "\r\n").count == 2)
        #expect(try await Self.plexus(["events", "list", "--rrd-root", root, "--since", "-10m", "--csv"]).stdout.split(separator: "\r\n").count == 2)

        let removed = try await Self.plexus(["events", "remove", "--rrd-root", root, "1"])
        #expect(removed.status == 0 && removed.stderr == "plexus: removed event 1: v1.4.2 to production\n")
        let again = try await Self.plexus(["events", "remove", "--rrd-root", root, "1"])
        #expect(again.status == 1 && again.stderr == "plexus events: no event with id 1\n")
        #expect(try await Self.plexus(["events", "list", "--rrd-root", root, "--json"]).stdout.contains("replica lag"))
        // Appended, never rewritten: two adds and a remove.
        let text = try String(contentsOfFile: journal, encoding: .utf8)
        #expect(text.split(separator: "\n").count == 3 && text.split(separator: "\n").last?.contains("\"op\":\"remove\"") == true)
        // A damaged line is skipped with a note, the rest still read.
        try (text + "{oops\n").write(toFile: journal, atomically: false, encoding: .utf8)
        let damaged = try await Self.plexus(["events", "list", "--rrd-root", root])
        #expect(damaged.status == 0 && damaged.stdout.contains("replica lag") && damaged.stderr.contains("skipped 1 malformed line(s): 4"))
    }

    @Test func exportsAreGoldenWithGapsAsEmptyAndNull() async throws {
        let folder = try TemporaryFolder("plexus-cli-export")
        let root = try await Self.archive(in: folder)
        let csv = try await Self.plexus([
            "export", "--rrd-root", root, "--metric", "load_one", "--host", "web-1",
            "--start", String(Self.t0 + 600), "--end", String(Self.t0 + 660),
        ])
        #expect(csv.status == 0 && csv.stderr.isEmpty)
        #expect(csv.stdout == "time,load_one\r\n1795543815,0.6\r\n1795543830,0.7\r\n1795543845,0.8\r\n1795543860,0.9\r\n")
        // Past the last update: no values, shown as empty (CSV) and null (JSON).
        let gap = try await Self.plexus([
            "export", "--rrd-root", root, "--metric", "load_one", "--cluster", "web",
            "--start", String(Self.end - 15), "--end", String(Self.end + 30), "--time-format", "iso",
        ])
        #expect(gap.stdout == "time,load_one,hosts\r\n2026-11-24T20:00:00Z,1,2\r\n2026-11-24T20:00:15Z,,\r\n2026-11-24T20:00:30Z,,\r\n")
        let json = try await Self.plexus([
            "export", "--rrd-root", root, "--report", "cpu", "--cluster", "web", "--json",
            "--start", String(Self.end - 30), "--end", String(Self.end + 15),
        ])
        #expect(json.status == 0)
        #expect(
            json.stdout == """
                {"subject":{"cluster":"web"},"report":"cpu","start":1795550370,"end":1795550415,"step":15,"columns":["time","cpu_user","cpu_nice","cpu_system","cpu_wio","cpu_idle"],
                "rows":[{"time":1795550385,"cpu_user":30,"cpu_nice":5,"cpu_system":15,"cpu_wio":10,"cpu_idle":40},
                 {"time":1795550400,"cpu_user":30,"cpu_nice":5,"cpu_system":15,"cpu_wio":10,"cpu_idle":40},
                 {"time":1795550415,"cpu_user":null,"cpu_nice":null,"cpu_system":null,"cpu_wio":null,"cpu_idle":null}]}

                """)
        let parsed = try JSONSerialization.jsonObject(with: json.output) as? [String: Any]
        #expect((parsed?["rows"] as? [[String: Any]])?.count == 3)
        // To a file, at a coarser step.
        let file = folder.url.appendingPathComponent("mem.csv").path
        let mem = try await Self.plexus([
            "export", "--rrd-root", root, "--report", "mem", "--host", "web-2", "--step", "60", "-o", file,
            "--start", String(Self.t0 + 600), "--end", String(Self.t0 + 720),
        ])
        #expect(mem.status == 0 && mem.stderr == "plexus: wrote \(file) (2 rows, step 60 s)\n")
        #expect(
            try String(contentsOfFile: file, encoding: .utf8) == """
                time,used_bytes,shared_bytes,cached_bytes,buffers_bytes,free_bytes,total_bytes\r
                1795543860,2457600000,102400000,3072000000,512000000,2048000000,8192000000\r
                1795543920,2457600000,102400000,3072000000,512000000,2048000000,8192000000\r

                """)
    }

    /// Every bad input: one line on standard error, nothing on standard output, the documented code.
    @Test func badInputGivesOneLineAndTheDocumentedExitCode() async throws {
        let folder = try TemporaryFolder("plexus-cli-bad")
        let root = try await Self.archive(in: folder)
        let output = folder.url.appendingPathComponent("g.png").path
        let graph = ["graph", "--rrd-root", root, "-o", output]
        let cases: [(arguments: [String], status: Int32, message: String)] = [
            (graph + ["--report", "cpu", "--host", "web-9"], 1, "unknown host \"web-9\""),
            (graph + ["--report", "cpu", "--cluster", "db"], 1, "unknown cluster \"db\" (archived: web)"),
            (graph + ["--report", "cpu", "--cluster", "web", "--host", "web-9"], 1, "unknown host \"web-9\" in cluster web"),
            (graph + ["--metric", "nope", "--host", "web-1"], 1, "no archive for metric nope"),
            (graph + ["--report", "disk", "--host", "web-1"], 1, "unknown report \"disk\""),
            (graph + ["--report", "cpu", "--range", "fortnight"], 1, "unknown range \"fortnight\""),
            (graph + ["--report", "cpu", "--start", "yesterday"], 1, "--start: \"yesterday\" is not a time"),
            (graph + ["--report", "cpu", "--start", "-1h", "--end", "-2h"], 1, "is not after the start"),
            (graph + ["--report", "cpu", "--range", "day", "--start", "-1h"], 1, "a range excludes a start and an end"),
            (graph + ["--report", "cpu", "--metric", "load_one"], 1, "give a metric or a report, not both"),
            (graph + ["--host", "web-1"], 1, "say what to show"),
            (graph + ["--report", "cpu", "--cluster", ".."], 1, "cluster name \"..\" is a relative directory name"),
            (graph + ["--report", "cpu", "--cluster", "web", "--host", "../web"], 1, "contains '/'"),
            (graph + ["--report", "cpu", "--size", "huge"], 1, "unknown size \"huge\""),
            (graph + ["--report", "cpu", "--width", "90000"], 1, "--width must be 10…8000 pixels"),
            (graph + ["--report", "cpu", "--format", "gif"], 1, "unknown format \"gif\""),
            (["graph", "--rrd-root", root, "--report", "cpu"], 1, "say where the image goes"),
            (["graph", "--rrd-root", root, "--report", "cpu", "-o", folder.url.path + "/missing/g.png"], 1, "cannot write"),
            (["graph", "--rrd-root", root, "--report", "cpu", "-o", folder.url.path], 1, "cannot write"),
            (["graph", "--rrd-root", folder.url.path + "/nowhere", "--report", "cpu", "-o", output], 2, "cannot read the RRD root"),
            (["graph", "--config", folder.url.path + "/none.toml", "--report", "cpu", "-o", output], 1, "none.toml: no such file"),
            (["export", "--rrd-root", root, "--metric", "load_one", "--host", "web-1", "--json", "--csv"], 1, "--json and --csv exclude each other"),
            (["export", "--rrd-root", root, "--metric", "load_one", "--step", "0"], 1, "--step must be at least 1"),
            (["export", "--rrd-root", root, "--metric", "load_one", "-o", "/proc/plexus.csv"], 1, "cannot write /proc/plexus.csv"),
            (["export", "--rrd-root", folder.url.path + "/nowhere", "--metric", "load_one"], 2, "cannot read the RRD root"),
            (["events", "add", "--rrd-root", root, "--start", "soon", "x"], 1, "--start: \"soon\" is not a time"),
            (["events", "add", "--rrd-root", root, "--start", "-1h", "--end", "-2h", "x"], 1, "is before the start"),
            (["events", "add", "--rrd-root", root, "--tag", "de ploy", "x"], 1, "tag \"de ploy\""),
            (["events", "add", "--rrd-root", root, ""], 1, "the event needs a text"),
            (["events", "add", "--events-file", folder.url.path + "/missing/events.jsonl", "x"], 2, "cannot record the event"),
            (["events", "remove", "--rrd-root", root, "x"], 1, "The value 'x' is invalid for '<ids>'"),
            (["events", "list", "--rrd-root", root, "--host", "web-1"], 1, "--host needs --cluster"),
            (["graph", "--rrd-root", root, "--report", "cpu", "--bogus"], 1, "Unknown option '--bogus'"),
            (["frobnicate"], 1, "Unexpected argument 'frobnicate'"),
        ]
        for bad in cases {
            let result = try await Self.plexus(bad.arguments)
            #expect(result.status == bad.status, "\(bad.arguments): \(result.stderr)")
            #expect(result.stderr.contains(bad.message), "\(bad.arguments): \(result.stderr)")
            #expect(
                result.stderr.hasSuffix("\n") && result.stderr.dropLast().split(separator: "\n").count == 1,
                "one line: \(result.stderr.debugDescription)")
            #expect(result.stderr.hasPrefix("plexus"), "\(result.stderr)")
            #expect(result.output.isEmpty)
        }
        #expect(!FileManager.default.fileExists(atPath: output), "no image is left behind by a refused request")
    }

    @Test func helpHasExamplesAndCompletionScriptsAreValid() async throws {
        let help = try await Self.plexus(["--help"])
        #expect(help.status == 0 && help.stdout.contains("Exit status") && help.stdout.contains("query"))
        for command in ["query", "graph", "export", "events"] {
            let sub = try await Self.plexus([command, "--help"])
            #expect(sub.status == 0 && sub.stdout.contains("Examples:"), "\(command)")
        }
        let folder = try TemporaryFolder("plexus-cli-completion")
        for shell in ["bash", "zsh", "fish"] {
            let script = try await Self.plexus(["--generate-completion-script", shell])
            #expect(script.status == 0 && script.stdout.contains("rrd-root"), "\(shell)")
            if shell == "bash" {
                let file = try folder.write("plexus.bash", script.stdout)
                let check = try await Executable(url: URL(fileURLWithPath: "/bin/bash")).run(["-n", file.path])
                #expect(check.status == 0, "\(check.stderr)")
            }
        }
        // Reports and ranges complete from their lists; clusters, hosts and metrics from the archive.
        let bash = try await Self.plexus(["--generate-completion-script", "bash"])
        #expect(bash.stdout.contains("'network'$'\\n''probes'") && bash.stdout.contains("'4hr'$'\\n''day'"))
        let root = try await CLIArchiveTests.archive(in: folder)
        let clusters = try await Self.plexus(["---completion", "graph", "--", "--cluster", "4", "0", "plexus", "graph", "--rrd-root", root, "--cluster", ""])
        #expect(clusters.stdout == "web\n")
        let hosts = try await Self.plexus(["---completion", "graph", "--", "--host", "4", "0", "plexus", "graph", "--rrd-root", root, "--host", ""])
        #expect(hosts.stdout == "web-1\nweb-2\n")
        let metrics = try await Self.plexus([
            "---completion", "graph", "--", "--metric", "6", "0", "plexus", "graph", "--rrd-root", root,
            "--host", "web-1", "--cluster", "web", "--metric", "",
        ])
        #expect(metrics.stdout.split(separator: "\n").contains("probe_shop_ms") && metrics.stdout.split(separator: "\n").count == 17)
    }
}
