import PlexusCore

extension AlertEvaluator {
    /// The answers of the rules' cluster and host patterns for each name seen, and the rules
    /// watching each metric name (host-scope thresholds and stale rules, grouped by host
    /// pattern), kept between evaluations. Bounded: cleared when they hold far more names than
    /// the grid has hosts (names come from the network).
    struct MatchCache: Sendable {
        var clusters: [String: [Bool]] = [:]
        var hosts: [String: [Bool]] = [:]
        var metrics: [String: [Bucket]] = [:]

        /// The rules of one host pattern watching one metric name: thresholds by value (so a
        /// value meets only the rules it passes, in one short walk), stale rules, and all of them.
        struct Bucket: Sendable {
            var host: Int
            var above: [(threshold: Double, rule: Int)] = []
            var below: [(threshold: Double, rule: Int)] = []
            var stale: [Int] = []
            var rules: [Int] = []
        }

        mutating func cluster(_ name: String, _ patterns: [NamePattern]) -> [Bool] {
            if let row = clusters[name] { return row }
            let row = patterns.map { $0.matches(name) }
            clusters[name] = row
            return row
        }

        mutating func host(_ name: String, _ patterns: [NamePattern]) -> [Bool] {
            if let row = hosts[name] { return row }
            let row = patterns.map { $0.matches(name) }
            hosts[name] = row
            return row
        }

        mutating func trim(hosts count: Int) {
            let limit = 2 * count + 10_000
            if hosts.count > limit { hosts.removeAll() }
            if clusters.count > limit { clusters.removeAll() }
            if metrics.count > 100_000 { metrics.removeAll() }
        }
    }

    /// The rules watching metric `name` on hosts, by host pattern.
    mutating func buckets(_ name: String) -> [MatchCache.Bucket] {
        if let found = cache.metrics[name] { return found }
        var byHost: [Int: MatchCache.Bucket] = [:]
        for (r, rule) in rules.enumerated() where (rule.kind == .threshold && rule.scope == .host) || rule.kind == .stale {
            guard metricPatterns[r]?.matches(name) == true else { continue }
            let plan = plans[r]
            var bucket = byHost[plan.host] ?? MatchCache.Bucket(host: plan.host)
            bucket.rules.append(r)
            if plan.isStale {
                bucket.stale.append(r)
            } else if plan.above {
                bucket.above.append((plan.threshold, r))
            } else {
                bucket.below.append((plan.threshold, r))
            }
            byHost[plan.host] = bucket
        }
        let found = byHost.sorted { $0.key < $1.key }.map { entry in
            var bucket = entry.value
            bucket.above.sort { $0.threshold < $1.threshold }
            bucket.below.sort { $0.threshold > $1.threshold }
            return bucket
        }
        cache.metrics[name] = found
        return found
    }

    /// Every host's metrics through the rules that watch them: for each value only the
    /// threshold rules it passes (a walk up the sorted thresholds that stops at the first it
    /// doesn't), the stale rules, and the rules already holding an alert for the host (whose
    /// condition clears at another value).
    mutating func visitHostMetrics(_ inputs: AlertInputs, _ pass: inout Pass) {
        // The rules holding an alert per host: a few at most, so a list (no hashing) serves.
        var alerting: [String: [Int]] = [:]
        for r in byRule.indices where !byRule[r].isEmpty {
            for host in byRule[r].keys { alerting[host, default: []].append(r) }
        }
        // Hosts of a cluster mostly report the same metrics in the same order: the buckets
        // found for the previous host's metric at the same place serve when the name is the same
        // (interned names compare at once).
        var lastNames: [String] = []
        var lastBuckets: [[MatchCache.Bucket]] = []
        for host in inputs.hosts {
            let clusterRow = cache.cluster(host.cluster, clusterPatterns)
            let hostRow = cache.host(host.name, hostPatterns)
            let held = alerting.isEmpty ? [] : alerting[host.name] ?? []
            var m = 0
            host.visitMetrics { name, tn, tmax, read in
                if m == lastNames.count {
                    lastNames.append(name)
                    lastBuckets.append(buckets(name))
                } else if lastNames[m] != name {
                    lastNames[m] = name
                    lastBuckets[m] = buckets(name)
                }
                let found = lastBuckets[m]
                m += 1
                guard !found.isEmpty else { return }
                // The value is read (parsed) once, and only for metrics some rule watches.
                let value = read.number.flatMap { $0.isFinite ? $0 : nil }
                // By index: a bucket copied whole would retain its four arrays, for every
                // bucket of every metric of every host.
                for b in found.indices where hostRow[found[b].host] {
                    func consider(_ r: Int) {
                        let plan = plans[r]
                        guard clusterRow[plan.cluster] else { return }
                        let series = Series(cluster: host.cluster, host: host.name, metric: name)
                        if plan.isStale {
                            // A down host's metrics are its host's alert, not stale ones.
                            guard host.up else { return }
                            let stale = Double(tn) > plan.staleFactor * Double(max(tmax, 1))
                            visit(r, host: host.name, series, value: Double(tn), holds: { _ in stale }, &pass)
                        } else if let value {
                            visit(r, host: host.name, series, value: value, holds: { plan.holds(value, active: $0) }, &pass)
                        }
                    }
                    if let value {
                        if let first = found[b].above.first, value > first.threshold {
                            for (threshold, r) in found[b].above {
                                guard value > threshold else { break }
                                if held.isEmpty || !held.contains(r) { consider(r) }
                            }
                        }
                        if let first = found[b].below.first, value < first.threshold {
                            for (threshold, r) in found[b].below {
                                guard value < threshold else { break }
                                if held.isEmpty || !held.contains(r) { consider(r) }
                            }
                        }
                    }
                    if !found[b].stale.isEmpty {
                        for r in found[b].stale where held.isEmpty || !held.contains(r) { consider(r) }
                    }
                    if !held.isEmpty {
                        for r in found[b].rules where held.contains(r) { consider(r) }
                    }
                }
            }
        }
    }

    /// Rule `r` over the clusters' summaries (`cluster` scope) or the grid's.
    mutating func visitSummaries(_ r: Int, _ inputs: AlertInputs, _ pass: inout Pass) {
        let rule = rules[r]
        let plan = plans[r]
        let summaries =
            rule.scope == .grid ? (inputs.grid.map { [$0] } ?? []) : inputs.clusters.filter { clusterPatterns[plan.cluster].matches($0.name) }
        for summary in summaries {
            for (name, total) in summary.metrics where total.num > 0 && metricPatterns[r]?.matches(name) == true {
                let value = rule.aggregate == .sum ? total.sum : total.sum / Double(total.num)
                guard value.isFinite else { continue }
                let series = rule.scope == .grid ? Series(grid: summary.name, metric: name) : Series(cluster: summary.name, metric: name)
                visit(r, series, value: value, holds: { plan.holds(value, active: $0) }, &pass)
            }
        }
    }
}
