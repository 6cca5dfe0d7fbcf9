import PlexusCore

/// What a delivery exports: the same values a delivery archives (`ArchiveSamples`), with their
/// GROUP, whether or not archives are written: every numeric metric not past its DMAX of the
/// hosts this delivery listed that are up, each cluster's summary and each summarized grid's.
/// Times are the cluster's (or grid's) LOCALTIME. Walked into a sink, which formats as it goes.
public enum ExportSamples {
    public static func walk(
        _ content: SourceContent, now: Int64, skipping shadowed: Set<String>, exports: ExportConfiguration, into sink: inout any ExportSink
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
    public static func walkRoot(_ summary: Summary, gridname: String, now: Int64, exports: ExportConfiguration, into sink: inout any ExportSink) {
        sink.begin(.grid(gridname), time: now)
        for metric in summary.metrics where exports.exports(metric.name.rawValue) {
            sink.summary(metric: metric.name.rawValue, sum: metric.sum, num: Double(metric.num))
        }
    }
}
