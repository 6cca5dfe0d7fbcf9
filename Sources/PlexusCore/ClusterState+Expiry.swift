extension ClusterState {
    /// gmond's cleanup: forgets hosts silent for more than `hostDmax` seconds (0 = never) and
    /// metrics with a non-zero DMAX silent for longer than it. Unlike gmond, a metric's silence
    /// counts from its last value *or* metadata, so a metric that keeps sending values is never
    /// deleted because its metadata was sent only once.
    public mutating func expire(now: Int64, hostDmax: UInt32) {
        for (key, host) in hosts {
            if hostDmax > 0, now - host.lastHeard > Int64(hostDmax) {
                removeHost(key)
                continue
            }
            for (name, metric) in host.metrics {
                guard let dmax = metric.metadata?.dmax, dmax > 0, now - metric.lastHeard > Int64(dmax) else { continue }
                removeMetric(name, ofHost: key)
            }
        }
    }
}
