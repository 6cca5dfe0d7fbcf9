import PlexusArchive
import PlexusCore

/// What a delivery writes to the archive.
enum ArchiveSamples {
    /// The samples one delivery of a source writes, as gmetad writes them: for every host this
    /// delivery listed that is up, each summarized numeric metric not past its DMAX; for every
    /// cluster, its summary; for every summarized grid, its summary. Timestamps are the
    /// cluster's (or grid's) LOCALTIME, the clock of the agent or aggregator polled.
    static func of(_ content: SourceContent, step: Int, now: Int64, skipping shadowed: Set<String>) -> [ArchiveSample] {
        var samples: [ArchiveSample] = []
        samples.reserveCapacity(content.clusters.reduce(0) { $0 + $1.hosts.count * 32 })
        for cluster in content.clusters where cluster.polled == now && !shadowed.contains(cluster.name.rawValue) {
            let time = cluster.cluster.localtime
            for held in cluster.hosts where held.polled == now && held.isUp(at: now, localtime: time) {
                let location = RRDLayout.Location.host(cluster.name, held.host.name)
                for metric in held.host.metrics where metric.type.isSummarized {
                    if metric.dmax > 0, metric.tn > metric.dmax { continue }
                    guard let value = metric.numericValue else { continue }
                    samples.append(
                        ArchiveSample(
                            key: ArchiveKey(location, metric.name), geometry: ArchiveGeometry(step: step, slope: metric.slope),
                            time: time, value: value))
                }
            }
            for metric in cluster.summary.metrics {
                samples.append(
                    ArchiveSample(
                        key: ArchiveKey(.clusterSummary(cluster.name), metric.name),
                        geometry: ArchiveGeometry(step: step, slope: metric.slope), time: time, sum: metric.sum, num: metric.num))
            }
        }
        for grid in content.grids where grid.polled == now && !shadowed.contains(grid.name.rawValue) {
            let time = grid.grid.localtime ?? now
            for metric in grid.summary.metrics {
                let location = RRDLayout.Location.gridSummary(grid.name)
                samples.append(
                    ArchiveSample(
                        key: ArchiveKey(location, metric.name),
                        geometry: ArchiveGeometry(step: step, slope: RRDLayout.storedSlope(metric.slope, at: location)),
                        time: time, sum: metric.sum, num: metric.num))
            }
        }
        return samples
    }
}
