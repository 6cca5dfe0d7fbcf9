import Foundation
import PlexusArchive
import PlexusCore

/// `plexus-bench history HOSTS METRICS SECONDS INTERVAL`: the memory an agent's history (and an
/// aggregator's live tail, the same rings) takes for HOSTS × METRICS series kept SECONDS at one
/// value every INTERVAL: the rings' own count, and the process's resident memory before and
/// after (so the dictionary, keys and allocator are counted too).
struct HistoryBenchmark {
    var hosts: Int
    var metrics: Int
    var seconds: Int
    var interval: Int

    func run() {
        let before = Self.residentBytes()
        var store = HistoryStore(seconds: seconds, maxValues: 1_000_000_000)
        let t0: Int64 = 1_795_543_200
        let rounds = seconds / interval + 1
        var keys: [HistoryKey] = []
        for h in 0..<hosts {
            for m in 0..<metrics { keys.append(HistoryKey(cluster: "bench", host: "node\(h).rack\(h / 40).example.com", metric: "metric_\(m)")) }
        }
        let began = ContinuousClock.now
        for round in 0..<rounds {
            let time = t0 + Int64(round * interval)
            for (i, key) in keys.enumerated() { store.record(key, time: time, value: Double(i % 97) + 0.25, interval: interval) }
        }
        let elapsed = ContinuousClock.now - began
        let after = Self.residentBytes()
        let values = keys.count * rounds
        let perSecond = Double(values) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        print(
            String(
                format:
                    "history: %d series x %d values (%d s at %d s): rings %.1f B/value, process %.1f B/value (RSS +%.1f MB); %.0f bytes per metric-hour; %.1f M values recorded/s",
                keys.count, rounds, seconds, interval, Double(store.bytes) / Double(values), Double(after - before) / Double(values),
                Double(after - before) / 1e6, Double(after - before) / Double(keys.count) * 3600 / Double(seconds), perSecond / 1e6))
        withExtendedLifetime(store) {}
        liveTail()
    }

    /// What the live tail adds to a poll: recording a HOSTS × METRICS poll's samples (what the
    /// aggregator hands its writer), median of 20 polls after the rings are full.
    func liveTail() {
        let tail = LiveTail(seconds: 900, step: interval, maxValues: 100_000_000)
        var samples: [ArchiveSample] = []
        for h in 0..<hosts {
            for m in 0..<metrics {
                guard let key = try? ArchiveKey(cluster: "bench", host: "node\(h).rack\(h / 40).example.com", metric: "metric_\(m)") else {
                    print("live tail: no valid name for host \(h), metric \(m)")
                    return
                }
                samples.append(ArchiveSample(key: key, geometry: ArchiveGeometry(step: interval), time: 0, value: 1))
            }
        }
        var times: [Double] = []
        for round in 0..<(900 / interval + 21) {
            for i in samples.indices { samples[i].time = 1_795_543_200 + Int64(round * interval) }
            let began = ContinuousClock.now
            tail.record(samples)
            let spent = ContinuousClock.now - began
            if round > 900 / interval { times.append(Double(spent.components.attoseconds) / 1e15 + Double(spent.components.seconds) * 1000) }
        }
        times.sort()
        print(
            String(
                format: "live tail: recording a %d x %d poll %.1f ms (median of %d), %d bytes held", hosts, metrics, times[times.count / 2], times.count,
                tail.statistics.bytes))
    }

    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
    }
}
