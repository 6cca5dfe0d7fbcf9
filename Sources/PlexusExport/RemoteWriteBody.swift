import SwiftProtobuf

/// A remote-write 1.0 request body: a `WriteRequest` of the samples, serialized and
/// snappy-compressed. The HTTP headers that go with it are `RemoteWriteBody.headers`.
/// `request` builds the generated messages, a series with all its samples; `encode` writes the
/// same bytes a series per sample, without the messages (`RemoteWriteWriter`).
public enum RemoteWriteBody {
    /// What the spec asks a sender to say (Content-Encoding, Content-Type, the version).
    public static let headers = [
        ("Content-Encoding", "snappy"), ("Content-Type", "application/x-protobuf"), ("X-Prometheus-Remote-Write-Version", "0.1.0"),
    ]

    /// The `WriteRequest` of `samples`: series in the order they first appear, each series'
    /// samples in time order (a summary gives two series). Values that aren't finite are left
    /// out: a receiver reads NaN as a staleness marker.
    public static func request(_ samples: some Sequence<ExportSample>, naming: PrometheusSeries) -> Prometheus_WriteRequest {
        var index: [SeriesKey: Int] = [:]
        var series: [Prometheus_TimeSeries] = []
        func add(_ labels: [(String, String)], _ value: Double, _ time: Int64) {
            let key = SeriesKey(labels: labels.map { [$0.0, $0.1] })
            var sample = Prometheus_Sample()
            sample.value = value
            sample.timestamp = time * 1000
            if let i = index[key] {
                series[i].samples.append(sample)
                return
            }
            var s = Prometheus_TimeSeries()
            s.labels = labels.map { name, value in
                var label = Prometheus_Label()
                label.name = name
                label.value = value
                return label
            }
            s.samples = [sample]
            index[key] = series.count
            series.append(s)
        }
        for sample in samples where sample.value.isFinite {
            add(naming.labels(sample), sample.value, sample.time)
            if let num = sample.num, num.isFinite { add(naming.labels(sample, count: true), num, sample.time) }
        }
        for i in series.indices where !series[i].samples.isSorted(by: { $0.timestamp <= $1.timestamp }) {
            series[i].samples.sort { $0.timestamp < $1.timestamp }
        }
        var request = Prometheus_WriteRequest()
        request.timeseries = series
        return request
    }

    /// The compressed body of `samples`, a series per sample as they come (`RemoteWriteWriter`).
    public static func encode(_ samples: some Sequence<ExportSample>, naming: PrometheusSeries) -> [UInt8] {
        var writer = RemoteWriteWriter(naming: naming)
        for sample in samples { writer.add(sample) }
        return Snappy.compress(writer.finish().chunk.bytes)
    }

    /// A body read back (the tests' receiver, `plexus decode` one day).
    public static func decode(_ body: [UInt8]) throws -> Prometheus_WriteRequest {
        try Prometheus_WriteRequest(serializedBytes: try Snappy.uncompress(body))
    }

    private struct SeriesKey: Hashable {
        var labels: [[String]]
    }
}

extension Collection {
    func isSorted(by ordered: (Element, Element) -> Bool) -> Bool {
        zip(self, dropFirst()).allSatisfy { ordered($0, $1) }
    }
}
