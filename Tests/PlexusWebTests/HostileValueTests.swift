import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PlexusArchive
import PlexusCore
import PlexusStatus
import PlexusTestSupport
import Testing

@testable import PlexusWeb

/// Numbers anyone on the network can send (a `boottime` of 1e300, NaN, infinities) reach the
/// pages and the JSON API as text or as a missing number: never a trap, never a `null` body.
@Suite struct HostileValueTests {
    static let now = WebTests.now

    static func inputs(_ dir: TemporaryDirectory) throws -> WebInputs {
        func metric(_ name: String, _ value: String, _ type: MetricType) throws -> Metric {
            Metric(name: try MetricName(name), value: value, type: type, tn: 5, tmax: 60)
        }
        let hosts = [
            // gmetric -n boottime -v 1e300 -t double -S 10.7.7.2:bootbomb, as the agent renders it.
            PlexusCore.Host(
                name: try HostName("bootbomb"), ip: "10.7.7.2", reported: now - 5, tn: 5,
                metrics: [
                    try metric("boottime", "1e300", .double), try metric("load_one", "nan", .float),
                    try metric("cpu_num", "inf", .double), try metric("mem_free", "-inf", .double),
                ]),
            PlexusCore.Host(
                name: try HostName("future"), ip: "10.7.7.3", reported: now - 5, tn: 5,
                metrics: [
                    try metric("boottime", "-9.3e18", .double), try metric("load_one", "0.5", .float),
                ]),
        ]
        let document = GangliaDocument(source: .gmond, items: [.cluster(Cluster(name: try ClusterName("web"), localtime: now, hosts: hosts))])
        let grid = try WebTests.state(of: document)
        let layout = RRDLayout(root: dir.appending("rrds"))
        return WebInputs(
            grid: { grid }, status: { WebTests.status() }, layout: layout, events: EventFile(besideRoot: layout.root),
            eventsToken: nil, trusted: [], hostValuesInMetrics: true, clock: { now })
    }

    @Test func aBoottimeOf1e300ShowsAsTextOnTheHostPage() async throws {
        let dir = try TemporaryDirectory(prefix: "plexus-hostile")
        defer { dir.remove() }
        let app = Application(router: WebApplication.router(inputs: try Self.inputs(dir), logger: Logger(label: "test")))
        try await app.test(.router) { client in
            let page = try await WebTests.page(client, "/cluster/web/host/bootbomb")
            #expect(page.contains("<th>Booted</th><td>not a time: 1e300</td>"), "\(page)")
            #expect(!page.contains("Uptime"))
            let future = try await WebTests.page(client, "/cluster/web/host/future")
            #expect(future.contains("not a time: -9.3e18"))
            // Every page that reads the host's values answers.
            for uri in ["/", "/cluster/web", "/cluster/web?m=load_one", "/tv"] {
                _ = try await WebTests.page(client, uri)
            }
        }
    }

    @Test func nonFiniteValuesAreLeftOutOfJSONNumbersNotTheWholeAnswer() async throws {
        let dir = try TemporaryDirectory(prefix: "plexus-hostile")
        defer { dir.remove() }
        let app = Application(router: WebApplication.router(inputs: try Self.inputs(dir), logger: Logger(label: "test")))
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/v1/clusters/web/hosts/bootbomb", method: .get) { response in
                #expect(response.status == .ok)
                let host = try #require(try WebTests.json(response.body) as? [String: Any], "\(String(buffer: response.body))")
                let metrics = try #require(host["metrics"] as? [[String: Any]])
                let byName = Dictionary(uniqueKeysWithValues: metrics.map { ($0["metric"] as? String ?? "", $0) })
                #expect(byName["load_one"]?["number"] == nil && byName["load_one"]?["value"] as? String == "nan")
                #expect(byName["cpu_num"]?["number"] == nil && byName["mem_free"]?["number"] == nil)
                #expect(byName["boottime"]?["number"] as? Double == 1e300)
            }
            for uri in ["/api/v1/grid", "/api/v1/clusters", "/api/v1/clusters/web"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .ok, "\(uri)")
                    let body = String(buffer: response.body)
                    let parsed = try WebTests.json(response.body)
                    #expect(parsed is [String: Any] || parsed is [Any], "\(uri): \(body)")
                    #expect(!body.contains("nan") && !body.contains("inf"), "\(uri): \(body)")
                }
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
    }
}

/// Time ranges and renders a client can ask for, bounded before librrd is called.
@Suite struct BoundedRequestTests {
    @Test func outlandishTimesAnswer400AndIdenticalGraphsShareOneRender() async throws {
        let dir = try TemporaryDirectory(prefix: "plexus-bounds")
        defer { dir.remove() }
        let layout = try await WebTests.archive(dir)
        let inputs = try WebTests.inputs(layout)
        try await WebTests.application(inputs).test(.router) { client in
            for uri in [
                "/graph.png?cluster=web&host=web-1&report=cpu&start=1000000000&end=5000000000",
                "/graph.png?cluster=web&report=cpu&start=-999999999999w", "/graph.png?cluster=web&report=cpu&start=100000000",
                "/api/v1/series?host=web-1&metric=load_one&start=-5200w", "/api/v1/series?host=web-1&metric=load_one&start=-52w&step=1",
                "/api/v1/events?limit=0", "/api/v1/events?limit=999999",
            ] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .badRequest, "\(uri): \(String(buffer: response.body))")
                }
            }
            // Fifty identical requests for a graph no one has drawn yet: one render.
            let uri = "/graph.png?host=web-1&metric=load_one&start=\(WebTests.t0)&end=\(WebTests.now)&size=large"
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<50 { group.addTask { try await client.execute(uri: uri, method: .get) { $0.status } } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.count == 50 && statuses.allSatisfy { $0 == .ok })
            #expect(inputs.graphRenders.runs == 1)
        }
    }

    @Test func eventListsAreCappedAndSayWhatTheyLeftOut() async throws {
        let dir = try TemporaryDirectory(prefix: "plexus-bounds")
        defer { dir.remove() }
        // The journal lies beside the root: a folder of this test's own.
        let inputs = try WebTests.inputs(RRDLayout(root: dir.appending("rrds")))
        for i in 0..<30 { _ = try inputs.events.add { Event(id: $0, start: WebTests.t0 + Int64(i), text: "e\(i)", created: WebTests.t0) } }
        try await WebTests.application(inputs).test(.router) { client in
            try await client.execute(uri: "/api/v1/events?limit=10", method: .get) { response in
                let events = try #require(try WebTests.json(response.body) as? [[String: Any]])
                #expect(events.count == 10 && events.last?["text"] as? String == "e29")
                #expect(response.headers[.init("X-Plexus-Events-Omitted")!]?.hasPrefix("20 earlier events") == true)
            }
        }
    }
}
