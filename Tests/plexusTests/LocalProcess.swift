import Foundation
import PlexusTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A daemon a test starts (plexus-agent, gmond...): its output goes to a log file in the test's
/// folder, and it is stopped by its own PID when the test ends.
final class LocalProcess: @unchecked Sendable {
    let process = Process()
    let log: URL

    init(_ executable: String, _ arguments: [String], log: URL) throws {
        self.log = log
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    /// SIGTERM, then SIGKILL if it hasn't gone after `grace` seconds.
    func stop(grace: Double = 5) {
        guard process.isRunning else { return }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
    }

    var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// SIGKILL, then waits for it to be gone on a thread of its own.
    func killed() async throws {
        let process = process
        try await onOwnThread {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Whether it ends by itself within `seconds`; stopped if not (SIGKILL after 1 s: a daemon
    /// that should have exited may ignore SIGTERM), so that its status can be read either way.
    func ends(within seconds: Double) async -> Bool {
        let ended = await Loopback.eventually(seconds: seconds) { !isRunning }
        stop(grace: 1)
        return ended
    }

    deinit { stop(grace: 1) }
}

/// Loopback helpers for tests.
enum Loopback {
    /// A port that is free for both TCP and UDP on 127.0.0.1 right now.
    static func freePort() -> Int {
        for _ in 0..<50 {
            let port = Int.random(in: 20_000...60_000)
            if canBind(port, SOCK_STREAM) && canBind(port, SOCK_DGRAM) { return port }
        }
        return Int.random(in: 20_000...60_000)
    }

    private static func canBind(_ port: Int, _ type: __socket_type) -> Bool {
        guard let fd = bound(port, type) else { return false }
        close(fd)
        return true
    }

    /// A socket bound to 127.0.0.1:port; nil if the port is taken.
    private static func bound(_ port: Int, _ type: __socket_type) -> Int32? {
        let fd = socket(AF_INET, Int32(type.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard status == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    /// A free port held by a listening TCP socket, as another daemon would hold it; the caller
    /// closes the socket.
    static func occupiedPort() -> (port: Int, socket: Int32)? {
        for _ in 0..<50 {
            let port = Int.random(in: 20_000...60_000)
            if let fd = bound(port, SOCK_STREAM) {
                guard listen(fd, 1) == 0 else {
                    close(fd)
                    continue
                }
                return (port, fd)
            }
        }
        return nil
    }

    /// A TCP socket connected to `host:port` (from the loopback address `from` if given), with a
    /// receive timeout; nil if the connection fails. The caller closes it.
    static func connect(port: Int, host: String = "127.0.0.1", from: String? = nil, timeout: Double = 5) -> Int32? {
        LoopbackSocket.connect(port: port, host: host, from: from, timeout: max(1, Int(timeout.rounded(.up))))
    }

    /// Reads from `fd` until the peer closes.
    static func readAll(_ fd: Int32) -> [UInt8] { LoopbackSocket.readAll(fd) }

    /// Connects to 127.0.0.1:port and reads until the server closes (what gmond's XML port does).
    static func read(port: Int, host: String = "127.0.0.1", timeout: Double = 5) -> [UInt8]? {
        guard let fd = connect(port: port, host: host, timeout: timeout) else { return nil }
        defer { close(fd) }
        return readAll(fd)
    }

    /// Polls `condition` every 200 ms until it holds or `seconds` pass, sleeping without holding
    /// a thread (PlexusTestSupport's `eventually`).
    static func eventually(seconds: Double, _ condition: () async -> Bool) async -> Bool {
        await PlexusTestSupport.eventually(seconds: seconds, every: .milliseconds(200), condition)
    }

    /// An agent on loopback only: sending to one free port, listening on another, its XML on
    /// `xml`; `body` adds sections before the channels.
    static func agentConfig(xml: Int, _ body: String = "") -> String {
        """
        \(body)
        [[udp_send_channel]]
        host = "127.0.0.1"
        port = \(freePort())
        [[udp_recv_channel]]
        bind = "127.0.0.1"
        port = \(freePort())
        [[tcp_accept_channel]]
        bind = "127.0.0.1"
        port = \(xml)
        """
    }
}

/// A temporary folder removed when the test ends.
final class TemporaryFolder: @unchecked Sendable {
    let url: URL

    init(_ prefix: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws -> URL {
        let file = url.appendingPathComponent(name)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// A UDP socket on 127.0.0.1 the test owns: receives what is sent to it, sends as it is told.
final class UDPPort: @unchecked Sendable {
    private let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard fd >= 0, bound == 0 else { throw Failure("cannot bind UDP 127.0.0.1:\(port)") }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Up to `count` datagrams, waiting at most `seconds` in all.
    func receive(count: Int, seconds: Double) -> [[UInt8]] {
        let deadline = Date().addingTimeInterval(seconds)
        var received: [[UInt8]] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while received.count < count, Date() < deadline {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0 { received.append(Array(buffer.prefix(n))) }
        }
        return received
    }

    func send(_ bytes: [UInt8], to port: Int) {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = bytes.withUnsafeBytes { raw in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }

    func close() { Glibc.close(fd) }
}
