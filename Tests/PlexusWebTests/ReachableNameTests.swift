import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PlexusArchive
import PlexusCore
import PlexusTestSupport
import Testing

@testable import PlexusWeb

/// Every name the system accepts is reachable at every URL the system prints: names with
/// spaces, non-ASCII letters, `:`, `+` and even a literal `%20` (which must not be decoded
/// twice), crawled from the grid page as a browser would follow them.
@Suite struct ReachableNameTests {
    static let cluster = "Web Servers ü"
    static let hosts = ["db 1", "ü:host", "a%20b", "web+1"]

    static func inputs(_ dir: TemporaryDirectory) async throws -> WebInputs {
        func host(_ name: String) throws -> PlexusCore.Host {
            PlexusCore.Host(
                name: try HostName(name), ip: "10.0.0.1", reported: WebTests.now - 5, tn: 5, tmax: 20, dmax: 86400,
                metrics: [
                    Metric(
                        name: try MetricName("load_one"), value: "0.5", type: .float, units: "", tn: 5, tmax: 60,
                        extraData: [ExtraElement(name: "GROUP", value: "load")]),
                    Metric(name: try MetricName("cpu_num"), value: "4", type: .uint16, units: "CPUs", tn: 5, tmax: 60),
                ])
        }
        let document = GangliaDocument(
            source: .gmond,
            items: [
                .cluster(
                    Cluster(
                        name: try ClusterName(cluster), localtime: WebTests.now,
                        hosts: try hosts.map(host)))
            ])
        let grid = try WebTests.state(of: document)
        var layout = RRDLayout(root: dir.appending("rrds"))
        for name in hosts { layout = try await WebTests.archive(dir, cluster: cluster, host: name) }
        return WebInputs(
            grid: { grid }, status: { WebTests.status() }, layout: layout, events: EventFile(besideRoot: layout.root),
            clock: { WebTests.now })
    }

    /// `href` and `src` targets of a page, as a browser reads them (entities decoded).
    static func links(_ html: String) -> [String] {
        let pattern = try! NSRegularExpression(pattern: "(?:href|src)=\"([^\"]*)\"")
        return pattern.matches(in: html, range: NSRange(html.startIndex..., in: html)).compactMap { match in
            Range(match.range(at: 1), in: html).map { unescape(String(html[$0])) }
        }.filter { $0.hasPrefix("/") }
    }

    static func unescape(_ text: String) -> String {
        var out = text.replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&quot;", with: "\"")
        let numeric = try! NSRegularExpression(pattern: "&#x([0-9A-Fa-f]+);")
        while let match = numeric.firstMatch(in: out, range: NSRange(out.startIndex..., in: out)),
            let whole = Range(match.range, in: out), let hex = Range(match.range(at: 1), in: out),
            let code = UInt32(out[hex], radix: 16), let scalar = Unicode.Scalar(code)
        {
            out.replaceSubrange(whole, with: String(Character(scalar)))
        }
        return out
    }

    @Test func everyLinkTheDashboardPrintsAnswers() async throws {
        let dir = try TemporaryDirectory(prefix: "plexus-names")
        defer { dir.remove() }
        let app = Application(router: WebApplication.router(inputs: try await Self.inputs(dir), logger: Logger(label: "test")))
        try await app.test(.router) { client in
            var queue = ["/"], seenPaths: Set<String> = [], checked: Set<String> = [], pagesOfEachHost: [String: Int] = [:]
            var graphed: Set<String> = []
            while let uri = queue.popLast(), checked.count < 400 {
                guard checked.insert(uri).inserted else { continue }
                let (status, type, body) = try await client.execute(uri: uri, method: .get) { response in
                    (response.status, response.headers[.contentType] ?? "", String(buffer: response.body))
                }
                // The archive holds the load and CPU metrics only: other reports' graphs say so.
                let unarchived = uri.hasPrefix("/graph.") && status == .notFound && body.contains("no archive for the")
                #expect(status == .ok || unarchived, "\(uri): \(body.prefix(200))")
                if status == .ok, uri.hasPrefix("/graph.png"), uri.contains("report=load") { graphed.insert(uri) }
                guard type.hasPrefix("text/html") else { continue }
                for name in Self.hosts where body.contains(">\(HTMLText.escape(name))<") { pagesOfEachHost[name, default: 0] += 1 }
                for link in Self.links(body) {
                    let path = String(link.prefix { $0 != "?" })
                    // Each page once (its first link), every graph it shows.
                    if path.hasPrefix("/graph.") ? !checked.contains(link) : seenPaths.insert(path).inserted { queue.append(link) }
                }
            }
            #expect(seenPaths.contains("/cluster/Web%20Servers%20%C3%BC"), "\(seenPaths.sorted())")
            #expect(seenPaths.contains("/cluster/Web%20Servers%20%C3%BC/host/a%2520b"), "a literal %20 is encoded as %2520")
            #expect(seenPaths.contains("/cluster/Web%20Servers%20%C3%BC/host/%C3%BC%3Ahost/metric/load_one"))
            #expect(Set(pagesOfEachHost.keys) == Set(Self.hosts), "every host's name shows on some page")
            for host in Self.hosts {
                #expect(graphed.contains { $0.contains("host=\(URLText.component(host))&") }, "\(host)'s load graph is drawn")
            }
        }
    }

    @Test func theAPIAnswersAtTheEncodedNames() async throws {
        let dir = try TemporaryDirectory(prefix: "plexus-names")
        defer { dir.remove() }
        let app = Application(router: WebApplication.router(inputs: try await Self.inputs(dir), logger: Logger(label: "test")))
        try await app.test(.router) { client in
            let cluster = URLText.component(Self.cluster)
            try await client.execute(uri: "/api/v1/clusters/\(cluster)", method: .get) { response in
                #expect(response.status == .ok)
                let body = try #require(try WebTests.json(response.body) as? [String: Any])
                #expect(body["cluster"] as? String == Self.cluster)
                #expect((body["hosts"] as? [[String: Any]])?.compactMap { $0["host"] as? String }.sorted() == Self.hosts.sorted())
            }
            for host in Self.hosts {
                try await client.execute(uri: "/api/v1/clusters/\(cluster)/hosts/\(URLText.component(host))", method: .get) { response in
                    #expect(response.status == .ok, "\(host)")
                    let body = try WebTests.json(response.body) as? [String: Any]
                    #expect(body?["host"] as? String == host)
                }
            }
            // `+` in a path is a plus (only query strings turn it into a space).
            try await client.execute(uri: "/api/v1/clusters/\(cluster)/hosts/web+1", method: .get) { #expect($0.status == .ok) }
            // A broken escape is the client's error, said so; not a 404 and not a crash.
            for uri in ["/cluster/Web%2", "/api/v1/clusters/%FF%FE", "/cluster/web/host/%zz"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .badRequest, "\(uri)")
                    #expect(String(buffer: response.body).contains("percent-encoded"), "\(uri)")
                }
            }
        }
    }
}
