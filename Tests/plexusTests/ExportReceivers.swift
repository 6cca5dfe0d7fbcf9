import Foundation
import PlexusTestSupport

/// Graphite's carbon-cache (Debian's `graphite-carbon`) for a process test: its configuration,
/// whisper files and logs in the test's folder, its line receiver on a free loopback port (TCP
/// and UDP), one-second retention so every exported value has its own slot; stopped by PID.
final class CarbonCache: @unchecked Sendable {
    static let path = "/usr/bin/carbon-cache"
    let folder: URL
    let port: Int
    let data: URL
    private(set) var process: LocalProcess?
    private var runs = 0

    init(folder: TemporaryFolder) throws {
        self.folder = folder.url.appendingPathComponent("carbon")
        data = self.folder.appendingPathComponent("whisper")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: self.folder.appendingPathComponent("log"), withIntermediateDirectories: true)
        port = Loopback.freePort()
        let (pickle, query) = (Loopback.freePort(), Loopback.freePort())
        let dir = self.folder.path + "/"
        try """
        [cache]
        STORAGE_DIR = \(dir)
        LOCAL_DATA_DIR = \(data.path)/
        CONF_DIR = \(dir)
        LOG_DIR = \(dir)log/
        PID_DIR = \(dir)
        DATABASE = whisper
        USER =
        MAX_CACHE_SIZE = inf
        MAX_UPDATES_PER_SECOND = inf
        MAX_CREATES_PER_MINUTE = inf
        WHISPER_AUTOFLUSH = True
        LINE_RECEIVER_INTERFACE = 127.0.0.1
        LINE_RECEIVER_PORT = \(port)
        ENABLE_UDP_LISTENER = True
        UDP_RECEIVER_INTERFACE = 127.0.0.1
        UDP_RECEIVER_PORT = \(port)
        PICKLE_RECEIVER_INTERFACE = 127.0.0.1
        PICKLE_RECEIVER_PORT = \(pickle)
        CACHE_QUERY_INTERFACE = 127.0.0.1
        CACHE_QUERY_PORT = \(query)

        """.write(to: self.folder.appendingPathComponent("carbon.conf"), atomically: true, encoding: .utf8)
        try "[everything]\npattern = .*\nretentions = 1s:2h\n".write(
            to: self.folder.appendingPathComponent("storage-schemas.conf"), atomically: true, encoding: .utf8)
    }

    /// Starts it (again) and waits for its line receiver.
    func start() async throws {
        runs += 1
        let dir = folder.path
        process = try LocalProcess(
            Self.path, ["--config=\(dir)/carbon.conf", "--nodaemon", "--pidfile=\(dir)/carbon-\(runs).pid", "--logdir=\(dir)/log", "start"],
            log: folder.appendingPathComponent("carbon-\(runs).out"))
        let port = port
        guard await Loopback.eventually(seconds: 60, { Loopback.connect(port: port).map { close($0) } != nil }) else {
            throw Failure("carbon-cache did not listen on \(port):\n\(process?.output ?? "")")
        }
    }

    func stop() { process?.stop() }

    /// The whisper file of a Graphite path (dots are directories).
    func file(_ path: String) -> URL { data.appendingPathComponent(path.replacingOccurrences(of: ".", with: "/") + ".wsp") }

    /// The values `whisper-fetch` reads in the file of `path` over the last `seconds` (none
    /// if there is no file yet): time → value.
    func values(_ path: String, seconds: Int = 600) async -> [Int64: Double] {
        let file = file(path)
        guard FileManager.default.fileExists(atPath: file.path) else { return [:] }
        let from = Int64(Date().timeIntervalSince1970) - Int64(seconds)
        guard let (status, text) = try? await runCommand("/usr/bin/whisper-fetch", ["--from=\(from)", file.path]), status == 0 else { return [:] }
        var values: [Int64: Double] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: "\t")
            if fields.count == 2, let time = Int64(fields[0]), let value = Double(fields[1]) { values[time] = value }
        }
        return values
    }
}

/// Prometheus (Debian's `prometheus`) with its remote-write receiver on, no scrapes, its TSDB in
/// the test's folder; queried through its HTTP API; stopped by PID.
final class PrometheusServer: @unchecked Sendable {
    static let path = "/usr/bin/prometheus"
    let folder: URL
    let port: Int
    private(set) var process: LocalProcess?
    private var runs = 0

    init(folder: TemporaryFolder) throws {
        self.folder = folder.url.appendingPathComponent("prometheus")
        try FileManager.default.createDirectory(at: self.folder, withIntermediateDirectories: true)
        try "global:\n  scrape_interval: 1h\n".write(to: self.folder.appendingPathComponent("prometheus.yml"), atomically: true, encoding: .utf8)
        port = Loopback.freePort()
    }

    var base: String { "http://127.0.0.1:\(port)" }
    var writeURL: String { base + "/api/v1/write" }

    /// Starts it (again, on the same TSDB) and waits until it is ready.
    func start() async throws {
        runs += 1
        let dir = folder.path
        process = try LocalProcess(
            Self.path,
            [
                "--config.file=\(dir)/prometheus.yml", "--storage.tsdb.path=\(dir)/data", "--web.listen-address=127.0.0.1:\(port)",
                "--web.enable-remote-write-receiver",
            ], log: folder.appendingPathComponent("prometheus-\(runs).log"))
        let ready = base + "/-/ready"
        guard await Loopback.eventually(seconds: 90, { await HTTP.get(ready).status == 200 }) else {
            throw Failure("prometheus was not ready:\n\(process?.output ?? "")")
        }
    }

    func stop() { process?.stop() }

    /// A PromQL query's result (`data.result`): each a series' `metric` labels and its `value`
    /// (instant) or `values` (a range selector).
    func query(_ promql: String, at time: Int64? = nil) async -> [[String: Any]] {
        var url = base + "/api/v1/query?query=" + (promql.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        if let time { url += "&time=\(time)" }
        let answer = await HTTP.get(url)
        guard answer.status == 200, let object = try? JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any],
            let data = object["data"] as? [String: Any], let result = data["result"] as? [[String: Any]]
        else { return [] }
        return result
    }

    /// The one series `promql` selects: its labels and latest value; nil unless exactly one.
    func series(_ promql: String) async -> (labels: [String: String], value: Double)? {
        let result = await query(promql)
        guard result.count == 1, let labels = result[0]["metric"] as? [String: String], let pair = result[0]["value"] as? [Any],
            pair.count == 2, let text = pair[1] as? String, let value = Double(text)
        else { return nil }
        return (labels, value)
    }

    /// The sample times of the one series a range selector (`name{...}[Ns]`) selects at `time`.
    func sampleTimes(_ promql: String, at time: Int64) async -> [Int64] {
        let result = await query(promql, at: time)
        guard result.count == 1, let values = result[0]["values"] as? [[Any]] else { return [] }
        return values.compactMap { ($0.first as? Double).map { Int64($0) } ?? ($0.first as? Int).map(Int64.init) }
    }
}

/// What the export tests start: carbon-cache and Prometheus, and an agent (cluster web, host
/// web-1) for an aggregator to poll; stopped together.
struct ExportRig {
    let folder: TemporaryFolder
    let carbon: CarbonCache
    let prometheus: PrometheusServer
    let agent: AgentProcess

    static func start(_ prefix: String) async throws -> ExportRig {
        try ExportProcessTests.require()
        let folder = try TemporaryFolder(prefix)
        let carbon = try CarbonCache(folder: folder)
        try await carbon.start()
        let prometheus = try PrometheusServer(folder: folder)
        do {
            try await prometheus.start()
            let agent = try AgentProcess(folder: folder, name: "agent", cluster: "web", hostname: "web-1")
            return ExportRig(folder: folder, carbon: carbon, prometheus: prometheus, agent: agent)
        } catch {
            prometheus.stop()
            carbon.stop()
            throw error
        }
    }

    func stop() {
        agent.stop()
        prometheus.stop()
        carbon.stop()
    }
}
