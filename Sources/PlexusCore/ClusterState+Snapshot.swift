extension ClusterState {
    /// The cluster as gmond's XML shows it at `now`: hosts and metrics sorted by name, a metric
    /// only once both its metadata and a value are known, `heartbeat` and `location` shown as
    /// host attributes instead of metrics, extra data in gmond's (reversed) order.
    public func snapshot(of cluster: Cluster, now: Int64, hostTmax: UInt32, hostDmax: UInt32) -> Cluster {
        var result = cluster
        result.localtime = now
        result.hosts = hosts.values.sorted { $0.name == $1.name ? $0.ip < $1.ip : $0.name < $1.name }.map { record in
            var host = Host(
                name: record.name, ip: record.ip, reported: record.lastHeard, tn: Self.seconds(now - record.lastHeard),
                tmax: hostTmax, dmax: hostDmax, location: record.location, gmondStarted: record.gmondStarted, tags: record.tags)
            host.metrics.reserveCapacity(record.metrics.count)
            for (name, metric) in record.metrics.sorted(by: { $0.key < $1.key }) {
                guard name != "heartbeat", name != "location", let metadata = metric.metadata, let value = metric.value,
                    let metricName = MetricName(validating: name)
                else { continue }
                host.metrics.append(
                    Metric(
                        name: metricName, value: value, type: metadata.type, units: metadata.units,
                        tn: Self.seconds(now - metric.valueHeard), tmax: metadata.tmax, dmax: metadata.dmax,
                        slope: metadata.slope, extraData: metadata.extraData.reversed()))
            }
            return host
        }
        return result
    }

    /// Elapsed seconds as an XML TN: never negative (a clock step back reads as 0).
    static func seconds(_ elapsed: Int64) -> UInt32 {
        UInt32(clamping: max(0, elapsed))
    }
}
