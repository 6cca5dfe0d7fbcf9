import PlexusCore
import Testing

@testable import PlexusAgent

/// gmond's collection-group timing, driven by an injected clock.
@Suite struct CollectionScheduleTests {
    typealias Group = AgentConfiguration.CollectionGroup

    /// Runs the schedule second by second, recording when each message went out.
    static func run(
        _ schedule: inout CollectionSchedule, seconds: ClosedRange<Int>, value: (String, Int) -> MetricValue?
    ) -> [(Int, CollectionSchedule.Outgoing)] {
        var sent: [(Int, CollectionSchedule.Outgoing)] = []
        for t in seconds {
            let out = schedule.tick(now: Double(t)) { names in
                Dictionary(uniqueKeysWithValues: names.compactMap { name in value(name, t).map { (name, $0) } })
            }
            sent += out.map { (t, $0) }
        }
        return sent
    }

    static func valueTimes(_ sent: [(Int, CollectionSchedule.Outgoing)], _ name: String) -> [Int] {
        sent.compactMap { if case .value(name, _) = $0.1 { $0.0 } else { nil } }
    }

    static func metadataTimes(_ sent: [(Int, CollectionSchedule.Outgoing)], _ name: String) -> [Int] {
        sent.compactMap { if case .metadata(name, _) = $0.1 { $0.0 } else { nil } }
    }

    @Test func heartbeatEveryTwentySecondsWithMetadataEverySixty() {
        var schedule = CollectionSchedule(groups: AgentConfiguration.defaultCollectionGroups, metadataInterval: 60, start: 0)
        let sent = Self.run(&schedule, seconds: 0...130) { name, _ in name == "heartbeat" ? .uint(1_795_543_625) : nil }
        #expect(Self.valueTimes(sent, "heartbeat") == [0, 20, 40, 60, 80, 100, 120])
        #expect(Self.metadataTimes(sent, "heartbeat") == [0, 60, 120])
        // Metadata precedes the value in the same send.
        let first = sent.filter { $0.0 == 0 }.map(\.1)
        #expect(first == [.metadata(name: "heartbeat", title: nil), .value(name: "heartbeat", .uint(1_795_543_625))])
    }

    @Test func metadataIntervalZeroSendsMetadataOnce() {
        var schedule = CollectionSchedule(
            groups: [Group(collectEvery: 5, timeThreshold: 10, metrics: [.init(name: "m")])],
            metadataInterval: 0, start: 0)
        let sent = Self.run(&schedule, seconds: 0...100) { _, t in .uint(UInt32(t)) }
        #expect(Self.metadataTimes(sent, "m") == [0])
        #expect(Self.valueTimes(sent, "m") == [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100])
    }

    @Test func valueThresholdSendsTheWholeGroupAtOnce() {
        let group = Group(
            collectEvery: 20, timeThreshold: 90,
            metrics: [
                .init(name: "load_one", valueThreshold: 1), .init(name: "load_five", valueThreshold: 1),
            ])
        var schedule = CollectionSchedule(groups: [group], metadataInterval: 0, start: 0)
        // load_one jumps from 0.5 to 3.0 at t=40; collected at 0, 20, 40, 60...
        let sent = Self.run(&schedule, seconds: 0...200) { name, t in
            name == "load_one" ? .float(t >= 40 ? 3.0 : 0.5) : .float(0.2)
        }
        #expect(Self.valueTimes(sent, "load_one") == [0, 40, 130])
        #expect(Self.valueTimes(sent, "load_five") == [0, 40, 130], "the whole group goes")
    }

    @Test func slowDriftAddsUpAgainstTheLastSentValue() {
        let group = Group(collectEvery: 10, timeThreshold: 1000, metrics: [.init(name: "m", valueThreshold: 1)])
        var schedule = CollectionSchedule(groups: [group], metadataInterval: 0, start: 0)
        // +0.3 per collection: gmond (comparing with the previous collection) would never fire.
        let sent = Self.run(&schedule, seconds: 0...100) { _, t in .double(Double(t / 10) * 0.3) }
        #expect(Self.valueTimes(sent, "m") == [0, 40, 80])
    }

    @Test func collectOnceKeepsSendingTheSameValue() {
        var schedule = CollectionSchedule(
            groups: [Group(collectOnce: true, timeThreshold: 30, metrics: [.init(name: "os_name")])],
            metadataInterval: 0, start: 0)
        var collections = 0
        for t in 0...95 {
            _ = schedule.tick(now: Double(t)) { names in
                collections += 1
                return Dictionary(uniqueKeysWithValues: names.map { ($0, MetricValue.string("Linux")) })
            }
        }
        #expect(collections == 1)
        #expect(schedule.nextDeadline == 120)
    }

    @Test func metadataRequestSendsAtOnce() {
        var schedule = CollectionSchedule(
            groups: [Group(collectEvery: 60, timeThreshold: 600, metrics: [.init(name: "m", title: "M")])],
            metadataInterval: 0, start: 0)
        _ = schedule.tick(now: 0) { _ in ["m": .uint(1)] }
        #expect(schedule.tick(now: 30) { _ in [:] }.isEmpty)
        schedule.metadataRequested("m", now: 31)
        #expect(schedule.nextDeadline == 31)
        #expect(schedule.tick(now: 31) { _ in [:] } == [.metadata(name: "m", title: "M"), .value(name: "m", .uint(1))])
        schedule.resendAllMetadata(now: 40)
        #expect(schedule.tick(now: 40) { _ in [:] }.count == 2)
    }

    @Test func metricsTheSamplerCantGiveAreLeftOut() {
        var schedule = CollectionSchedule(
            groups: [Group(collectEvery: 10, timeThreshold: 10, metrics: [.init(name: "a"), .init(name: "b")])],
            metadataInterval: 0, start: 0)
        let out = schedule.tick(now: 0) { _ in ["a": .uint(1)] }
        #expect(out == [.metadata(name: "a", title: nil), .value(name: "a", .uint(1))])
    }
}
