import Foundation
import PlexusTestSupport

/// Runs a built Plexus executable as a real process and collects what it printed.
struct Executable: Sendable {
    let url: URL

    /// The executable `name` from the build folder the tests run from, or from the folder
    /// `PLEXUS_EXECUTABLES` names if it is there (`scripts/build-release`'s artifacts: the tests run on
    /// what ships; `plexus-bench` still comes from the build folder).
    init(_ name: String) throws {
        if let folder = ProcessInfo.processInfo.environment["PLEXUS_EXECUTABLES"], !folder.isEmpty,
            FileManager.default.isExecutableFile(atPath: folder + "/" + name)
        {
            url = URL(fileURLWithPath: folder).appendingPathComponent(name)
            return
        }
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = testBinary.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) {
                url = candidate
                return
            }
            folder = folder.deletingLastPathComponent()
        }
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: name])
    }

    init(url: URL) {
        self.url = url
    }

    struct Result: Sendable {
        var status: Int32
        var output: Data
        var stderr: String
        var stdout: String { String(decoding: output, as: UTF8.self) }
    }

    /// Runs it to the end on a thread of its own: a test waiting for a process must not hold one
    /// of the cooperative pool's threads, which the servers a test runs in this process need
    /// (two such waits at once would starve every suite until the process's own timeouts).
    func run(_ arguments: [String], stdin: Data = Data(), in directory: URL? = nil, environment: [String: String]? = nil) async throws -> Result {
        let url = url
        return try await onOwnThread { try Self.run(url, arguments, stdin: stdin, in: directory, environment: environment) }
    }

    private static func run(_ url: URL, _ arguments: [String], stdin: Data, in directory: URL?, environment: [String: String]?) throws -> Result {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(stdin)
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: out, stderr: String(decoding: err, as: UTF8.self))
    }
}

/// The golden captures carried by the core tests.
let xdrFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("PlexusCoreTests/Fixtures/ganglia-3.7.2/xdr")
