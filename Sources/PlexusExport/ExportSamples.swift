import PlexusCore

/// What a delivery exports: the same values a delivery archives (`ArchiveSamples`), with their
/// GROUP, whether or not archives are written: every numeric metric not past its DMAX of the
/// hosts this delivery listed that are up, each cluster's summary and each summarized grid's.
/// Times are the cluster's (or grid's) LOCALTIME. Walked into a sink, which formats as it goes.
public enum ExportSamples {
    public static func walk<Sink: ExportSink>(
        _ content: SourceContent, now: Int64, skipping shadowed: Set<String>, exports: ExportConfiguration, into sink: inout Sink
    ) {
        // No `export_metrics`: every metric goes, unasked.
        let everything = exports.metrics.isEmpty
        for cluster in content.clusters where cluster.polled == now && !shadowed.contains(cluster.name.rawValue) {
            let time = cluster.cluster.localtime
            let clusterName = cluster.name.rawValue
            for held in cluster.hosts where held.polled == now && held.isUp(at: now, localtime: time) {
                sink.begin(.host(cluster: clusterName, host: held.host.name.rawValue), time: time)
                // Through the buffer: each metric read in place, not copied out of the array.
                held.host.metrics.withUnsafeBufferPointer { metrics in
                    for i in metrics.indices where metrics[i].type.isSummarized {
                        if metrics[i].dmax > 0, metrics[i].tn > metrics[i].dmax { continue }
                        let name = metrics[i].name.rawValue, text = metrics[i].value
                        guard everything || exports.exports(name), let value = Metric.number(text, numeric: true) else { continue }
                        sink.value(metric: name, group: metrics[i].extraData.first(ExtraElement.Key.group), value: value, text: text)
                    }
                }
            }
            sink.begin(.cluster(clusterName), time: time)
            for metric in cluster.summary.metrics where exports.exports(metric.name.rawValue) {
                sink.summary(metric: metric.name.rawValue, sum: metric.sum, num: Double(metric.num))
            }
        }
        for grid in content.grids where grid.polled == now && !shadowed.contains(grid.name.rawValue) {
            sink.begin(.grid(grid.name.rawValue), time: grid.grid.localtime ?? now)
            for metric in grid.summary.metrics where exports.exports(metric.name.rawValue) {
                sink.summary(metric: metric.name.rawValue, sum: metric.sum, num: Double(metric.num))
            }
        }
    }

    /// The root summary (this aggregator's own grid) at `now`.
    public static func walkRoot<Sink: ExportSink>(
        _ summary: Summary, gridname: String, now: Int64, exports: ExportConfiguration, into sink: inout Sink
    ) {
        sink.begin(.grid(gridname), time: now)
        for metric in summary.metrics where exports.exports(metric.name.rawValue) {
            sink.summary(metric: metric.name.rawValue, sum: metric.sum, num: Double(metric.num))
        }
    }
}

/// Every destination's writer, given each value in turn: one walk for all, with the writers'
/// types known (no dynamic call per value and writer).
public struct ExportWriters: ExportSink {
    public var graphite: [GraphiteWriter] = []
    public var remoteWrite: [RemoteWriteWriter] = []

    public init() {}

    public mutating func begin(_ place: ExportSample.Place, time: Int64) {
        for i in graphite.indices { graphite[i].begin(place, time: time) }
        for i in remoteWrite.indices { remoteWrite[i].begin(place, time: time) }
    }

    public mutating func value(metric: String, group: String?, value: Double, text: String?) {
        for i in graphite.indices { graphite[i].value(metric: metric, group: group, value: value, text: text) }
        for i in remoteWrite.indices { remoteWrite[i].value(metric: metric, group: group, value: value, text: text) }
    }

    public mutating func summary(metric: String, sum: Double, num: Double) {
        for i in graphite.indices { graphite[i].summary(metric: metric, sum: sum, num: num) }
        for i in remoteWrite.indices { remoteWrite[i].summary(metric: metric, sum: sum, num: num) }
    }

    /// Each writer's own is taken from `graphite` and `remoteWrite`.
    public mutating func finish() -> ExportWritten { ExportWritten(chunk: ExportChunk(), memo: ExportMemo()) }

    /// A delivery's values (`ExportSamples.walk`) into every writer.
    public mutating func write(_ content: SourceContent, now: Int64, skipping shadowed: Set<String>, exports: ExportConfiguration) {
        ExportSamples.walk(content, now: now, skipping: shadowed, exports: exports, into: &self)
    }

    /// The root summary (`ExportSamples.walkRoot`) into every writer.
    public mutating func writeRoot(_ summary: Summary, gridname: String, now: Int64, exports: ExportConfiguration) {
        ExportSamples.walkRoot(summary, gridname: gridname, now: now, exports: exports, into: &self)
    }
}
