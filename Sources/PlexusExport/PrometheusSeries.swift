/// How a sample is named in a Prometheus-compatible store (`docs/exports.md#names-and-labels`):
/// - `__name__`: the metric's name with every character outside `[a-zA-Z0-9_:]` made `_` (and
///   `_` put first if it starts with a digit): `load_one`, `diskstat_sda_reads`;
/// - `grid`: this aggregator's grid (`gridname`), or for a child grid's summary that grid;
/// - `cluster` and `host` where the value was polled; `group`: the metric's first GROUP;
/// - a summary is two series, `NAME_sum` and `NAME_count` (the number of hosts), as Prometheus
///   names a summary's parts; a cluster's carries `cluster`, a grid's only `grid`.
///
/// Labels are sorted by name, as remote-write requires.
public struct PrometheusSeries: Sendable {
    public var gridname: String

    public init(gridname: String) { self.gridname = gridname }

    /// The labels of a host value, or of a summary's sum; `count`: of a summary's count.
    public func labels(_ sample: ExportSample, count: Bool = false) -> [(String, String)] {
        var name = Self.metricName(sample.metric)
        var labels: [(String, String)] = []
        switch sample.place {
        case .host(let cluster, let host):
            labels = [("cluster", cluster), ("grid", gridname), ("host", host)]
            if let group = sample.group, !group.isEmpty { labels.insert(("group", group), at: 2) }
        case .cluster(let cluster):
            name += count ? "_count" : "_sum"
            labels = [("cluster", cluster), ("grid", gridname)]
        case .grid(let grid):
            name += count ? "_count" : "_sum"
            labels = [("grid", grid)]
        }
        return [("__name__", name)] + labels
    }

    /// A metric name as Prometheus allows it: `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    public static func metricName(_ name: String) -> String {
        var bytes = Array(name.utf8)
        var changed = false
        for (i, b) in bytes.enumerated() {
            let ok =
                (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == UInt8(ascii: "_") || b == UInt8(ascii: ":")
                || (b >= 0x30 && b <= 0x39)
            if !ok {
                bytes[i] = UInt8(ascii: "_")
                changed = true
            }
        }
        if let first = bytes.first, first >= 0x30 && first <= 0x39 {
            bytes.insert(UInt8(ascii: "_"), at: 0)
            changed = true
        }
        if bytes.isEmpty { return "_" }
        return changed ? String(decoding: bytes, as: UTF8.self) : name
    }
}
