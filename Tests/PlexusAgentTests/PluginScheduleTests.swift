import PlexusCore
import Testing

@testable import PlexusAgent

/// Plugins' metrics in the collection schedule: taken in as they appear, into the group that
/// names or matches them (its thresholds), else their plugin's own; sent when the plugin has run;
/// never resent after a failed run; let go when gone from the output.
@Suite struct PluginScheduleTests {
    typealias Group = AgentConfiguration.CollectionGroup

    static func values(_ out: [CollectionSchedule.Outgoing]) -> [String: MetricValue] {
        var values: [String: MetricValue] = [:]
        for item in out { if case .value(let name, let value) = item { values[name] = value } }
        return values
    }

    @Test func aPluginsMetricsAreSentWhenItHasRunAndNotAfterAFailedRun() {
        var schedule = CollectionSchedule(groups: [], metadataInterval: 0, start: 0)
        let own = Group(collectEvery: 60, timeThreshold: 60, metrics: [])
        schedule.adopt([("load.load", "Load average: load")], owner: "load", own: own, now: 0)
        schedule.due(owner: "load", now: 0)
        let first = schedule.tick(now: 0) { _ in ["load.load": .double(0.5)] }
        #expect(first == [.metadata(name: "load.load", title: "Load average: load"), .value(name: "load.load", .double(0.5))])
        // Nothing more until the plugin runs again (its own group's interval).
        #expect(schedule.tick(now: 30) { _ in ["load.load": .double(0.6)] }.isEmpty)
        schedule.due(owner: "load", now: 45)
        #expect(Self.values(schedule.tick(now: 45) { _ in ["load.load": .double(0.7)] }) == ["load.load": .double(0.7)])
        // A failed run has no value: the last one is not sent again as if it were new.
        schedule.due(owner: "load", now: 90)
        #expect(schedule.tick(now: 90) { _ in [:] }.isEmpty)
        #expect(schedule.tick(now: 150) { _ in [:] }.isEmpty)
    }

    @Test func aMetricAConfiguredGroupMatchesTakesItsThresholds() {
        var group = Group(collectEvery: 10, timeThreshold: 300, metrics: [])
        group.patterns = [.init(nameMatch: "^node_filesystem_avail_bytes\\.", valueThreshold: 1000, title: "Free space")]
        var schedule = CollectionSchedule(groups: [group], metadataInterval: 0, start: 0)
        let own = Group(collectEvery: 60, timeThreshold: 60, metrics: [])
        schedule.adopt(
            [("node_filesystem_avail_bytes.var", "node_filesystem_avail_bytes{mountpoint=\"/var\"}"), ("other", "other")], owner: "fs",
            own: own, now: 0)
        var value = 5000.0
        var sent: [Int] = []
        for t in 0...400 {
            if t == 100 { value += 10 }  // under the threshold: not sent early
            if t == 200 { value += 5000 }  // over it: sent at the next collection
            let out = schedule.tick(now: Double(t)) { names in
                Dictionary(uniqueKeysWithValues: names.map { ($0, MetricValue.double($0 == "other" ? 1 : value)) })
            }
            if out.contains(where: { if case .value("node_filesystem_avail_bytes.var", _) = $0 { true } else { false } }) { sent.append(t) }
            if t == 0 { #expect(out.contains(.metadata(name: "node_filesystem_avail_bytes.var", title: "Free space"))) }
        }
        #expect(sent == [0, 200], "\(sent)")  // the time threshold (300) counts from the last send
        // The other metric went to the plugin's own group.
        #expect(schedule.metrics(owner: "fs") == ["other"])
    }

    @Test func aMetricGoneFromTheOutputIsLetGoAndAConfiguredOneStays() {
        let configured = Group(collectEvery: 60, timeThreshold: 60, metrics: [.init(name: "load.load", valueThreshold: 1)])
        var schedule = CollectionSchedule(groups: [configured], metadataInterval: 0, start: 0)
        let own = Group(collectEvery: 60, timeThreshold: 60, metrics: [])
        schedule.adopt([("load.load", "Load"), ("x.y", "X")], owner: "p", own: own, now: 0)
        #expect(schedule.metrics(owner: "p") == ["x.y"])
        #expect(schedule.metricNames.filter { $0 == "load.load" }.count == 1)  // named by a group: stays there, once
        schedule.retire(["x.y", "load.load"])
        #expect(schedule.metrics(owner: "p").isEmpty)
        #expect(schedule.metricNames == ["load.load"])  // configured, not adopted: kept
    }
}
