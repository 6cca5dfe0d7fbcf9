import Foundation
import NIOCore
import PlexusCore
import PlexusExport
import PlexusTransport
import ServiceLifecycle

/// Sends a destination's queue to a remote-write receiver: a request when `max_samples_per_send`
/// samples wait, or when the first of them has waited `batch_send_deadline`. One request at a
/// time, so a series' samples arrive in order, on one connection kept open while batches come
/// (closed after a minute without one). A 2xx answer is delivered; 429, 5xx or no answer
/// is tried again after a backoff (`min_backoff` doubling to `max_backoff`) while the queue
/// fills; any other answer (400 for samples out of order, 401...) refuses the batch for good:
/// it is dropped, counted and logged, and the next one goes.
final class RemoteWriteSender: Service, Sendable {
    let destination: ExportDestination
    let configuration: ExportConfiguration.RemoteWrite
    /// The spec's headers, the user agent and the Authorization the configuration asks for.
    let headers: [(String, String)]
    let tls: TLSContext?

    init(destination: ExportDestination, configuration: ExportConfiguration.RemoteWrite, authorization: String?, tls: TLSContext?) {
        self.destination = destination
        self.configuration = configuration
        self.headers = RemoteWriteBody.headers + [("User-Agent", "plexus-aggregator")] + (authorization.map { [("Authorization", $0)] } ?? [])
        self.tls = tls
    }

    /// The Authorization header of a bearer token or a user and password.
    static func authorization(bearerToken: String?, user: String?, password: String?) -> String? {
        if let bearerToken { return "Bearer \(bearerToken)" }
        guard let user else { return nil }
        return "Basic " + Data("\(user):\(password ?? "")".utf8).base64EncodedString()
    }

    enum Outcome: Equatable {
        case delivered, retry(String), refused(String)
    }

    /// What an answer's status means for the batch.
    static func outcome(status: Int, body: [UInt8]) -> Outcome {
        let said = String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        switch status {
        case 200..<300: return .delivered
        case 429, 500..<600: return .retry("HTTP \(status): \(said)")
        default: return .refused("HTTP \(status): \(said)")
        }
    }

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            var backoff = Backoff(minimum: self.configuration.minBackoff, maximum: self.configuration.maxBackoff)
            // A batch taken from the queue and not yet delivered.
            var pending: Batch?
            // Each request's body, compressed into the memory of the last one once it is sent.
            var body = ByteBuffer()
            while !Task.isCancelled {
                if pending == nil, let taken = await self.nextBatch(idle: nil) { pending = Self.batch(taken, in: &body) }
                guard pending != nil else { continue }
                do {
                    // One connection for as long as batches keep coming.
                    try await HTTPSession.open(self.configuration.url, connectTimeout: self.timeout, tls: self.tls) { session in
                        while let batch = pending {
                            let answer: HTTPExchange.Answer
                            do {
                                answer = try await session.send("POST", headers: self.headers, body: batch.body, timeout: self.timeout, maxBody: 65_536)
                            } catch  where session.exchanges > 0 {
                                // A kept connection the receiver closed meanwhile: a new one,
                                // at once, for the same batch.
                                throw Stale()
                            }
                            switch Self.outcome(status: answer.status, body: answer.body) {
                            case .delivered:
                                self.destination.sent(batch.count)
                                backoff.succeeded()
                                pending = nil
                            case .refused(let reason):
                                self.destination.refused(batch.count, reason)
                                backoff.succeeded()
                                pending = nil
                            case .retry(let reason):
                                self.destination.failed(batch.count, reason)
                                try await Task.sleep(for: .seconds(backoff.failed(jitter: Double.random(in: 0..<1))))
                            }
                            guard session.isOpen else { return }
                            if pending == nil, let taken = await self.nextBatch(idle: Self.idleSeconds) { pending = Self.batch(taken, in: &body) }
                        }
                    }
                } catch is Stale {
                    continue
                } catch is CancellationError {
                    return
                } catch {
                    if let batch = pending { self.destination.failed(batch.count, "\(error)") }
                    try await Task.sleep(for: .seconds(backoff.failed(jitter: Double.random(in: 0..<1))))
                }
            }
        }
    }

    /// A connection is closed after this long without a batch to send.
    static let idleSeconds = 60.0

    private struct Stale: Error {}

    /// Samples taken from the queue, and their request body.
    struct Batch {
        var count: Int
        var body: ByteBuffer
    }

    /// The request of samples taken from the queue: their bytes snappy-compressed into `buffer`
    /// (its memory reused when no earlier request still holds it).
    static func batch(_ taken: (count: Int, bytes: ArraySlice<UInt8>), in buffer: inout ByteBuffer) -> Batch {
        buffer.clear()
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: Snappy.maxCompressedLength(taken.bytes.count)) { output in
            taken.bytes.withUnsafeBytes { Snappy.compress($0, into: output) }
        }
        return Batch(count: taken.count, body: buffer)
    }

    private var timeout: Duration { .milliseconds(Int64(configuration.remoteTimeout * 1000)) }

    /// The next batch's samples when one is due: `max_samples_per_send` samples waiting, or the
    /// first of them waiting `batch_send_deadline`. Nil when cancelled, or when nothing came for
    /// `idle` seconds.
    private func nextBatch(idle: Double?) async -> (count: Int, bytes: ArraySlice<UInt8>)? {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = Duration.milliseconds(Int64(configuration.batchSendDeadline * 1000))
        var firstSeen: ContinuousClock.Instant?
        while !Task.isCancelled {
            let waiting = destination.waiting
            if waiting == 0 {
                firstSeen = nil
                let left = idle.map { $0 - (clock.now - start) / .seconds(1) } ?? 60
                guard left > 0 else { return nil }
                await destination.wake.sleep(seconds: min(60, left))
                continue
            }
            if waiting < configuration.maxSamplesPerSend {
                let since = firstSeen ?? clock.now
                firstSeen = since
                let left = deadline - (clock.now - since)
                if left > .zero {
                    await destination.wake.sleep(seconds: left / .seconds(1))
                    continue
                }
            }
            return destination.take(max: configuration.maxSamplesPerSend)
        }
        return nil
    }
}
