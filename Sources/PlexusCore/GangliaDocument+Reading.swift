/// A document read from bytes, with what was skipped on the way.
public struct GangliaReadResult: Sendable {
    /// Everything that could be read; nil only when not even the root element was found.
    public var document: GangliaDocument?
    public var report: XMLReadReport
}

extension GangliaDocument {
    /// Reads a whole document into memory (for tools and tests; servers consume
    /// `GangliaXMLReader`'s events directly).
    public static func read(_ bytes: [UInt8]) -> GangliaReadResult {
        var builder = DocumentBuilder()
        let report = GangliaXMLReader.read(bytes) { builder.apply($0) }
        return GangliaReadResult(document: builder.document, report: report)
    }
}

/// Assembles events into a tree; containers left open by a truncated document are closed.
private struct DocumentBuilder {
    private enum Open {
        case grid(Grid)
        case cluster(Cluster)
    }

    private(set) var document: GangliaDocument?
    private var stack: [Open] = []

    mutating func apply(_ event: GangliaXMLEvent) {
        switch event {
        case .documentStart(let version, let source):
            document = GangliaDocument(version: version, source: XMLDialect(rawValue: source) ?? .gmond)
        case .gridStart(let grid):
            stack.append(.grid(grid))
        case .clusterStart(let cluster):
            stack.append(.cluster(cluster))
        case .gridEnd, .clusterEnd:
            close()
        case .host(let host):
            // Pop, change, push: the popped value is the only reference, so nothing is copied.
            guard let top = stack.popLast() else {
                document?.items.append(.host(host))
                return
            }
            switch consume top {
            case .cluster(var cluster):
                cluster.hosts.append(host)
                stack.append(.cluster(cluster))
            case let other:
                stack.append(other)
            }
        case .hostCounts(let counts):
            updateSummary { $0.hosts = counts }
        case .metricSummary(let metric):
            updateSummary { $0.metrics.append(metric) }
        case .documentEnd:
            while !stack.isEmpty { close() }
        }
    }

    private mutating func updateSummary(_ change: (inout Summary) -> Void) {
        guard let top = stack.popLast() else { return }
        switch consume top {
        case .grid(var grid):
            var summary = grid.summary ?? Summary(hosts: HostCounts(up: 0, down: 0))
            change(&summary)
            grid.summary = summary
            stack.append(.grid(grid))
        case .cluster(var cluster):
            var summary = cluster.summary ?? Summary(hosts: HostCounts(up: 0, down: 0))
            change(&summary)
            cluster.summary = summary
            stack.append(.cluster(cluster))
        }
    }

    private mutating func close() {
        guard let top = stack.popLast() else { return }
        let child: Grid.Child
        switch top {
        case .grid(let grid): child = .grid(grid)
        case .cluster(let cluster): child = .cluster(cluster)
        }
        if case .grid = stack.last, case .grid(var parent)? = stack.popLast() {
            parent.children.append(child)
            stack.append(.grid(parent))
            return
        }
        switch child {
        case .grid(let grid): document?.items.append(.grid(grid))
        case .cluster(let cluster): document?.items.append(.cluster(cluster))
        }
    }
}
