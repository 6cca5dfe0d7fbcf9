import Foundation
import Testing

@testable import PlexusExport

/// The WriteRequest against a payload protoc encoded from text written by hand, names and
/// labels, and snappy.
@Suite struct RemoteWriteTests {
    static let goldenSamples = [
        ExportSample(place: .host(cluster: "web", host: "web-1"), metric: "load_one", group: "load", time: 1_700_000_000, value: 0.5),
        ExportSample(place: .host(cluster: "web", host: "web-2.example.com"), metric: "disk.free", time: 1_700_000_000, value: 123.25),
        ExportSample(place: .cluster("web"), metric: "cpu_num", time: 1_700_000_000, value: 8, num: 2),
        ExportSample(place: .host(cluster: "web", host: "web-1"), metric: "load_one", group: "load", time: 1_700_000_015, value: 0.75),
        ExportSample(place: .grid("Ops"), metric: "load_one", time: 1_700_000_001, value: 1.5, num: 3),
        ExportSample(place: .host(cluster: "web", host: "web-3"), metric: "boottime", time: 1_700_000_000, value: .nan),
    ]

    static func fixture(_ name: String) throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil))
        return [UInt8](try Data(contentsOf: url))
    }

    @Test func theRequestIsTheGoldenPayloadByteForByte() throws {
        let request = RemoteWriteBody.request(Self.goldenSamples, naming: PrometheusSeries(gridname: "Ops"))
        let bytes: [UInt8] = try request.serializedBytes()
        #expect(bytes == (try Self.fixture("write-request.bin")))
    }

    /// The encoder writes, a series per sample, the bytes swift-protobuf writes for the same
    /// series: for distinct series the very same body; a series that comes twice comes as two
    /// entries, which decode to the same series and samples in order.
    @Test func theEncoderWritesWhatTheGeneratedMessagesWrite() throws {
        let naming = PrometheusSeries(gridname: "Ops")
        var distinct = Self.goldenSamples
        distinct.remove(at: 3)
        distinct.append(ExportSample(place: .host(cluster: "web", host: "web-0"), metric: "zero", time: 0, value: 0))
        distinct.append(ExportSample(place: .host(cluster: "web", host: "web-0"), metric: "negative", time: -5, value: -0.0))
        distinct.append(ExportSample(place: .host(cluster: "w", host: String(repeating: "h", count: 300)), metric: "5 min", group: "", time: 1, value: 1e300))
        let expected: [UInt8] = try RemoteWriteBody.request(distinct, naming: naming).serializedBytes()
        #expect(try Snappy.uncompress(RemoteWriteBody.encode(distinct, naming: naming)) == expected)

        let body = RemoteWriteBody.encode(Self.goldenSamples, naming: naming)
        let back = try RemoteWriteBody.decode(body)
        #expect(back.timeseries.count == 7)
        #expect(back.timeseries[0].labels == back.timeseries[4].labels)
        #expect(back.timeseries[0].samples.map(\.timestamp) == [1_700_000_000_000] && back.timeseries[4].samples.map(\.timestamp) == [1_700_000_015_000])
        let grouped = RemoteWriteBody.request(Self.goldenSamples, naming: naming)
        #expect(Set(back.timeseries.map(\.labels.description)) == Set(grouped.timeseries.map(\.labels.description)))
    }

    /// A series' samples go in time order whatever order they were queued in.
    @Test func aSeriesSamplesAreSortedByTime() {
        let late = ExportSample(place: .host(cluster: "c", host: "h"), metric: "m", time: 20, value: 2)
        let early = ExportSample(place: .host(cluster: "c", host: "h"), metric: "m", time: 10, value: 1)
        let request = RemoteWriteBody.request([late, early], naming: PrometheusSeries(gridname: "G"))
        #expect(request.timeseries.count == 1)
        #expect(request.timeseries[0].samples.map(\.timestamp) == [10_000, 20_000])
        #expect(request.timeseries[0].samples.map(\.value) == [1, 2])
    }

    @Test(arguments: [
        ("load_one", "load_one"), ("disk.free", "disk_free"), ("5min load", "_5min_load"), ("bytes/s", "bytes_s"),
        ("node:cpu", "node:cpu"), ("température", "temp__rature"), ("", "_"),
    ])
    func metricNamesBecomeWhatPrometheusAllows(name: String, expected: String) {
        #expect(PrometheusSeries.metricName(name) == expected)
    }

    /// Labels come sorted by name, as the spec requires; a group only where a metric has one.
    @Test func labelsAreSortedAndComplete() {
        let naming = PrometheusSeries(gridname: "Ops")
        for sample in Self.goldenSamples {
            let names = naming.labels(sample).map(\.0)
            #expect(names == names.sorted(), "\(names)")
            #expect(names.first == "__name__")
        }
        #expect(naming.labels(Self.goldenSamples[0]).map(\.0) == ["__name__", "cluster", "grid", "group", "host"])
        #expect(naming.labels(Self.goldenSamples[1]).map(\.0) == ["__name__", "cluster", "grid", "host"])
    }
}

@Suite struct SnappyTests {
    @Test func roundTripsOfEveryShape() throws {
        var rng = SystemRandomNumberGenerator()
        let inputs: [[UInt8]] = [
            [], [0], Array("remote write".utf8), [UInt8](repeating: 7, count: 100_000),
            (0..<70_000).map { _ in UInt8.random(in: 0...255, using: &rng) },
            Array(String(repeating: "load_one{host=\"web-1\"} ", count: 5000).utf8),
        ]
        for input in inputs {
            let compressed = Snappy.compress(input)
            #expect(try Snappy.uncompress(compressed) == input, "\(input.count) bytes")
            // A batch is a slice of a chunk: compressed where it lies.
            let tail = input.dropFirst(min(3, input.count))
            #expect(try Snappy.uncompress(Snappy.compress(tail)) == Array(tail))
        }
        // Repetitive text shrinks, as a request of many alike labels does.
        #expect(Snappy.compress(inputs[5]).count < inputs[5].count / 10)
    }

    @Test func damagedOrOversizedBlocksAreRefused() {
        #expect(throws: Snappy.Failure.self) { try Snappy.uncompress([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]) }
        let big = Snappy.compress([UInt8](repeating: 1, count: 10_000))
        #expect(throws: Snappy.Failure(description: "the block would be 10000 bytes, more than 1000")) { try Snappy.uncompress(big, limit: 1000) }
        var cut = Snappy.compress(Array("a longer text that is cut short somewhere".utf8))
        cut.removeLast(5)
        #expect(throws: Snappy.Failure.self) { try Snappy.uncompress(cut) }
    }
}
