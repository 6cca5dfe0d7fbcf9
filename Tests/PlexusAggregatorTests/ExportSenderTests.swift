import Foundation
import Logging
import PlexusCore
import PlexusExport
import PlexusTestSupport
import Testing

@testable import PlexusAggregator

/// The senders' decisions, without a network: what an answer means for a batch, the
/// Authorization header, datagrams of whole lines, and a destination's state and log.
@Suite struct ExportSenderTests {
    @Test(arguments: [
        (200, RemoteWriteSender.Outcome.delivered), (204, .delivered), (429, .retry("HTTP 429: slow down")),
        (500, .retry("HTTP 500: slow down")), (503, .retry("HTTP 503: slow down")), (400, .refused("HTTP 400: slow down")),
        (401, .refused("HTTP 401: slow down")), (413, .refused("HTTP 413: slow down")), (302, .refused("HTTP 302: slow down")),
    ])
    func answersDecideTheBatchesFate(status: Int, outcome: RemoteWriteSender.Outcome) {
        #expect(RemoteWriteSender.outcome(status: status, body: Array(" slow down\n".utf8)) == outcome)
    }

    @Test func authorizationIsABearerTokenOrBasic() {
        #expect(RemoteWriteSender.authorization(bearerToken: "abc", user: nil, password: nil) == "Bearer abc")
        #expect(RemoteWriteSender.authorization(bearerToken: nil, user: "plexus", password: "s3cret") == "Basic cGxleHVzOnMzY3JldA==")
        #expect(RemoteWriteSender.authorization(bearerToken: nil, user: nil, password: nil) == nil)
    }

    /// Datagrams end at line ends, hold at most the limit, and lose nothing; a line longer
    /// than the limit goes alone.
    @Test func datagramsAreWholeLinesWithinTheLimit() {
        let lines = (0..<200).map { "plexus.web.host-\($0).load_one \(Double($0) / 7) 1700000000\n" }.joined()
        let bytes = Array(lines.utf8)
        // A batch is a slice of the queue's chunk, not at its start.
        let pieces = GraphiteSender.datagrams((Array("before\n".utf8) + bytes)[7...], limit: 1400)
        #expect(pieces.count > 1)
        #expect(pieces.allSatisfy { $0.count <= 1400 && $0.last == UInt8(ascii: "\n") })
        #expect(Array(pieces.joined()) == bytes)
        let long = Array((String(repeating: "x", count: 2000) + " 1 2\nshort 1 2\n").utf8)
        #expect(GraphiteSender.datagrams(long[...], limit: 1400).map(\.count) == [2005, 10])
        #expect(GraphiteSender.datagrams([], limit: 1400).isEmpty)
    }

    @Test func aDestinationCountsItsBatchesAndIsDownUntilOneArrives() {
        let now = Locked(Int64(1000))
        let destination = ExportDestination(
            format: .remoteWrite(PrometheusSeries(gridname: "G")), name: "prom", target: "http://p/w", capacity: 3, clock: { now.value },
            logger: Logger(label: "test"))
        func values(_ n: Int) -> ExportChunk {
            var sink = destination.makeWriter(stream: 0).sink
            sink.begin(.host(cluster: "c", host: "h"), time: 1)
            for i in 0..<n { sink.value(metric: "m\(i)", group: nil, value: 1, text: nil) }
            return sink.finish().chunk
        }
        #expect(destination.kind == "remote_write")
        destination.push(values(2))
        let batch = destination.take(max: 10)
        destination.failed(batch.count, "Connection refused")
        var status = destination.status
        #expect(!status.up && status.downSince == 1000 && status.lastError == "Connection refused" && status.retried == 2)
        destination.push(values(4))
        now.update { $0 = 1030 }
        destination.sent(batch.count)
        status = destination.status
        #expect(status.up && status.downSince == nil && status.lastSent == 1030)
        #expect(status.queued == 3 && status.dropped == 1 && status.sent == 2 && status.queuedTotal == 6 && status.capacity == 3)
        destination.refused(3, "HTTP 400: out of order")
        #expect(destination.status.refused == 3 && destination.status.dropped == 4 && destination.status.lastError == "HTTP 400: out of order")
    }

    /// Lines about a destination come once a minute at most, each kind on its own, and the next
    /// says how many were left out: a receiver that refuses the very first batch (before any
    /// failure) is logged, not a crash (at 2a79754 the first refusal's throttle subtracted
    /// from Int64.min and trapped).
    @Test func aDestinationsLinesAreThrottledFromTheFirst() {
        let now = Locked(Int64(1_000_000))
        let lines = Locked([String]())
        let destination = ExportDestination(
            format: .remoteWrite(PrometheusSeries(gridname: "G")), name: "prom", target: "http://p/w", capacity: 3, clock: { now.value },
            logger: Logger(label: "test") { _ in Recorder(lines: lines) })
        destination.refused(2, "HTTP 400: out of order")
        destination.refused(2, "HTTP 400: out of order")
        #expect(lines.value == ["error export destination refused samples error=HTTP 400: out of order refused=2"])
        destination.failed(1, "Connection refused")
        destination.failed(1, "Connection refused")
        #expect(lines.value.count == 2 && lines.value.last == "warning export destination down error=Connection refused")
        now.update { $0 += 60 }
        destination.failed(1, "Connection refused")
        destination.refused(2, "HTTP 400: out of order")
        #expect(
            lines.value.suffix(2) == [
                "warning export destination still down error=Connection refused more since the last line=1",
                "error export destination refused samples error=HTTP 400: out of order more since the last line=1 refused=2",
            ])
        #expect(destination.status.refused == 6 && destination.status.retried == 3)
    }
}

/// Log lines as "LEVEL MESSAGE key=value ..." (keys sorted, the destination's own left out).
private struct Recorder: LogHandler {
    let lines: Locked<[String]>
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let pairs = (event.metadata ?? [:]).filter { $0.key != "kind" && $0.key != "destination" }.sorted { $0.key < $1.key }
        let line = (["\(event.level) \(event.message)"] + pairs.map { "\($0.key)=\($0.value)" }).joined(separator: " ")
        lines.update { $0.append(line) }
    }
}
