import Foundation
import PlexusCore

/// Holt-Winters archives for the metrics anomaly rules watch (`docs/alerts.md`): new files get
/// them at creation (`ArchiveStore.holtWinters`), existing ones are extended in place with
/// `rrd_tune`, their data kept.
extension ArchiveStore {
    /// Whether `path` already holds a HWPREDICT archive, and how many archives and what step it has.
    func forecasting(_ path: String) throws(RRDError) -> (present: Bool, archives: Int, step: Int) {
        let info = try functions.info(path: path)
        var count = 0
        var present = false
        while case .string(let cf)? = info["rra[\(count)].cf"] {
            if cf == "HWPREDICT" { present = true }
            count += 1
        }
        return (present, count, info.integer("step") ?? 15)
    }

    /// Adds `spec`'s archives to `path` unless it has a forecast already; true when it added them.
    public func addHoltWinters(path: String, _ spec: HoltWinters) throws(RRDError) -> Bool {
        let found = try forecasting(path)
        guard !found.present else { return false }
        try functions.tune(path: path, arguments: spec.definitions(step: found.step, after: found.archives))
        return true
    }

    /// Every host file under the root whose key `chosen` takes: what
    /// `addHoltWinters` extends at start. Summaries are left alone (anomaly rules watch hosts).
    public func hostFiles(where chosen: (ArchiveKey) -> Bool) -> [(key: ArchiveKey, path: String)] {
        let catalog = ArchiveCatalog(layout: layout)
        var found: [(ArchiveKey, String)] = []
        for clusterDirectory in catalog.clusters() {
            guard let cluster = try? ClusterName(clusterDirectory) else { continue }
            for hostDirectory in catalog.hosts(of: clusterDirectory) {
                guard let host = try? HostName(hostDirectory) else { continue }
                for metric in catalog.metrics(at: .host(cluster, host)) {
                    guard let name = try? MetricName(metric) else { continue }
                    let key = ArchiveKey(.host(cluster, host), name)
                    if chosen(key), let path = try? self.path(of: key) { found.append((key, path)) }
                }
            }
        }
        return found
    }
}
