import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A loopback server a test runs from a Python script (Debian's python3, started directly so
/// that the PID stopped is the server's). The script picks a free port and prints "ready PORT"
/// once it listens; the server is killed by its PID when this is released.
public final class ScriptServer: @unchecked Sendable {
    public let process = Process()
    public let port: Int

    public init(_ script: URL, arguments: [String] = []) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [script.path] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = ""
        while !line.contains("\n") {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            line += String(decoding: data, as: UTF8.self)
        }
        let words = line.split(whereSeparator: \.isWhitespace)
        guard words.count == 2, words[0] == "ready", let port = Int(words[1]) else {
            kill(process.processIdentifier, SIGKILL)
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "\(script.lastPathComponent) did not start: \(line)"])
        }
        self.port = port
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        for _ in 0..<500 where process.isRunning { usleep(10_000) }
    }
}
