import Testing

@testable import PlexusCore

/// Reading every XML capture from real Ganglia 3.7.2 and writing it back: our writer reproduces
/// each document byte for byte (structure, attribute order, layout).
@Suite struct XMLGoldenTests {
    /// The document part of a capture (the `.txt` one starts with an HTTP header).
    static func documentBytes(_ file: String) throws -> [UInt8] {
        let bytes = try Fixtures.bytes("xml/\(file)")
        guard let start = bytes.firstIndex(of: UInt8(ascii: "<")) else { return bytes }
        return Array(bytes[start...])
    }

    @Test(arguments: Fixtures.xmlFiles)
    func readsCleanly(_ file: String) throws {
        let result = GangliaDocument.read(try Fixtures.bytes("xml/\(file)"))
        #expect(result.report.isClean, "\(result.report)")
        #expect(result.document != nil)
    }

    @Test(arguments: Fixtures.xmlFiles)
    func rewritesByteForByte(_ file: String) throws {
        let result = GangliaDocument.read(try Fixtures.bytes("xml/\(file)"))
        let document = try #require(result.document)
        var out: [UInt8] = []
        GangliaXMLWriter(dialect: document.source).write(document, into: &out)
        let expected = try Self.documentBytes(file)
        if out != expected {
            let a = String(decoding: out, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            let b = String(decoding: expected, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            let first = (0..<min(a.count, b.count)).first(where: { a[$0] != b[$0] }) ?? min(a.count, b.count)
            Issue.record(
                "\(file) differs at line \(first + 1):\n ours: \(first < a.count ? a[first] : "<end>")\n real: \(first < b.count ? b[first] : "<end>")")
        }
    }

    @Test func gmondDocumentContent() throws {
        let document = try #require(GangliaDocument.read(try Fixtures.bytes("xml/gmond-tcp-8649.xml")).document)
        #expect(document.source == .gmond)
        #expect(document.version == "3.7.2")
        guard case .cluster(let cluster) = try #require(document.items.first) else { throw Failure("no cluster") }
        #expect(cluster.name.rawValue == "CaptureCluster")
        #expect(cluster.localtime == 1_795_543_648)
        #expect(cluster.owner == "Ops Team")
        #expect(cluster.latlong == "N37.57 E126.98")
        #expect(cluster.hosts.map(\.name.rawValue) == ["switch9.example", "localhost"])
        let local = cluster.hosts[1]
        #expect(local.ip == "127.0.0.1")
        #expect(local.location == "rack2,7,0")
        #expect(local.gmondStarted == 1_795_543_625)
        #expect(local.reported == 1_795_543_645)
        #expect(local.tn == 3 && local.tmax == 20 && local.dmax == 86400)
        #expect(local.isUp(localtime: cluster.localtime))
        let latency = try #require(local.metrics.first { $0.name.rawValue == "checkout_latency_ms" })
        #expect(latency.value == "87.25")
        #expect(latency.type == .float)
        #expect(latency.units == "ms")
        #expect(latency.tmax == 30 && latency.dmax == 600)
        #expect(latency.extraData == [ExtraElement(name: "GROUP", value: "latency"), ExtraElement(name: "GROUP", value: "business")])
        #expect(local.metrics.count == 22)
        #expect(cluster.hosts[0].metrics.map(\.name.rawValue) == ["sw_temp"])
    }

    @Test func summaryAndFederatedDocuments() throws {
        let root = try #require(GangliaDocument.read(try Fixtures.bytes("xml/gmetad-query-root-filter-summary.xml")).document)
        guard case .grid(let grid) = try #require(root.items.first) else { throw Failure("no grid") }
        #expect(grid.name.rawValue == "SeoulGrid")
        #expect(grid.authority == "http://seoul.example.invalid/ganglia/")
        #expect(grid.summary?.hosts == HostCounts(up: 2, down: 0, source: "gmetad"))
        #expect(grid.summary?.metrics.count == 19)
        let load = try #require(grid.summary?.metrics.first { $0.name.rawValue == "load_one" })
        #expect(load.sum == 0.11 && load.num == 1 && load.precision == 2 && load.units == " ")
        guard case .cluster(let cluster) = try #require(grid.children.first) else { throw Failure("no cluster") }
        #expect(cluster.hosts.isEmpty)
        #expect(cluster.summary?.metrics.count == 19)

        let federated = try #require(GangliaDocument.read(try Fixtures.bytes("xml/gmetad-federated-xml-8651.xml")).document)
        guard case .grid(let top) = try #require(federated.items.first) else { throw Failure("no grid") }
        #expect(top.name.rawValue == "GlobalGrid")
        guard case .grid(let child) = try #require(top.children.first) else { throw Failure("no child grid") }
        #expect(child.name.rawValue == "SeoulGrid")
        #expect(child.summary?.hosts.up == 2)
        let queue = try #require(child.summary?.metrics.first { $0.name.rawValue == "queue_depth" })
        #expect(queue.sum == -42)
    }

    @Test func httpReplyIsRead() throws {
        var events: [String] = []
        let report = GangliaXMLReader.read(try Fixtures.bytes("xml/gmetad-query-http-get-cluster-host.txt")) { event in
            switch event {
            case .host(let host): events.append("host \(host.name) \(host.metrics.count)")
            case .clusterStart(let cluster): events.append("cluster \(cluster.name)")
            case .gridStart(let grid): events.append("grid \(grid.name)")
            default: break
            }
        }
        #expect(report.isClean)
        #expect(events == ["grid SeoulGrid", "cluster CaptureCluster", "host localhost 22"])
        let notFound = Array("HTTP/1.0 404 Not Found\r\n\r\n".utf8)
        #expect(GangliaXMLReader.read(notFound) { _ in }.fatal?.error == .httpStatus("HTTP/1.0 404 Not Found"))
    }
}
