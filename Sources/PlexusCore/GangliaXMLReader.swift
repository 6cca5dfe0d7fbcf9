/// Something the reader found, in document order. Hosts and summary metrics arrive whole;
/// grids and clusters as start and end, so a consumer can apply a large document host by host
/// without holding it.
public enum GangliaXMLEvent: Sendable {
    case documentStart(version: String, source: String)
    /// A grid's attributes (its `children` and `summary` are empty here).
    case gridStart(Grid)
    case gridEnd
    /// A cluster's attributes (its `hosts` and `summary` are empty here).
    case clusterStart(Cluster)
    case clusterEnd
    /// A complete host with its metrics.
    case host(Host)
    /// `<HOSTS>` of the enclosing cluster or grid.
    case hostCounts(HostCounts)
    /// `<METRICS>` of the enclosing cluster or grid.
    case metricSummary(MetricSummary)
    case documentEnd
}

/// A streaming reader for gmond and gmetad XML (full, `?filter=summary`, federated, path
/// queries, and replies with an HTTP header).
///
/// One pass over the bytes, no tree. A malformed or unusable HOST, METRIC, METRICS or CLUSTER
/// costs only itself: it is reported in `XMLReadReport.skipped` and reading resumes after it.
/// A document that ends early still delivers everything that was complete.
public enum GangliaXMLReader {
    /// How deep GRIDs may nest. Each level of federation adds one; a real tree has a handful.
    /// Reading is recursive, so without a bound a small hostile document (`<GRID>` 3,000 times,
    /// 150 KB) would exhaust the stack. A deeper GRID is skipped alone, like any bad element.
    public static let maxGridDepth = 32

    /// Reads `bytes`, calling `handler` for each event; returns what was skipped.
    public static func read(_ bytes: UnsafeRawBufferPointer, handler: (GangliaXMLEvent) -> Void) -> XMLReadReport {
        var none = TextTable.disabled
        return read(bytes, texts: &none, handler: handler)
    }

    /// Reads `bytes` sharing the texts hosts repeat through `texts` (a source's table, kept
    /// from poll to poll): the events are the same as without it, and hold less memory.
    public static func read(_ bytes: UnsafeRawBufferPointer, texts: inout TextTable, handler: (GangliaXMLEvent) -> Void) -> XMLReadReport {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            var report = XMLReadReport()
            report.fatal = XMLSkip(element: "GANGLIA_XML", line: 1, error: .unexpectedEnd(inside: "document"))
            return report
        }
        return withoutActuallyEscaping(handler) { handler in
            XMLLexerScratch.with { scratch in
                var parser = GangliaXMLParser(lexer: XMLLexer(base: base, count: bytes.count, scratch: scratch), emit: handler)
                // Swapped in and out, never copied: the table stays uniquely held, so it is updated in place.
                texts.startDocument()
                swap(&parser.texts, &texts)
                parser.parseDocument()
                swap(&parser.texts, &texts)
                return parser.report
            }
        }
    }

    /// Reads a document held in an array.
    public static func read(_ bytes: [UInt8], handler: (GangliaXMLEvent) -> Void) -> XMLReadReport {
        bytes.withUnsafeBytes { read($0, handler: handler) }
    }

    /// Reads a document held in an array, sharing texts through `texts`.
    public static func read(_ bytes: [UInt8], texts: inout TextTable, handler: (GangliaXMLEvent) -> Void) -> XMLReadReport {
        bytes.withUnsafeBytes { read($0, texts: &texts, handler: handler) }
    }
}

/// The recursive-descent half of the reader: one method per element, each either returning a
/// complete value or throwing so its parent can skip it.
struct GangliaXMLParser {
    var lexer: XMLLexer
    let emit: (GangliaXMLEvent) -> Void
    var report = XMLReadReport()
    /// Elements open above the current one, outermost first.
    var open: [XMLElementName] = []
    /// Metrics of the host being read.
    var pendingMetrics: [Metric] = []
    /// Extra data of the metric or summary being read.
    var pendingExtra: [ExtraElement] = []
    /// Where repeated texts are shared (`TextTable.disabled`: nowhere).
    var texts = TextTable.disabled
    /// `pendingExtra`'s hash in `texts`, added up from its raw texts as they are read.
    var pendingExtraHash: UInt64 = 0
    /// The extra data of the metric or summary being read, when its one EXTRA_DATA was found
    /// in `texts` (read before, the same bytes) instead of being read again.
    var pendingBlock: TextTable.Block?
    /// GRIDs open above the current element.
    var gridDepth = 0

    mutating func parseDocument() {
        do throws(XMLError) {
            try skipHTTPHeader()
            guard case .start(let name, let nameStart, let nameEnd, let selfClosing) = try lexer.next() else {
                throw .unexpectedEnd(inside: "document")
            }
            guard name == .gangliaXML else { throw .notGanglia(root: lexer.text(nameStart, nameEnd)) }
            emit(
                .documentStart(
                    version: lexer.attribute(.version).map(lexer.string) ?? "",
                    source: lexer.attribute(.source).map(lexer.string) ?? ""))
            if !selfClosing { try parseChildren(of: .gangliaXML) }
            emit(.documentEnd)
        } catch {
            report.fatal = XMLSkip(element: "GANGLIA_XML", line: lexer.line(of: lexer.position), error: error)
        }
    }

    /// The interactive port in `GET` mode prefixes the document with an HTTP header.
    private mutating func skipHTTPHeader() throws(XMLError) {
        guard lexer.hasPrefix("HTTP/", at: 0) else { return }
        let statusEnd = lexer.find(0x0A, from: 0) ?? lexer.count
        let status = lexer.text(0, statusEnd).trimmingASCIIWhitespace()
        let parts = status.split(separator: " ")
        guard parts.count >= 2, parts[1] == "200" else { throw .httpStatus(String(status)) }
        if let crlf = lexer.find("\r\n\r\n", from: 0) {
            lexer.position = crlf + 4
        } else if let lf = lexer.find("\n\n", from: 0) {
            lexer.position = lf + 2
        }
    }

    /// Reads children until the end tag of `parent`; each child that fails is skipped alone.
    mutating func parseChildren(of parent: XMLElementName) throws(XMLError) {
        open.append(parent)
        defer { open.removeLast() }
        while true {
            let token: XMLToken
            do throws(XMLError) {
                token = try lexer.next()
            } catch {
                // A malformed start tag is its element's failure; anything else is the parent's.
                guard let child = lexer.startTagName, !error.isUnexpectedEnd else { throw error }
                skip(child.name, start: child.start, end: child.end, at: lexer.tokenStart, error: error)
                continue
            }
            switch token {
            case .eof:
                throw .unexpectedEnd(inside: "<\(parent.text)>")
            case .end(let name, let start, let end):
                if name == parent, name != .other { return }
                try refuseEndTag(name, start, end, expected: parent)
            case .start(let name, let start, let end, let selfClosing):
                let childStart = lexer.tokenStart
                do throws(XMLError) {
                    try parseChild(name, nameStart: start, nameEnd: end, selfClosing: selfClosing, parent: parent)
                } catch {
                    if error.isUnexpectedEnd { throw error }
                    skip(name, start: start, end: end, at: childStart, error: error)
                }
            }
        }
    }

    /// Records a failed child and moves past it. An unclosed child stopped at an ancestor's end
    /// tag, which is simply read next.
    private mutating func skip(_ name: XMLElementName, start: Int, end: Int, at offset: Int, error: XMLError) {
        report.recordSkip(
            XMLSkip(
                element: name == .other ? lexer.text(start, end) : name.text, line: lexer.line(of: offset), error: error))
        if case .mismatchedEndTag = error { return }
        recover(after: name)
    }

    /// An end tag that doesn't close the current element. If it closes an enclosing one, the
    /// current element is unclosed: push the tag back for the ancestor. Otherwise it is stray.
    private mutating func refuseEndTag(_ name: XMLElementName, _ start: Int, _ end: Int, expected: XMLElementName) throws(XMLError) {
        let found = lexer.text(start, end)
        if name != .other, open.dropLast().contains(name) {
            lexer.pushBack()
            throw .mismatchedEndTag(expected: expected.text, found: found)
        }
        throw .malformedMarkup("stray </\(found)> inside <\(expected.text)>")
    }

    /// After a failed `element`, moves to where reading can go on: past the element's end tag,
    /// or at the next sibling of the same kind, or at an enclosing element's end tag, whichever
    /// comes first. GRIDs nest, so their end tags are counted.
    private mutating func recover(after element: XMLElementName) {
        var depth = 0
        var i = lexer.position
        while let lt = lexer.find(UInt8(ascii: "<"), from: i) {
            i = lt + 1
            guard let (isEnd, name) = lexer.peekTag(at: lt) else { continue }
            if isEnd {
                if name == element {
                    if depth == 0 {
                        lexer.position = lexer.find(UInt8(ascii: ">"), from: lt).map { $0 + 1 } ?? lexer.count
                        return
                    }
                    depth -= 1
                } else if name != .other, open.contains(name) {
                    lexer.position = lt
                    return
                }
            } else if name == element {
                guard element == .grid else {
                    lexer.position = lt
                    return
                }
                depth += 1
            }
        }
        lexer.position = lexer.count
    }

    private mutating func parseChild(
        _ name: XMLElementName, nameStart: Int, nameEnd: Int, selfClosing: Bool, parent: XMLElementName
    ) throws(XMLError) {
        switch (parent, name) {
        case (.gangliaXML, .grid), (.grid, .grid):
            try parseGrid(selfClosing: selfClosing)
        case (.gangliaXML, .cluster), (.grid, .cluster):
            try parseCluster(selfClosing: selfClosing)
        case (.gangliaXML, .host), (.cluster, .host):
            let host = try parseHost(selfClosing: selfClosing)
            report.hosts += 1
            report.metrics += host.metrics.count
            emit(.host(host))
        case (.host, .metric):
            pendingMetrics.append(try parseMetric(selfClosing: selfClosing))
        case (.metric, .extraData), (.metrics, .extraData):
            if !selfClosing { try parseExtraData() }
        case (.extraData, .extraElement):
            pendingExtra.append(try parseExtraElement(selfClosing: selfClosing))
        case (.grid, .hosts), (.cluster, .hosts):
            let counts = try parseHostCounts()
            if !selfClosing { try parseChildren(of: .hosts) }
            emit(.hostCounts(counts))
        case (.grid, .metrics), (.cluster, .metrics):
            emit(.metricSummary(try parseMetricSummary(selfClosing: selfClosing)))
        case (_, .other):
            // Unknown elements are future extensions: step over them quietly.
            if !selfClosing { try skipContent(nameStart: nameStart, nameEnd: nameEnd) }
        default:
            throw .unexpectedElement(name.text, inside: parent.text)
        }
    }

    private mutating func parseGrid(selfClosing: Bool) throws(XMLError) {
        guard gridDepth < GangliaXMLReader.maxGridDepth else { throw .tooDeep(element: "GRID", limit: GangliaXMLReader.maxGridDepth) }
        gridDepth += 1
        defer { gridDepth -= 1 }
        let name = try requiredName(GridName.self, element: .grid)
        let grid = Grid(
            name: name,
            authority: optionalString(.authority),
            localtime: try optionalInteger(.localtime, element: .grid))
        emit(.gridStart(grid))
        defer { emit(.gridEnd) }
        if !selfClosing { try parseChildren(of: .grid) }
    }

    private mutating func parseCluster(selfClosing: Bool) throws(XMLError) {
        let name = try requiredName(ClusterName.self, element: .cluster)
        let cluster = Cluster(
            name: name,
            localtime: try optionalInteger(.localtime, element: .cluster) ?? 0,
            owner: optionalString(.owner, default: "unspecified"),
            latlong: optionalString(.latlong, default: "unspecified"),
            url: optionalString(.url, default: "unspecified"))
        emit(.clusterStart(cluster))
        defer { emit(.clusterEnd) }
        if !selfClosing { try parseChildren(of: .cluster) }
    }
}
