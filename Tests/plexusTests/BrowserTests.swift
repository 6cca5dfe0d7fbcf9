import Foundation
import PlexusTestSupport
import Testing

/// The dashboard as a person sees it: a real headless Chromium loads every page of a running
/// aggregator fed by two real agents, the DOM is checked for the hosts and graphs, every graph
/// the pages show is fetched, and screenshots are saved (`PLEXUS_SCREENSHOTS=DIR`, else a temp
/// folder; `docs/screenshots/` holds the ones committed).
@Suite(.enabled(if: Browser.enabled, "chromium is not installed (scripts/test installs it)"))
struct BrowserTests {
    @Test func everyPageLoadsInARealBrowser() async throws {
        let folder = try TemporaryFolder("plexus-browser")
        let metrics = ["load_one", "cpu_num", "proc_run", "cpu_user", "cpu_system", "cpu_idle", "mem_total", "mem_free", "bytes_in", "bytes_out"]
        let web = try AgentProcess(folder: folder, name: "web", cluster: "web", hostname: "web-1", metrics: metrics)
        defer { web.stop() }
        let db = try AgentProcess(folder: folder, name: "db", cluster: "db", hostname: "db-1", ip: "127.0.0.2", metrics: metrics)
        defer { db.stop() }
        let http = Loopback.freePort()
        let aggregator = try AggregatorProcess(
            folder: folder, name: "aggregator", gridname: "Ops",
            sources: AggregatorProcessTests.source("web", web.port) + AggregatorProcessTests.source("db", db.port), httpPort: http)
        defer { aggregator.stop() }
        try #require(
            await Loopback.eventually(seconds: 30) {
                ["web/__SummaryInfo__/cpu_idle.rrd", "db/__SummaryInfo__/cpu_idle.rrd"].allSatisfy {
                    FileManager.default.fileExists(atPath: aggregator.root.appendingPathComponent($0).path)
                }
            }, "both clusters are archived")
        // A hostile metric name and value, sent as gmetric would: they must show as text.
        let plexus = try Executable("plexus")
        for arguments in [
            ["-n", "<img src=x onerror=alert(1)>", "-v", "1", "-t", "float"], ["-n", "motd", "-v", "<script>alert(1)</script>", "-t", "string"],
        ] {
            let sent = try await plexus.run(["send"] + arguments + ["--to", "127.0.0.1:\(web.port)"])
            #expect(sent.status == 0, "\(sent.stderr)")
        }
        try #require(
            await Loopback.eventually(seconds: 30) {
                FileManager.default.fileExists(atPath: aggregator.root.appendingPathComponent("web/web-1/<img src=x onerror=alert(1)>.rrd").path)
            }, "the sent metric is archived: \(aggregator.query("/web/web-1") ?? "")")
        let events = try await plexus.run(["events", "add", "--rrd-root", aggregator.root.path, "--tag", "deploy", "--start", "-1m", "v1.4.2 to production"])
        #expect(events.status == 0)

        let screenshots =
            ProcessInfo.processInfo.environment["PLEXUS_SCREENSHOTS"].map { URL(fileURLWithPath: $0) }
            ?? folder.url.appendingPathComponent("screenshots")
        try FileManager.default.createDirectory(at: screenshots, withIntermediateDirectories: true)
        let base = "http://127.0.0.1:\(http)"
        let pages: [(name: String, path: String, expect: [String])] = [
            ("grid", "/?z=medium", ["id=\"hosts-up\">2<", "href=\"/cluster/web?", "href=\"/cluster/db?", "report=cpu"]),
            ("cluster", "/cluster/web?z=medium", ["data-host=\"web-1\"", "host=web-1&amp;metric=load_one", "1 of 1 hosts"]),
            (
                "host", "/cluster/web/host/web-1?z=medium",
                [
                    "<th>IP</th><td>127.0.0.1</td>", "<h2>load</h2>", "<th>motd</th><td>&lt;script&gt;alert(1)&lt;/script&gt;</td>",
                    "alt=\"web-1 &lt;img src=x onerror=alert(1)&gt;\"",
                ]
            ),
            ("metric", "/cluster/web/host/web-1/metric/load_one", ["range=hour", "range=year"]),
            ("tv", "/tv", ["data-name=\"Ops\"", "data-name=\"web\"", "data-name=\"db\"", "class=\"slide shown\""]),
        ]
        for page in pages {
            let dom = try await Browser.dumpDOM(base + page.path, profile: folder.url.appendingPathComponent("profile"))
            #expect(dom.status == 0, "\(page.name): \(dom.stderr.suffix(500))")
            for marker in page.expect {
                #expect(dom.stdout.contains(marker), "\(page.name) lacks \(marker)")
            }
            #expect(!dom.stdout.contains("<script>alert(1)") && !dom.stdout.contains("<img src=\"x\""), "\(page.name) runs what a host sent")
            // Every graph on the page answers with a picture.
            let sources = Browser.imageSources(dom.stdout)
            #expect(!sources.isEmpty, "\(page.name) shows graphs")
            for source in Set(sources) {
                let image = try await Browser.fetch(base + source)
                #expect(image.starts(with: PNGImage.signature), "\(page.name): \(source) is not a PNG")
            }
            let shot = screenshots.appendingPathComponent("\(page.name).png")
            let taken = try await Browser.screenshot(base + page.path, to: shot, profile: folder.url.appendingPathComponent("profile"))
            #expect(taken.status == 0, "\(taken.stderr.suffix(300))")
            let picture = try PNGImage([UInt8](Data(contentsOf: shot)))
            #expect(picture.width == 1400 && picture.colorCount > 50, "\(page.name) looks blank")
        }
    }
}

/// Debian's headless Chromium, run once per request with a deadline.
enum Browser {
    static let path = "/usr/bin/chromium"
    /// scripts/test sets PLEXUS_REQUIRE_BROWSER=1: there a missing chromium is a failure.
    static var enabled: Bool {
        FileManager.default.isExecutableFile(atPath: path) || ProcessInfo.processInfo.environment["PLEXUS_REQUIRE_BROWSER"] == "1"
    }

    static func run(_ arguments: [String], profile: URL) async throws -> Executable.Result {
        // At the lowest priority: the browser must not starve the suites running beside it (a
        // loopback test server once took over 5 s to answer while Chromium held both vCPUs).
        let nice = Executable(url: URL(fileURLWithPath: "/usr/bin/nice"))
        // As little of the browser as a page needs: it shares two vCPUs with the other suites.
        let common = [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--user-data-dir=\(profile.path)",
            "--disable-extensions", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--mute-audio", "--disable-dev-shm-usage", "--renderer-process-limit=1",
        ]
        return try await nice.run(["-n", "19", "/usr/bin/timeout", "-s", "KILL", "60", path] + common + arguments)
    }

    static func dumpDOM(_ url: String, profile: URL) async throws -> Executable.Result {
        try await run(["--virtual-time-budget=3000", "--dump-dom", url], profile: profile)
    }

    static func screenshot(_ url: String, to file: URL, profile: URL) async throws -> Executable.Result {
        try await run(["--window-size=1400,1000", "--virtual-time-budget=5000", "--screenshot=\(file.path)", url], profile: profile)
    }

    /// The `src` of every `<img>` in a DOM, `&amp;` undone.
    static func imageSources(_ dom: String) -> [String] {
        dom.components(separatedBy: "<img ").dropFirst().compactMap { tag in
            guard let start = tag.range(of: "src=\""), let end = tag[start.upperBound...].firstIndex(of: "\"") else { return nil }
            return tag[start.upperBound..<end].replacingOccurrences(of: "&amp;", with: "&")
        }
    }

    static func fetch(_ url: String) async throws -> [UInt8] {
        let curl = Executable(url: URL(fileURLWithPath: "/usr/bin/curl"))
        return [UInt8](try await curl.run(["-s", "--max-time", "30", url]).output)
    }
}
