extension ClusterState {
    /// gmond's cleanup: forgets hosts silent for more than `hostDmax` seconds (0 = never) and
    /// metrics with a non-zero DMAX silent for longer than it. Unlike gmond, a metric's silence
    /// counts from its last value *or* metadata, so a metric that keeps sending values is never
    /// deleted because its metadata was sent only once.
    ///
    /// A metric that has not had both metadata and a value within `unconfirmedLifetime` (it was
    /// never shown) is forgotten too, and so is a host left with no metric after as long: a
    /// flood of invented metadata doesn't stay.
    public mutating func expire(now: Int64, hostDmax: UInt32) {
        let lifetime = limits.unconfirmedLifetime
        for (key, host) in hosts {
            if hostDmax > 0, now - host.lastHeard > Int64(hostDmax) {
                removeHost(key)
                continue
            }
            for (name, metric) in host.metrics {
                if !metric.isConfirmed, now - metric.created > lifetime {
                    removeMetric(name, ofHost: key)
                    counters.unconfirmedExpired += 1
                    continue
                }
                guard let dmax = metric.metadata?.dmax, dmax > 0, now - metric.lastHeard > Int64(dmax) else { continue }
                removeMetric(name, ofHost: key)
            }
            if hosts[key]?.metrics.isEmpty == true, now - host.firstHeard > lifetime {
                removeHost(key)
                counters.unconfirmedExpired += 1
            }
        }
    }
}
