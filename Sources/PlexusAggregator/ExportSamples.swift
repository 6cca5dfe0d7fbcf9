import PlexusCore
import PlexusExport

/// What a delivery exports: the same values a delivery archives (`ArchiveSamples`), with their
/// GROUP, whether or not archives are written: every numeric metric not past its DMAX of the
/// hosts this delivery listed that are up, each cluster's summary and each summarized grid's.
/// Times are the cluster's (or grid's) LOCALTIME.
enum ExportSamples {
    static func of(_ content: SourceContent, now: Int64, skipping shadowed: Set<String>, exports: ExportConfiguration) -> [ExportSample] {
        var samples: [ExportSample] = []
        samples.reserveCapacity(content.clusters.reduce(0) { $0 + $1.hosts.count * 32 })
        for cluster in content.clusters where cluster.polled == now && !shadowed.contains(cluster.name.rawValue) {
            let time = cluster.cluster.localtime
            let clusterName = cluster.name.rawValue
            for held in cluster.hosts where held.polled == now && held.isUp(at: now, localtime: time) {
                let place = ExportSample.Place.host(cluster: clusterName, host: held.host.name.rawValue)
                for metric in held.host.metrics where metric.type.isSummarized {
                    if metric.dmax > 0, metric.tn > metric.dmax { continue }
                    guard exports.exports(metric.name.rawValue), let value = metric.numericValue else { continue }
                    samples.append(
                        ExportSample(
                            place: place, metric: metric.name.rawValue, group: metric.extraData.first(ExtraElement.Key.group), time: time, value: value))
                }
            }
            for metric in cluster.summary.metrics where exports.exports(metric.name.rawValue) {
                samples.append(ExportSample(place: .cluster(clusterName), metric: metric.name.rawValue, time: time, value: metric.sum, num: Double(metric.num)))
            }
        }
        for grid in content.grids where grid.polled == now && !shadowed.contains(grid.name.rawValue) {
            let time = grid.grid.localtime ?? now
            for metric in grid.summary.metrics where exports.exports(metric.name.rawValue) {
                samples.append(
                    ExportSample(place: .grid(grid.name.rawValue), metric: metric.name.rawValue, time: time, value: metric.sum, num: Double(metric.num)))
            }
        }
        return samples
    }

    /// The root summary (this aggregator's own grid) at `now`.
    static func root(_ summary: Summary, gridname: String, now: Int64, exports: ExportConfiguration) -> [ExportSample] {
        summary.metrics.filter { exports.exports($0.name.rawValue) }.map { metric in
            ExportSample(place: .grid(gridname), metric: metric.name.rawValue, time: now, value: metric.sum, num: Double(metric.num))
        }
    }
}
