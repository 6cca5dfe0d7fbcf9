import PlexusCore
import Testing

/// The agent's history of many series: sizing by interval, the total bound, what is served.
@Suite struct HistoryStoreTests {
    @Test func eachSeriesReachesBackTheWholeSpanAtItsInterval() {
        var store = HistoryStore(seconds: 3600)
        #expect(store.capacity(interval: 15) == 241 && store.capacity(interval: 0) == 3601)
        let t0: Int64 = 1_795_543_200
        for i in 0..<500 {
            store.record(.init(cluster: "c", host: "web-1", metric: "load_one"), time: t0 + Int64(i) * 15, value: Double(i), interval: 15)
        }
        let served = store.values(after: 0)
        #expect(served.count == 1 && served[0].entries.count == 241)
        // The oldest value kept is an hour before the newest.
        #expect(served[0].entries.last!.time - served[0].entries.first!.time == 3600)
    }

    @Test func servesWhatCameAfterATimeInNameOrder() {
        var store = HistoryStore(seconds: 600)
        for (host, metric) in [("web-2", "load_one"), ("web-1", "mem_free"), ("web-1", "load_one")] {
            for t in stride(from: Int64(100), through: 400, by: 60) {
                store.record(.init(cluster: "c", host: host, metric: metric), time: t, value: Double(t), interval: 60)
            }
        }
        let served = store.values(after: 280)
        #expect(served.map { "\($0.key.host)/\($0.key.metric)" } == ["web-1/load_one", "web-1/mem_free", "web-2/load_one"])
        #expect(served.allSatisfy { $0.entries.map(\.time) == [340, 400] })
        #expect(store.values(after: 400).isEmpty)
        // From a time: the value in effect then, and those after; a series silent since is
        // served by its last value alone.
        #expect(store.values(after: 300, inEffect: true).allSatisfy { $0.entries.map(\.time) == [280, 340, 400] })
        #expect(store.values(after: 1000, inEffect: true).allSatisfy { $0.entries.map(\.time) == [400] })
        #expect(store.values(after: 50, inEffect: true).allSatisfy { $0.entries.first?.time == 100 })
        // Not newer than the newest: refused and counted, never a duplicate.
        let repeated = store.record(.init(cluster: "c", host: "web-1", metric: "load_one"), time: 400, value: 1, interval: 60)
        #expect(!repeated && store.valuesRefused == 1)
    }

    @Test func theTotalBoundRefusesNewSeriesAndKeepsTheOldOnes() {
        // Room for two series of 11 values (600 s at 60 s, plus one).
        var store = HistoryStore(seconds: 600, maxValues: 25)
        func record(_ host: String, at time: Int64) -> Bool { store.record(.init(cluster: "c", host: host, metric: "m"), time: time, value: 1, interval: 60) }
        #expect(record("a", at: 1) && record("b", at: 1))
        #expect(!record("c", at: 1) && store.seriesRefused == 1)
        #expect(record("a", at: 2), "a series held keeps taking values")
        #expect(store.reserved == 22)
        store.forget(cluster: "c", host: "a")
        #expect(store.reserved == 11 && record("c", at: 1))
        #expect(store.values(after: 0).map(\.key.host) == ["b", "c"])
    }
}
