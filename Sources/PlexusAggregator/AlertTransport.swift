import Foundation
import NIOPosix
import PlexusTransport
import Synchronization

/// How alert deliveries reach the outside: an HTTP POST of JSON, a program run with JSON on its
/// standard input. Each answers nil when delivered, else why not (for the log and `/status`).
struct AlertTransport: Sendable {
    var post: @Sendable (_ url: String, _ body: [UInt8], _ timeout: Int) async -> String?
    var run: @Sendable (_ path: String, _ input: [UInt8], _ environment: [String: String], _ timeout: Int) async -> String?

    static let live = AlertTransport(post: post, run: run)

    /// A 2xx answer is delivered; anything else names the status and the start of the answer.
    static func post(_ url: String, _ body: [UInt8], _ timeout: Int) async -> String? {
        let headers = [("Content-Type", "application/json"), ("User-Agent", "plexus-aggregator")]
        do {
            // What is said of a refusal is its start: an answer's first 64 KiB are enough.
            let answer = try await HTTPExchange.send("POST", url, headers: headers, body: body, timeout: .seconds(timeout), maxBody: 65_536)
            if (200..<300).contains(answer.status) { return nil }
            return "HTTP \(answer.status) from \(url): \(String(decoding: answer.body.prefix(200), as: UTF8.self))"
        } catch {
            return "\(url): \(error)"
        }
    }

    /// Runs `path` (no shell) with `input` on its standard input and `environment` added to the
    /// aggregator's; exit status 0 is delivered. Past `timeout` seconds it is sent SIGTERM, then
    /// SIGKILL 5 s later. Its output goes to the aggregator's standard error (the journal).
    static func run(_ path: String, _ input: [UInt8], _ environment: [String: String], _ timeout: Int) async -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let stdin = Pipe()
        process.standardInput = stdin
        process.standardOutput = FileHandle.standardError
        let (ended, ending) = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { process in
            ending.yield(process.terminationStatus)
            ending.finish()
        }
        do {
            try process.run()
        } catch {
            return "cannot run \(path): \(error.localizedDescription)"
        }
        // Off the event loops: a command that doesn't read its input must not hold one.
        let writing = stdin.fileHandleForWriting
        try? await NIOThreadPool.singleton.runIfActive {
            try? writing.write(contentsOf: Data(input))
            try? writing.close()
        }
        let status: Int32? = await withTaskGroup(of: Int32?.self) { group in
            group.addTask {
                for await status in ended { return status }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(timeout))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let status else {
            process.terminate()
            let pid = process.processIdentifier
            Task {
                try? await Task.sleep(for: .seconds(5))
                if process.isRunning { kill(pid, SIGKILL) }
            }
            return "\(path) did not finish within \(timeout) s (stopped)"
        }
        return status == 0 ? nil : "\(path) exited with status \(status)"
    }
}
