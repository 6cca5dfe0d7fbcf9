/// Writes a `GridState` as gmetad serves it: the whole tree (xml_port), or the part a path names
/// (interactive port), each level wrapped in its start and end tags so the reply is always a
/// valid document. TN is recomputed at `now`; hosts and metrics past their DMAX are left out;
/// grids are always shown summarized.
public struct GridRenderer: Sendable {
    public var state: GridState
    /// Our clock: the GRID's LOCALTIME and the reference for every TN.
    public var now: Int64
    private let writer = GangliaXMLWriter(dialect: .gmetad)

    public init(state: GridState, now: Int64) {
        self.state = state
        self.now = now
    }

    /// The HTTP header gmetad puts before replies to `GET … HTTP/1.x` requests.
    public static func httpHeader(contentType: String) -> String {
        "HTTP/1.0 200 OK\r\nServer: plexus-aggregator (gmetad/\(GangliaDocument.defaultVersion) compatible)\r\n"
            + "Content-Type: \(contentType)\r\nConnection: close\r\n\r\n"
    }

    /// The whole grid, as on the xml_port.
    public func renderTree(into buffer: inout [UInt8]) {
        render(path: [], summary: false, http: false, into: &buffer)
    }

    /// What a tree query asks for.
    public func render(path: [String], summary: Bool, http: Bool, into buffer: inout [UInt8]) {
        if http { buffer.append(contentsOf: Self.httpHeader(contentType: "application/xml").utf8) }
        writer.writeProlog(source: .gmetad, into: &buffer)
        writer.writeStart(of: Grid(name: state.gridname, authority: state.authority, localtime: now), into: &buffer)
        if let element = path.first {
            let rest = path.dropFirst()
            if let node = state.node(named: element) {
                write(node, rest, summary: summary, http: http, into: &buffer)
            } else if !http {
                writeRootBody(summary: summary, into: &buffer)
            } else if element == "*" {
                for node in state.nodes { write(node, rest, summary: summary, http: http, into: &buffer) }
            }
        } else {
            writeRootBody(summary: summary, into: &buffer)
        }
        writer.writeEnd(of: .grid, into: &buffer)
        writer.writeEpilog(into: &buffer)
    }

    private func writeRootBody(summary: Bool, into buffer: inout [UInt8]) {
        if summary { writer.write(state.rootSummary, into: &buffer) }
        for node in state.nodes {
            write(node, [], summary: summary, http: false, into: &buffer)
        }
    }

    private func write(_ node: GridState.Node, _ path: ArraySlice<String>, summary: Bool, http: Bool, into buffer: inout [UInt8]) {
        switch node {
        case .grid(let held):
            var grid = held.grid
            grid.summary = held.summary
            writer.write(grid, into: &buffer)
        case .cluster(let held):
            writer.writeStart(of: held.cluster, into: &buffer)
            if let element = path.first {
                let rest = path.dropFirst()
                if let name = try? HostName(element), let host = held.host(named: name), !host.isExpired(at: now) {
                    write(host, rest, summary: summary, http: http, into: &buffer)
                } else if !http {
                    writeClusterBody(held, summary: summary, into: &buffer)
                } else if element == "*" {
                    for host in held.hosts where !host.isExpired(at: now) {
                        write(host, rest, summary: summary, http: http, into: &buffer)
                    }
                }
            } else {
                writeClusterBody(held, summary: summary, into: &buffer)
            }
            writer.writeEnd(of: .cluster, into: &buffer)
        }
    }

    private func writeClusterBody(_ held: HeldCluster, summary: Bool, into buffer: inout [UInt8]) {
        if summary {
            writer.write(held.summary, into: &buffer)
            return
        }
        for host in held.hosts where !host.isExpired(at: now) {
            writer.write(host.host, age: host.age(at: now), into: &buffer)
        }
    }

    private func write(_ held: HeldHost, _ path: ArraySlice<String>, summary: Bool, http: Bool, into buffer: inout [UInt8]) {
        let age = held.age(at: now)
        guard !summary else {
            // A filtered walk shows hosts without their metrics (gmetad stops at hosts).
            writer.writeStart(of: held.host, age: age, into: &buffer)
            writer.writeEnd(of: .host, into: &buffer)
            return
        }
        guard let element = path.first else {
            writer.write(held.host, age: age, into: &buffer)
            return
        }
        writer.writeStart(of: held.host, age: age, into: &buffer)
        let matching = held.host.metrics.filter { $0.name.rawValue == element }
        let shown = !matching.isEmpty ? matching : (!http || element == "*") ? held.host.metrics : []
        for metric in shown {
            let tn = metric.tn.addingClamped(age)
            if metric.dmax > 0, tn > metric.dmax { continue }
            writer.write(metric, tn: tn, into: &buffer)
        }
        writer.writeEnd(of: .host, into: &buffer)
    }
}
