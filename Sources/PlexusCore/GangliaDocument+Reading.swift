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
        var texts = TextTable.disabled
        return read(bytes, texts: &texts)
    }

    /// The same, sharing repeated texts through `texts`.
    public static func read(_ bytes: [UInt8], texts: inout TextTable) -> GangliaReadResult {
        var builder = DocumentBuilder()
        let report = GangliaXMLReader.read(bytes, texts: &texts) { builder.apply($0) }
        return GangliaReadResult(document: builder.document, report: report)
    }
}

/// Assembles events into a tree; containers left open by a truncated document are closed.
private struct DocumentBuilder {
    /// An open GRID or CLUSTER. Children are collected in fields of their own so appending
    /// mutates in place instead of copying a payload out of an enum.
    private struct Frame {
        var grid: Grid?
        var cluster: Cluster?
        var hosts: [Host] = []
        var children: [Grid.Child] = []
        var summary: Summary?
    }

    private(set) var document: GangliaDocument?
    private var stack: [Frame] = []

    mutating func apply(_ event: GangliaXMLEvent) {
        switch event {
        case .documentStart(let version, let source):
            document = GangliaDocument(version: version, source: XMLDialect(rawValue: source) ?? .gmond)
        case .gridStart(let grid):
            stack.append(Frame(grid: grid))
        case .clusterStart(let cluster):
            stack.append(Frame(cluster: cluster))
        case .gridEnd, .clusterEnd:
            close()
        case .host(let host):
            if stack.isEmpty {
                document?.items.append(.host(host))
            } else {
                stack[stack.count - 1].hosts.append(host)
            }
        case .hostCounts(let counts):
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].summary = Summary(hosts: counts, metrics: stack[stack.count - 1].summary?.metrics ?? [])
        case .metricSummary(let metric):
            guard !stack.isEmpty else { return }
            if stack[stack.count - 1].summary == nil { stack[stack.count - 1].summary = Summary(hosts: HostCounts(up: 0, down: 0)) }
            stack[stack.count - 1].summary?.metrics.append(metric)
        case .documentEnd:
            while !stack.isEmpty { close() }
        }
    }

    private mutating func close() {
        guard let frame = stack.popLast() else { return }
        let child: Grid.Child
        if var cluster = frame.cluster {
            cluster.hosts = frame.hosts
            cluster.summary = frame.summary
            child = .cluster(cluster)
        } else if var grid = frame.grid {
            grid.children = frame.children
            grid.summary = frame.summary
            child = .grid(grid)
        } else {
            return
        }
        if !stack.isEmpty {
            stack[stack.count - 1].children.append(child)
            return
        }
        switch child {
        case .grid(let grid): document?.items.append(.grid(grid))
        case .cluster(let cluster): document?.items.append(.cluster(cluster))
        }
    }
}
