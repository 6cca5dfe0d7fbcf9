import NIOCore
import PlexusArchive
import PlexusCore
import Testing

@testable import PlexusAggregator

/// The back-fill plan: what the missed polls would have written, from a source's history.
@Suite struct BackfillPlanTests {
    static let t0: Int64 = 1_795_543_200
    /// The poll that ended a 135 s outage (the archives were last written at t0).
    static let until = t0 + 135

    /// The ending poll: cluster "web" with hosts a and b, each with load_one and cpu_num.
    static func content() -> SourceContent {
        func host(_ name: String) -> String {
            """
            <HOST NAME="\(name)" IP="10.0.0.\(name == "a" ? 1 : 2)" REPORTED="\(until)" TN="3" TMAX="20" DMAX="0" LOCATION="" GMOND_STARTED="0">
            <METRIC NAME="load_one" VAL="0.5" TYPE="float" UNITS="" TN="3" TMAX="70" DMAX="0" SLOPE="both" SOURCE="gmond"/>
            <METRIC NAME="cpu_num" VAL="4" TYPE="uint16" UNITS="CPUs" TN="3" TMAX="1200" DMAX="0" SLOPE="zero" SOURCE="gmond"/>
            </HOST>
            """
        }
        let xml = """
            <?xml version="1.0" encoding="ISO-8859-1" standalone="yes"?>
            <GANGLIA_XML VERSION="3.7.2" SOURCE="gmond">
            <CLUSTER NAME="web" LOCALTIME="\(until)" OWNER="" LATLONG="" URL="">
            \(host("a"))
            \(host("b"))
            </CLUSTER>
            </GANGLIA_XML>
            """
        return SourcePoller.read(ByteBuffer(string: xml), options: .init(), previous: nil, now: until).content
    }

    static func key(_ host: String, _ metric: String) -> HistoryKey { .init(cluster: "web", host: host, metric: metric) }

    /// Host a sent load_one every 20 s and cpu_num once, long before; b only what `b` says.
    static func history(b: [HistoryKey: [HistoryRing.Entry]] = [:]) -> HistoryText.Reply {
        var series: [HistoryKey: [HistoryRing.Entry]] = [
            key("a", "load_one"): stride(from: t0 - 10, to: until, by: 20).map { .init(time: $0, value: Double($0 - t0)) },
            key("a", "cpu_num"): [.init(time: t0 - 900, value: 4)],
        ]
        series.merge(b) { $1 }
        return HistoryText.Reply(now: until, series: series)
    }

    static func archive(_ host: String, _ metric: String) -> ArchiveKey {
        ArchiveKey(.host(try! ClusterName("web"), try! HostName(host)), try! MetricName(metric))
    }

    static func summary(_ metric: String) -> ArchiveKey { ArchiveKey(.clusterSummary(try! ClusterName("web")), try! MetricName(metric)) }

    static func allBehind() -> [ArchiveKey: Int64] {
        var last: [ArchiveKey: Int64] = [:]
        for host in ["a", "b"] { for metric in ["load_one", "cpu_num"] { last[archive(host, metric)] = t0 } }
        for metric in ["load_one", "cpu_num"] { last[summary(metric)] = t0 }
        return last
    }

    static func drain(_ plan: BackfillPlan) -> [[ArchiveSample]] {
        var plan = plan
        var rounds: [[ArchiveSample]] = []
        while let round = plan.nextRound() { rounds.append(round) }
        return rounds
    }

    @Test func fillsEveryMissedTurnWithTheValueInEffectThen() {
        let plan = BackfillPlan(history: Self.history(), content: Self.content(), lastUpdates: Self.allBehind(), step: 15, maxSpan: 3600)
        #expect(plan.remainingTurns == 8)
        let rounds = Self.drain(plan)
        // Turns t0+15 ... t0+120: the poll at t0+135 writes its own.
        #expect(rounds.count == 8)
        let load = rounds.flatMap { $0 }.filter { $0.key == Self.archive("a", "load_one") }
        #expect(load.map(\.time) == stride(from: Self.t0 + 15, through: Self.t0 + 120, by: 15).map { $0 })
        // The value sent at or before each turn (sent at t0-10, t0+10, t0+30, ...).
        #expect(load.map(\.sum) == [10, 30, 30, 50, 70, 90, 90, 110])
        // cpu_num, sent once 15 minutes before, holds through the outage.
        let cpus = rounds.flatMap { $0 }.filter { $0.key == Self.archive("a", "cpu_num") }
        #expect(cpus.count == 8 && cpus.allSatisfy { $0.sum == 4 && $0.geometry.slope == .zero })
        // b has no history: nothing of it, and no summary (a sum of a alone would be a dip).
        #expect(!rounds.flatMap { $0 }.contains { $0.key.location.isSummary || $0.key == Self.archive("b", "load_one") })
        // In time order, each file's values once.
        for round in rounds { #expect(Set(round.map(\.time)).count <= 1) }
    }

    @Test func summariesAreSumsOfTheFilledHostValues() {
        let b: [HistoryKey: [HistoryRing.Entry]] = [
            Self.key("b", "load_one"): [.init(time: Self.t0 - 5, value: 1), .init(time: Self.t0 + 60, value: 2)],
            Self.key("b", "heartbeat"): stride(from: Self.t0 - 5, to: Self.until, by: 20).map { .init(time: $0, value: 0) },
        ]
        let rounds = Self.drain(
            BackfillPlan(history: Self.history(b: b), content: Self.content(), lastUpdates: Self.allBehind(), step: 15, maxSpan: 3600))
        let sums = rounds.flatMap { $0 }.filter { $0.key == Self.summary("load_one") }
        #expect(sums.map(\.sum) == [11, 31, 31, 52, 72, 92, 92, 112])
        #expect(sums.allSatisfy { $0.num == 2 })
        // cpu_num: only a has it; b's turns count b up (its heartbeat) but it has no cpu_num history.
        #expect(rounds.flatMap { $0 }.filter { $0.key == Self.summary("cpu_num") }.allSatisfy { $0.sum == 4 && $0.num == 1 })
    }

    @Test func aHostSilentPastFourTMAXIsDownAndNotFilled() {
        // b's last sign of life is at t0-5: down from t0+75 (4 x TMAX 20 later).
        let b: [HistoryKey: [HistoryRing.Entry]] = [Self.key("b", "load_one"): [.init(time: Self.t0 - 5, value: 1)]]
        let rounds = Self.drain(
            BackfillPlan(history: Self.history(b: b), content: Self.content(), lastUpdates: Self.allBehind(), step: 15, maxSpan: 3600))
        let filled = rounds.flatMap { $0 }.filter { $0.key == Self.archive("b", "load_one") }
        #expect(filled.map(\.time) == [Self.t0 + 15, Self.t0 + 30, Self.t0 + 45, Self.t0 + 60])
    }

    @Test func nothingAtOrBeforeAnArchivesLastUpdateAndNothingPastTheSpan() {
        var last = Self.allBehind()
        last[Self.archive("a", "load_one")] = Self.t0 + 100
        last[Self.archive("a", "cpu_num")] = nil  // no file: left alone
        let rounds = Self.drain(BackfillPlan(history: Self.history(), content: Self.content(), lastUpdates: last, step: 15, maxSpan: 3600))
        // The turns follow the archive's own last poll, as the missed polls would have.
        #expect(rounds.flatMap { $0 }.filter { $0.key == Self.archive("a", "load_one") }.map(\.time) == [Self.t0 + 115, Self.t0 + 130])
        #expect(!rounds.flatMap { $0 }.contains { $0.key == Self.archive("a", "cpu_num") })
        // 50 s of span: the turns from t0+90 on (still on the archives' 15 s grid).
        let short = Self.drain(
            BackfillPlan(history: Self.history(), content: Self.content(), lastUpdates: Self.allBehind(), step: 15, maxSpan: 50))
        #expect(short.flatMap { $0 }.map(\.time).min() == Self.t0 + 90)
        // Up to date: nothing to do.
        let none = BackfillPlan(
            history: Self.history(), content: Self.content(), lastUpdates: Self.allBehind().mapValues { _ in Self.until - 1 }, step: 15,
            maxSpan: 3600)
        #expect(none.remainingTurns == 0)
    }
}

/// A child grid kept as its summary (`scalable = true`): filled from the child's own summary.
@Suite struct GridBackfillTests {
    static let t0: Int64 = 1_795_543_200

    @Test func aSummarizedChildGridIsFilledFromItsServedSummary() throws {
        let xml = """
            <?xml version="1.0" encoding="ISO-8859-1" standalone="yes"?>
            <GANGLIA_XML VERSION="3.7.2" SOURCE="gmetad">
            <GRID NAME="child" AUTHORITY="http://child/ganglia/" LOCALTIME="\(Self.t0 + 75)">
            <HOSTS UP="3" DOWN="0" SOURCE="gmetad"/>
            <METRICS NAME="load_one" SUM="1.5" NUM="3" TYPE="float" UNITS="" SLOPE="both" SOURCE="gmetad"/>
            </GRID>
            </GANGLIA_XML>
            """
        let content = SourcePoller.read(ByteBuffer(string: xml), options: .init(scalable: true), previous: nil, now: Self.t0 + 75).content
        #expect(content.grids.count == 1)
        let key = ArchiveKey(.gridSummary(try GridName("child")), try MetricName("load_one"))
        let reply = HistoryText.Reply(
            now: Self.t0 + 75,
            series: [
                HistoryKey(cluster: "child", host: HistoryKey.summaryHost, metric: "load_one"): [
                    .init(time: Self.t0 + 2, value: 1), .init(time: Self.t0 + 32, value: 2),
                ],
                HistoryKey(cluster: "child", host: HistoryKey.summaryCountHost, metric: "load_one"): [
                    .init(time: Self.t0 + 2, value: 3), .init(time: Self.t0 + 32, value: 4),
                ],
            ])
        var plan = BackfillPlan(history: reply, content: content, lastUpdates: [key: Self.t0], step: 15, maxSpan: 3600)
        var samples: [ArchiveSample] = []
        while let round = plan.nextRound() { samples += round }
        // Turns t0+15 ... t0+60; a value holds two steps at most (t0+32's until t0+62).
        #expect(samples.map(\.time) == [Self.t0 + 15, Self.t0 + 30, Self.t0 + 45, Self.t0 + 60])
        #expect(samples.map(\.sum) == [1, 1, 2, 2] && samples.map(\.num) == [3, 3, 4, 4])
        #expect(samples.allSatisfy { $0.key == key && $0.geometry.slope == .both })
    }
}

/// The root summary over an outage: the sum of every alive source's back-filled summaries.
@Suite struct RootBackfillTests {
    static let t0: Int64 = 1_795_543_200

    static func summary(_ cluster: String, _ metric: String, at time: Int64, sum: Double, num: Int) -> ArchiveSample {
        ArchiveSample(
            key: ArchiveKey(.clusterSummary(try! ClusterName(cluster)), try! MetricName(metric)), geometry: ArchiveGeometry(step: 15),
            time: time, sum: sum, num: num)
    }

    static func root(_ backfill: RootBackfill, alive: Set<Int>, last: Int64 = t0) -> [ArchiveSample] {
        backfill.samples(lastUpdates: [try! MetricName("load_one"): last], until: t0 + 60, step: 15, alive: alive)
    }

    @Test func sumsEverySourcesContributionInEffectAtEachTurn() {
        var backfill = RootBackfill()
        for (i, time) in [Self.t0 + 3, Self.t0 + 18, Self.t0 + 33, Self.t0 + 48].enumerated() {
            // Source 0 has two clusters; source 1 one, polled at other seconds.
            backfill.add([Self.summary("web", "load_one", at: time, sum: 1, num: 2), Self.summary("db", "load_one", at: time, sum: 2, num: 1)], source: 0)
            backfill.add([Self.summary("ops", "load_one", at: time + 5, sum: Double(10 * (i + 1)), num: 3)], source: 1)
        }
        let samples = Self.root(backfill, alive: [0, 1])
        // Turns t0+15, +30, +45 (before t0+60): 3 from source 0, and source 1's newest by then.
        #expect(samples.map(\.time) == [Self.t0 + 15, Self.t0 + 30, Self.t0 + 45])
        #expect(samples.map(\.sum) == [13, 23, 33] && samples.allSatisfy { $0.num == 6 && $0.key.location == .rootSummary })
        // Nothing at or before the root's last update.
        #expect(Self.root(backfill, alive: [0, 1], last: Self.t0 + 30).map(\.time) == [Self.t0 + 45])
    }

    @Test func aSourceAliveWithoutHistoryLeavesTheRootUnfilled() {
        var backfill = RootBackfill()
        backfill.add([Self.summary("web", "load_one", at: Self.t0 + 15, sum: 1, num: 1)], source: 0)
        #expect(Self.root(backfill, alive: [0, 1]).isEmpty, "source 1 is alive but gave nothing: a sum without it would dip")
        #expect(!Self.root(backfill, alive: [0]).isEmpty)
        // A contribution older than two steps doesn't hold the root up.
        #expect(Self.root(backfill, alive: [0]).map(\.time) == [Self.t0 + 15, Self.t0 + 30, Self.t0 + 45])
        #expect(backfill.samples(lastUpdates: [try! MetricName("load_one"): Self.t0], until: Self.t0 + 120, step: 15, alive: [0]).count == 3)
    }
}
