import Foundation
import PlexusCore
import PlexusTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A plexus-aggregator process a test starts on loopback, with its RRD root in the test's folder.
final class AggregatorProcess: @unchecked Sendable {
    let process: LocalProcess
    let xmlPort: Int
    let queryPort: Int
    let httpPort: Int
    let root: URL
    let configFile: URL

    /// `sources` is the `[[data_source]]` part (and anything else) of the TOML; `httpPort` 0
    /// leaves the web side off.
    /// `wrapper` runs the aggregator through another command (`prlimit --nofile=…`), which must
    /// exec it so the PID stays the aggregator's.
    /// `root`: the RRD root (default: `NAME-rrds` in `folder`).
    init(
        folder: TemporaryFolder, name: String, gridname: String, sources: String, extra: String = "", httpPort: Int = 0,
        wrapper: [String] = [], root: URL? = nil
    ) throws {
        xmlPort = Loopback.freePort()
        queryPort = Loopback.freePort()
        self.httpPort = httpPort
        self.root = root ?? folder.url.appendingPathComponent("\(name)-rrds")
        configFile = try folder.write(
            "\(name).toml",
            """
            gridname = "\(gridname)"
            authority = "http://\(name).test/ganglia/"
            bind = "127.0.0.1"
            xml_port = \(xmlPort)
            interactive_port = \(queryPort)
            http_port = \(httpPort)
            rrd_rootdir = "\(self.root.path)"
            \(extra)
            \(sources)
            """)
        let command = wrapper + [try Executable("plexus-aggregator").url.path, "-c", configFile.path]
        process = try LocalProcess(command[0], Array(command.dropFirst()), log: folder.url.appendingPathComponent("\(name).log"))
    }

    /// Starts another process on the same configuration (after a kill).
    init(restarting other: AggregatorProcess, log: URL) throws {
        xmlPort = other.xmlPort
        queryPort = other.queryPort
        httpPort = other.httpPort
        root = other.root
        configFile = other.configFile
        process = try LocalProcess(try Executable("plexus-aggregator").url.path, ["-c", configFile.path], log: log)
    }

    /// One request line on the interactive port; the reply.
    func query(_ line: String) -> String? {
        Loopback.request(port: queryPort, line: line).map { String(decoding: $0, as: UTF8.self) }
    }

    /// `/status`, parsed.
    func status() -> [String: Any]? {
        guard let text = query("/status"), let data = text.data(using: .utf8) else { return nil }
        return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    }

    /// The status of source `name`.
    func source(_ name: String) -> [String: Any]? {
        (status()?["sources"] as? [[String: Any]])?.first { $0["name"] as? String == name }
    }

    /// A document read from a query.
    func document(_ line: String) -> GangliaDocument? {
        query(line).flatMap { GangliaDocument.read(Array($0.utf8)).document }
    }

    /// The root GRID of the XML port.
    func grid() -> Grid? {
        guard let bytes = Loopback.read(port: xmlPort), case .grid(let grid)? = GangliaDocument.read(bytes).document?.items.first else { return nil }
        return grid
    }

    /// `/?filter=summary`'s own HOSTS and METRICS.
    func rootSummary() -> Summary? {
        guard case .grid(let grid)? = document("/?filter=summary")?.items.first else { return nil }
        return grid.summary
    }

    func stop() { process.stop() }
    var output: String { process.output }
}

/// A plexus-agent on loopback whose cluster sends unicast to its own port and to `alsoTo`.
final class AgentProcess: @unchecked Sendable {
    let process: LocalProcess
    let port: Int

    /// `ip` is what the agent says its address is (hosts are keyed by address, as in gmond);
    /// `metrics` are collected every second and sent at least every two.
    init(
        folder: TemporaryFolder, name: String, cluster: String, hostname: String, ip: String = "127.0.0.1",
        port: Int = Loopback.freePort(), alsoTo: [Int] = [], gzip: Bool = false,
        metrics: [String] = ["load_one", "cpu_num", "mem_total", "os_name"], historyPort: Int? = nil
    ) throws {
        self.port = port
        let sends = ([port] + alsoTo).map { "[[udp_send_channel]]\nhost = \"127.0.0.1\"\nport = \($0)" }.joined(separator: "\n")
        let config = try folder.write(
            "\(name).toml",
            """
            [globals]
            override_hostname = "\(hostname)"
            override_ip = "\(ip)"
            send_metadata_interval = 5
            [cluster]
            name = "\(cluster)"
            \(sends)
            [[udp_recv_channel]]
            bind = "127.0.0.1"
            port = \(port)
            [[tcp_accept_channel]]
            bind = "127.0.0.1"
            port = \(port)
            gzip_output = \(gzip)
            \(historyPort.map { "history_port = \($0)" } ?? "")
            [[collection_group]]
            collect_once = true
            time_threshold = 5
            [[collection_group.metric]]
            name = "heartbeat"
            [[collection_group]]
            collect_every = 1
            time_threshold = 2
            \(metrics.map { "[[collection_group.metric]]\nname = \"\($0)\"" }.joined(separator: "\n"))
            """)
        process = try LocalProcess(try Executable("plexus-agent").url.path, ["-c", config.path], log: folder.url.appendingPathComponent("\(name).log"))
    }

    func stop() { process.stop() }

    /// Whether the agent's XML port answers (within a few seconds of its start).
    func serving() async -> Bool {
        await Loopback.eventually(seconds: 10) { Loopback.read(port: self.port) != nil }
    }
}

/// Debian's rrdcached for a process test: a unix socket and journal in the test's folder, writing
/// below `root`, stopped by its PID.
final class RRDCachedProcess: @unchecked Sendable {
    let process: LocalProcess
    let socket: String

    /// `writeDelay`: rrdcached's `-w` (seconds it holds a file's updates); `flushEvery`: `-f`.
    init(folder: TemporaryFolder, root: URL, writeDelay: Int, flushEvery: Int) throws {
        socket = folder.url.appendingPathComponent("rrdcached.sock").path
        let journal = folder.url.appendingPathComponent("journal")
        try FileManager.default.createDirectory(at: journal, withIntermediateDirectories: true)
        process = try LocalProcess(
            "/usr/bin/rrdcached",
            [
                "-g", "-l", "unix:\(socket)", "-b", root.path, "-B", "-w", "\(writeDelay)", "-z", "0", "-f", "\(flushEvery)",
                "-j", journal.path, "-p", folder.url.appendingPathComponent("rrdcached.pid").path,
            ],
            log: folder.url.appendingPathComponent("rrdcached.log"))
    }

    /// Whether its socket is there (within a few seconds of its start).
    func ready() async -> Bool {
        await Loopback.eventually(seconds: 5) { FileManager.default.fileExists(atPath: self.socket) }
    }

    func stop() { process.stop() }
    var output: String { process.output }
}

/// Running `rrdtool` on archive files.
enum RRDTool {
    static let path = "/usr/bin/rrdtool"

    /// `rrdtool info`'s `key = value` lines, or nil if rrdtool refuses the file.
    static func info(_ file: URL) async -> [String: String]? {
        guard let result = try? await runCommand(path, ["info", file.path]), result.status == 0 else { return nil }
        var keys: [String: String] = [:]
        for line in result.output.split(separator: "\n") {
            let parts = line.split(separator: " = ", maxSplits: 1)
            if parts.count == 2 { keys[String(parts[0])] = String(parts[1]) }
        }
        return keys
    }

    /// The file's last update time.
    static func lastUpdate(_ file: URL) async -> Int? {
        await info(file)?["last_update"].flatMap { Int($0) }
    }
}

extension Loopback {
    /// Sends one line to 127.0.0.1:port (from the loopback address `from`) and reads the reply
    /// until the server closes.
    static func request(port: Int, line: String, from: String? = nil, timeout: Double = 5) -> [UInt8]? {
        guard let fd = connect(port: port, from: from, timeout: timeout) else { return nil }
        defer { close(fd) }
        let request = Array((line + "\n").utf8)
        guard send(fd, request, request.count, 0) == request.count else { return nil }
        return readAll(fd)
    }
}

/// A test's own failure with a message.
struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A TCP server (python3) that answers every connection on 127.0.0.1 with a file's bytes:
/// a stand-in for a broken or hostile XML source.
final class FixedReplyServer: @unchecked Sendable {
    let process: LocalProcess
    let port: Int

    init(folder: TemporaryFolder, name: String, reply: [UInt8]) async throws {
        port = Loopback.freePort()
        let file = folder.url.appendingPathComponent("\(name).reply")
        try Data(reply).write(to: file)
        let script = """
            import socket, sys
            data = open(sys.argv[1], 'rb').read()
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(('127.0.0.1', int(sys.argv[2]))); s.listen(16)
            while True:
                c, _ = s.accept()
                try: c.sendall(data)
                except OSError: pass
                c.close()
            """
        process = try LocalProcess("/usr/bin/python3", ["-c", script, file.path, "\(port)"], log: folder.url.appendingPathComponent("\(name).log"))
        _ = await Loopback.eventually(seconds: 5) { Loopback.read(port: self.port) != nil }
    }

    func stop() { process.stop(grace: 0) }
}

/// A connection that is opened and then left alone: never sends, never reads.
final class IdleConnection {
    let fd: Int32

    init?(port: Int) {
        guard let fd = Loopback.connect(port: port) else { return nil }
        self.fd = fd
    }

    deinit { close(fd) }
}
