import Foundation
import PlexusArchive
import PlexusCore
import PlexusTestSupport

/// A real rrdcached (Debian's), started for an archive test on a unix socket in its own
/// temporary directory, and stopped by its PID. Journal on, writes held for half an hour, so
/// what reaches the disk early got there through a `FLUSH`.
final class RRDCachedDaemon: @unchecked Sendable {
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
        guard let parsed = RRDCachedAddress(address) else {
            throw CocoaError(.fileWriteInvalidFileName, userInfo: [NSLocalizedDescriptionKey: "socket path too long: \(socketPath)"])
        }
        control = RRDCachedControl(address: parsed)
        self.baseDirectory = baseDirectory
        try FileManager.default.createDirectory(atPath: directory.appending("journal"), withIntermediateDirectories: true)
        try start(writeDelay: writeDelay)
    }

    public var pid: Int32? { process?.processIdentifier }

    public func start(writeDelay: Int = 1800) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = [
            "-g", "-l", address, "-j", directory.appending("journal"), "-p", directory.appending("rrdcached.pid"),
            "-b", baseDirectory, "-B", "-w", "\(writeDelay)", "-z", "\(max(1, writeDelay / 2))", "-f", "3600", "-t", "4",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if (try? control.stats()) != nil { return }
            guard process.isRunning else { break }
            usleep(20_000)
        }
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "rrdcached did not start on \(socketPath)"])
    }

    /// rrdcached's control commands (STATS, FLUSH, FLUSHALL), through the archive's own client.
    public let control: RRDCachedControl

    /// `STATS` as name → value.
    public func stats() throws -> [String: Int] {
        try control.stats()
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
