import FoundationEssentials
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import PlexusCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Runs response-time probes: an HTTP(S) GET or a TCP connect, each bounded by its timeout.
public enum ProbeRunner {
    struct ProbeError: Error, CustomStringConvertible {
        var description: String
        /// When the timeout fired: the probe's time, however long the cancelled attempt takes
        /// to wind down.
        var at: Double?
    }

    /// The probe's connection, so a timeout can close it: a request parked in NIO doesn't
    /// always notice its task's cancellation, and the task group would wait for it.
    final class Open: Sendable {
        private let channel = Mutex<(any Channel)?>(nil)
        func set(_ value: any Channel) { channel.withLock { $0 = value } }
        func close() { channel.withLock { $0 }?.close(promise: nil) }
    }

    /// Runs `probe` once. Never throws: every failure is a down result with a reason.
    public static func run(_ probe: AgentConfiguration.Probe, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async -> ProbeResult {
        let start = ContinuousClock.now
        let elapsed: @Sendable () -> Double = {
            let d = ContinuousClock.now - start
            return Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
        }
        let open = Open()
        do {
            return try await withThrowingTaskGroup(of: ProbeResult.self) { tasks in
                tasks.addTask {
                    switch probe.target {
                    case .tcp(let host, let port):
                        let channel = try await ClientBootstrap(group: group)
                            .connectTimeout(.milliseconds(Int64(probe.timeout * 1000)))
                            .connect(host: host, port: port).get()
                        let ms = elapsed()
                        try? await channel.close()
                        return ProbeResult(up: true, totalMilliseconds: ms)
                    case .http(let url):
                        return try await http(url, probe: probe, group: group, open: open, elapsed: elapsed)
                    }
                }
                tasks.addTask {
                    try await Task.sleep(for: .milliseconds(Int64(probe.timeout * 1000)))
                    open.close()
                    throw ProbeError(description: "no answer within \(probe.timeout) s", at: elapsed())
                }
                let result = try await tasks.next()!
                tasks.cancelAll()
                return result
            }
        } catch {
            return ProbeResult(up: false, totalMilliseconds: (error as? ProbeError)?.at ?? elapsed(), error: describe(error))
        }
    }

    private static func http(
        _ text: String, probe: AgentConfiguration.Probe, group: any EventLoopGroup, open: Open, elapsed: @escaping @Sendable () -> Double
    ) async throws -> ProbeResult {
        guard let url = URL(string: text), let host = url.host, let scheme = url.scheme else { throw ProbeError(description: "bad URL \(text)") }
        let tls = scheme == "https"
        let port = url.port ?? (tls ? 443 : 80)
        var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
        if !probe.verifyTLS { tlsConfiguration.certificateVerification = .none }
        let sslContext = tls ? try NIOSSLContext(configuration: tlsConfiguration) : nil
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(.milliseconds(Int64(probe.timeout * 1000)))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        let serverName = IPAddress(host) == nil ? host : nil
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: sslContext, serverHostname: serverName))
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        var path = url.path.isEmpty ? "/" : url.path
        if let query = url.query { path += "?\(query)" }
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: url.port.map { "\(host):\($0)" } ?? host)
        headers.add(name: "User-Agent", value: "plexus-agent probe")
        headers.add(name: "Connection", value: "close")
        open.set(channel.channel)
        return try await channel.executeThenClose { inbound, outbound in
            // One write for the whole request. If it fails, the response may still have come:
            // a fast server answers and closes before a slow client finishes writing (seen under
            // load: "I/O on closed channel" with the answer already buffered), and a failed TLS
            // handshake closes the channel under the write with its reason (e.g. an untrusted
            // certificate) on the inbound side. So read the inbound either way.
            var writeError: (any Error)?
            do {
                try await outbound.write(contentsOf: [.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)), .end(nil)])
            } catch {
                writeError = error
            }
            var status: Int?
            var firstByte: Double?
            for try await part in inbound {
                switch part {
                case .head(let head):
                    firstByte = firstByte ?? elapsed()
                    status = Int(head.status.code)
                case .body:
                    firstByte = firstByte ?? elapsed()
                case .end:
                    let code = status ?? 0
                    let up = probe.expectStatus.map { $0 == code } ?? (200..<400).contains(code)
                    return ProbeResult(
                        up: up, status: code, totalMilliseconds: elapsed(), firstByteMilliseconds: firstByte,
                        error: up ? nil : "HTTP status \(code)")
                }
            }
            if let writeError { throw writeError }
            throw ProbeError(description: "connection closed before the response ended")
        }
    }

    private static func describe(_ error: any Error) -> String {
        if let connection = error as? NIOConnectionError, let first = connection.connectionErrors.first {
            if let io = first.error as? IOError { return String(cString: strerror(io.errnoCode)) }
            return "\(first.error)"
        }
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)) }
        return "\(error)"
    }
}
