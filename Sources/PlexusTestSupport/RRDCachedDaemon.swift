import Foundation

/// A real rrdcached (Debian's), started for a test or a benchmark on a unix socket in its own
/// temporary directory, and stopped by its PID. Journal on, writes held for half an hour, so
/// what reaches the disk early got there through a `FLUSH`.
public final class RRDCachedDaemon: @unchecked Sendable {
    public let directory: TemporaryDirectory
    /// `unix:/…/rrdcached.sock`
    public let address: String
    public let socketPath: String
    /// The directory rrdcached may write in (`-b`, `-B`).
    public let baseDirectory: String
    private var process: Process?

    public static let executable = "/usr/bin/rrdcached"
    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: executable) }

    /// Starts the daemon and waits until it answers on its socket.
    public init(baseDirectory: String, socketDirectory: TemporaryDirectory? = nil, writeDelay: Int = 1800) throws {
        directory = try socketDirectory ?? TemporaryDirectory(prefix: "plexus-rrdcached")
        socketPath = directory.appending("rrdcached.sock")
        address = "unix:" + socketPath
        self.baseDirectory = baseDirectory
        try FileManager.default.createDirectory(atPath: directory.appending("journal"), withIntermediateDirectories: true)
        try start(writeDelay: writeDelay)
    }

    public var pid: Int32? { process?.processIdentifier }

    public func start(writeDelay: Int = 1800) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = ["-g", "-l", address, "-j", directory.appending("journal"), "-p", directory.appending("rrdcached.pid"),
                             "-b", baseDirectory, "-B", "-w", "\(writeDelay)", "-z", "\(max(1, writeDelay / 2))", "-f", "3600", "-t", "4"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if (try? command("PING"))?.hasPrefix("0 PONG") == true { return }
            guard process.isRunning else { break }
            usleep(20_000)
        }
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "rrdcached did not start on \(socketPath)"])
    }

    /// Sends one command line and returns the reply's status line and the lines it announces.
    @discardableResult
    public func command(_ line: String) throws -> String {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, byte) in socketPath.utf8.prefix(raw.count - 1).enumerated() { raw[i] = byte }
        }
        let connected = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
        var reply = [UInt8](), chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if n <= 0 { break }
            reply += chunk[0..<n]
            let text = String(decoding: reply, as: UTF8.self)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            if let first = lines.first, text.contains("\n"), let count = Int(first.split(separator: " ").first ?? "") {
                if lines.count - 1 > max(count, 0) { return text }
            }
        }
        return String(decoding: reply, as: UTF8.self)
    }

    /// `STATS` as name → value.
    public func stats() throws -> [String: Int] {
        var result: [String: Int] = [:]
        for line in try command("STATS").split(separator: "\n").dropFirst() {
            let parts = line.split(separator: ":")
            if parts.count == 2, let v = Int(parts[1].trimmingCharacters(in: .whitespaces)) { result[String(parts[0])] = v }
        }
        return result
    }

    /// SIGKILL (a crash) or SIGTERM (a clean stop; with a journal rrdcached exits without
    /// flushing), then waits for the process.
    public func stop(signal: Int32 = SIGTERM) {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        self.process = nil
    }

    deinit {
        stop(signal: SIGKILL)
    }
}
