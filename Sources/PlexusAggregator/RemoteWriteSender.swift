import Foundation
import PlexusCore
import PlexusExport
import PlexusTransport
import ServiceLifecycle

/// Sends a destination's queue to a remote-write receiver: a request when `max_samples_per_send`
/// samples wait, or when the first of them has waited `batch_send_deadline`. One request at a
/// time, so a series' samples arrive in order. A 2xx answer is delivered; 429, 5xx or no answer
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
        let clock = ContinuousClock()
        try? await cancelWhenGracefulShutdown {
            var backoff = Backoff(minimum: self.configuration.minBackoff, maximum: self.configuration.maxBackoff)
            let deadline = Duration.milliseconds(Int64(self.configuration.batchSendDeadline * 1000))
            var firstSeen: ContinuousClock.Instant?
            while !Task.isCancelled {
                let waiting = self.destination.waiting
                if waiting == 0 {
                    firstSeen = nil
                    await self.destination.wake.sleep(seconds: 60)
                    continue
                }
                if waiting < self.configuration.maxSamplesPerSend {
                    let since = firstSeen ?? clock.now
                    firstSeen = since
                    let left = deadline - (clock.now - since)
                    if left > .zero {
                        await self.destination.wake.sleep(seconds: left / .seconds(1))
                        continue
                    }
                }
                firstSeen = nil
                let batch = self.destination.take(max: self.configuration.maxSamplesPerSend)
                let body = Snappy.compress(batch.bytes)
                while !Task.isCancelled {
                    switch await self.post(body) {
                    case .delivered:
                        self.destination.sent(batch.count)
                        backoff.succeeded()
                    case .refused(let reason):
                        self.destination.refused(batch.count, reason)
                        backoff.succeeded()
                    case .retry(let reason):
                        self.destination.failed(batch.count, reason)
                        try await Task.sleep(for: .seconds(backoff.failed(jitter: Double.random(in: 0..<1))))
                        continue
                    }
                    break
                }
            }
        }
    }

    private func post(_ body: [UInt8]) async -> Outcome {
        do {
            let answer = try await HTTPExchange.send(
                "POST", configuration.url, headers: headers, body: body, timeout: .milliseconds(Int64(configuration.remoteTimeout * 1000)),
                maxBody: 65_536, tls: tls)
            return Self.outcome(status: answer.status, body: answer.body)
        } catch {
            return .retry("\(error)")
        }
    }
}
