/// Writes Ganglia XML into a caller's buffer, in gmond's or gmetad's exact layout: one element
/// per line, attributes in the order each program prints them, every value escaped.
///
/// Whole documents go through `write(_:into:)`; servers that stream from their state use the
/// element methods between `writeProlog` and `writeEpilog`.
public struct GangliaXMLWriter: Sendable {
    /// Whose layout to follow.
    public var dialect: XMLDialect

    public init(dialect: XMLDialect) {
        self.dialect = dialect
    }

    /// Writes a whole document (its own `source` decides `SOURCE`; `dialect` decides layout).
    public func write(_ document: GangliaDocument, into buffer: inout [UInt8]) {
        writeProlog(version: document.version, source: document.source, into: &buffer)
        for item in document.items {
            switch item {
            case .grid(let grid): write(grid, into: &buffer)
            case .cluster(let cluster): write(cluster, into: &buffer)
            case .host(let host): write(host, into: &buffer)
            }
        }
        writeEpilog(into: &buffer)
    }

    /// The XML declaration, the DTD and `<GANGLIA_XML ...>`.
    public func writeProlog(version: String = GangliaDocument.defaultVersion, source: XMLDialect, into buffer: inout [UInt8]) {
        buffer.append(contentsOf: GangliaDTD.prolog)
        buffer.open("GANGLIA_XML")
        buffer.attribute("VERSION", version)
        buffer.attribute("SOURCE", source.rawValue)
        buffer.endStartTag()
    }

    /// `</GANGLIA_XML>`.
    public func writeEpilog(into buffer: inout [UInt8]) {
        buffer.close("GANGLIA_XML")
    }

    public func write(_ grid: Grid, into buffer: inout [UInt8]) {
        writeStart(of: grid, into: &buffer)
        if let summary = grid.summary { write(summary, into: &buffer) }
        for child in grid.children {
            switch child {
            case .cluster(let cluster): write(cluster, into: &buffer)
            case .grid(let inner): write(inner, into: &buffer)
            }
        }
        buffer.close("GRID")
    }

    /// `<GRID ...>` alone; close with `writeEnd(of: .grid, ...)`.
    public func writeStart(of grid: Grid, into buffer: inout [UInt8]) {
        buffer.open("GRID")
        buffer.attribute("NAME", grid.name.rawValue)
        buffer.attribute("AUTHORITY", grid.authority)
        if let localtime = grid.localtime { buffer.attribute("LOCALTIME", localtime) }
        buffer.endStartTag()
    }

    public func write(_ cluster: Cluster, into buffer: inout [UInt8]) {
        writeStart(of: cluster, into: &buffer)
        if let summary = cluster.summary { write(summary, into: &buffer) }
        for host in cluster.hosts { write(host, into: &buffer) }
        buffer.close("CLUSTER")
    }

    /// `<CLUSTER ...>` alone; close with `writeEnd(of: .cluster, ...)`.
    public func writeStart(of cluster: Cluster, into buffer: inout [UInt8]) {
        buffer.open("CLUSTER")
        buffer.attribute("NAME", cluster.name.rawValue)
        buffer.attribute("LOCALTIME", cluster.localtime)
        buffer.attribute("OWNER", cluster.owner)
        buffer.attribute("LATLONG", cluster.latlong)
        buffer.attribute("URL", cluster.url)
        buffer.endStartTag()
    }

    /// Elements opened by a `writeStart` method.
    public enum Container: String, Sendable { case grid = "GRID", cluster = "CLUSTER", host = "HOST" }

    public func writeEnd(of container: Container, into buffer: inout [UInt8]) {
        buffer.close(container.rawValue)
    }

    public func write(_ host: Host, into buffer: inout [UInt8]) {
        write(host, age: 0, omitExpired: false, into: &buffer)
    }

    /// Writes a host held since `age` seconds ago, as gmetad serves it: every TN grows by `age`
    /// and metrics whose DMAX has passed are left out.
    public func write(_ host: Host, age: UInt32, into buffer: inout [UInt8]) {
        write(host, age: age, omitExpired: true, into: &buffer)
    }

    private func write(_ host: Host, age: UInt32, omitExpired: Bool, into buffer: inout [UInt8]) {
        writeStart(of: host, age: age, into: &buffer)
        for metric in host.metrics {
            let tn = metric.tn.addingClamped(age)
            if omitExpired, metric.dmax > 0, tn > metric.dmax { continue }
            write(metric, tn: tn, into: &buffer)
        }
        buffer.close("HOST")
    }

    /// `<HOST ...>` alone (TN grown by `age`); close with `writeEnd(of: .host, ...)`.
    public func writeStart(of host: Host, age: UInt32 = 0, into buffer: inout [UInt8]) {
        buffer.open("HOST")
        buffer.attribute("NAME", host.name.rawValue)
        buffer.attribute("IP", host.ip)
        if dialect == .gmond { buffer.attribute("TAGS", host.tags) }
        buffer.attribute("REPORTED", host.reported)
        buffer.attribute("TN", Int64(host.tn.addingClamped(age)))
        buffer.attribute("TMAX", Int64(host.tmax))
        buffer.attribute("DMAX", Int64(host.dmax))
        buffer.attribute("LOCATION", host.location)
        buffer.attribute("GMOND_STARTED", host.gmondStarted)
        if dialect == .gmetad { buffer.attribute("TAGS", host.tags) }
        buffer.endStartTag()
    }

    public func write(_ metric: Metric, into buffer: inout [UInt8]) {
        write(metric, tn: metric.tn, into: &buffer)
    }

    /// A metric with its TN as given (a held metric's TN grows while it is held).
    public func write(_ metric: Metric, tn: UInt32, into buffer: inout [UInt8]) {
        buffer.open("METRIC")
        buffer.attribute("NAME", metric.name.rawValue)
        buffer.attribute("VAL", metric.value)
        buffer.attribute("TYPE", metric.type.rawValue)
        buffer.attribute("UNITS", metric.units)
        buffer.attribute("TN", Int64(tn))
        buffer.attribute("TMAX", Int64(metric.tmax))
        buffer.attribute("DMAX", Int64(metric.dmax))
        buffer.attribute("SLOPE", metric.slope.name)
        if dialect == .gmetad { buffer.attribute("SOURCE", "gmond") }
        buffer.endStartTag()
        writeExtraData(metric.extraData, into: &buffer)
        buffer.close("METRIC")
    }

    public func write(_ summary: Summary, into buffer: inout [UInt8]) {
        buffer.open("HOSTS")
        buffer.attribute("UP", Int64(summary.hosts.up))
        buffer.attribute("DOWN", Int64(summary.hosts.down))
        buffer.attribute("SOURCE", summary.hosts.source)
        buffer.append(contentsOf: "/>\n".utf8)
        for metric in summary.metrics { write(metric, into: &buffer) }
    }

    public func write(_ metric: MetricSummary, into buffer: inout [UInt8]) {
        buffer.open("METRICS")
        buffer.attribute("NAME", metric.name.rawValue)
        buffer.attribute("SUM", ValueFormat.cFormat("%.\(min(max(metric.precision, 0), ValueFormat.maxPrecision))f", metric.sum))
        buffer.attribute("NUM", Int64(metric.num))
        buffer.attribute("TYPE", metric.type.rawValue)
        buffer.attribute("UNITS", metric.units)
        buffer.attribute("SLOPE", metric.slope.name)
        buffer.attribute("SOURCE", metric.source)
        buffer.endStartTag()
        writeExtraData(metric.extraData, into: &buffer)
        buffer.close("METRICS")
    }

    private func writeExtraData(_ extra: [ExtraElement], into buffer: inout [UInt8]) {
        buffer.append(contentsOf: "<EXTRA_DATA>\n".utf8)
        for element in extra {
            buffer.open("EXTRA_ELEMENT")
            buffer.attribute("NAME", element.name)
            buffer.attribute("VAL", element.value)
            buffer.append(contentsOf: "/>\n".utf8)
        }
        buffer.append(contentsOf: "</EXTRA_DATA>\n".utf8)
    }
}

extension [UInt8] {
    fileprivate mutating func open(_ element: StaticString) {
        append(UInt8(ascii: "<"))
        append(element)
    }

    fileprivate mutating func close(_ element: StaticString) {
        append(contentsOf: "</".utf8)
        append(element)
        append(contentsOf: ">\n".utf8)
    }

    fileprivate mutating func close(_ element: String) {
        append(contentsOf: "</".utf8)
        append(contentsOf: element.utf8)
        append(contentsOf: ">\n".utf8)
    }

    fileprivate mutating func endStartTag() {
        append(contentsOf: ">\n".utf8)
    }

    fileprivate mutating func attribute(_ name: StaticString, _ value: String) {
        append(UInt8(ascii: " "))
        append(name)
        append(contentsOf: "=\"".utf8)
        XMLEscaping.append(value, to: &self)
        append(UInt8(ascii: "\""))
    }

    fileprivate mutating func attribute(_ name: StaticString, _ value: Int64) {
        append(UInt8(ascii: " "))
        append(name)
        append(contentsOf: "=\"".utf8)
        appendDecimal(value)
        append(UInt8(ascii: "\""))
    }

    fileprivate mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { append(contentsOf: $0) }
    }
}

extension UInt32 {
    /// `self + other`, stopping at `UInt32.max`.
    public func addingClamped(_ other: UInt32) -> UInt32 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }
}
