import PlexusCore

/// The series of one graph: DEF/CDEF/VDEF definitions and the drawing commands, per report.
/// Summaries (cluster, grid) hold sums over hosts with `num` beside them: CPU percentages are
/// divided by `num` (as ganglia-web does), the load report shows the host count.
struct GraphPlan {
    let layout: RRDLayout
    let location: RRDLayout.Location
    let exists: (String) -> Bool
    /// The file names in the location's directory (for reports whose series aren't fixed: probes).
    let listing: () -> [String]
    var options: [String] = []
    /// DEF and CDEF: what both a graph and an export (`rrd_xport`) compute.
    var definitions: [String] = []
    /// VDEF: the statistics printed in a graph's legend.
    var statistics: [String] = []
    /// The series an export lists, as (vname, column name).
    var exports: [(name: String, column: String)] = []
    var drawing: [String] = []
    var paths: [String] = []
    /// Names of the series drawn (a graph with none has nothing to show).
    var series: [String] = []

    init(layout: RRDLayout, location: RRDLayout.Location, exists: @escaping (String) -> Bool, listing: @escaping () -> [String]) {
        self.layout = layout
        self.location = location
        self.exists = exists
        self.listing = listing
    }

    /// A DEF that any CDEF can lean on (event bands need one).
    var anchor: String { series.first ?? "missing" }

    /// Defines `name` from `metric`'s `ds`, if the file is there.
    private mutating func define(_ name: String, _ metric: String, _ ds: String = "sum") -> Bool {
        guard let metricName = MetricName(validating: metric) else { return false }
        let path = layout.path(of: metricName, in: location)
        guard exists(path) else { return false }
        if !paths.contains(path) { paths.append(path) }
        definitions.append(GraphArguments.def(name, path: path, dataSource: ds))
        return true
    }

    private mutating func printStatistics(_ name: String, _ format: String = "%8.2lf%s") {
        for (label, function) in [("Now", "LAST"), ("Min", "MINIMUM"), ("Avg", "AVERAGE"), ("Max", "MAXIMUM")] {
            statistics.append("VDEF:\(name)_\(function.lowercased())=\(name),\(function)")
            drawing.append("GPRINT:\(name)_\(function.lowercased()):\(label)\\:\(format)")
        }
        drawing.append("COMMENT:\\n")
    }

    mutating func metric(_ metric: MetricName) {
        guard define("value", metric.rawValue) else { return }
        series.append("value")
        exports.append(("value", metric.rawValue))
        let legend = GraphArguments.escapeText(metric.rawValue)
        drawing.append("AREA:value#8FB5E2")
        drawing.append("LINE1:value#2E6DB4:\(legend)\\l")
        printStatistics("value")
        if location.isSummary, define("hosts", metric.rawValue, "num") {
            exports.append(("hosts", "hosts"))
            statistics.append("VDEF:hosts_last=hosts,LAST")
            drawing.append("GPRINT:hosts_last:summed over %.0lf hosts\\l")
        }
    }

    mutating func report(_ report: GraphRequest.Report) {
        switch report {
        case .load: load()
        case .cpu: cpu()
        case .mem: mem()
        case .network: network()
        case .probes: probes()
        }
    }

    private mutating func load() {
        options += ["--vertical-label", "Load/Procs", "--lower-limit", "0"]
        if define("load", "load_one") {
            series.append("load")
            exports.append(("load", "load_one"))
            drawing.append("AREA:load#CCCCCC:1-min load")
            printStatistics("load")
        }
        if location.isSummary, define("nodes", "load_one", "num") {
            series.append("nodes")
            exports.append(("nodes", "hosts"))
            drawing.append("LINE2:nodes#00AA00:Nodes\\l")
        }
        if define("cpus", "cpu_num") {
            series.append("cpus")
            exports.append(("cpus", "cpu_num"))
            drawing.append("LINE2:cpus#DD0000:CPUs\\l")
        }
        if define("procs", "proc_run") {
            series.append("procs")
            exports.append(("procs", "proc_run"))
            drawing.append("LINE2:procs#2030F4:Running processes\\l")
        }
    }

    private mutating func cpu() {
        options += ["--vertical-label", "Percent", "--upper-limit", "100", "--lower-limit", "0", "--rigid"]
        let parts: [(metric: String, label: String, color: String)] = [
            ("cpu_user", "User", "#3333BB"), ("cpu_nice", "Nice", "#FFEA00"), ("cpu_system", "System", "#DD0000"),
            ("cpu_wio", "Wait I/O", "#FF8A60"), ("cpu_idle", "Idle", "#E2E2F2"),
        ]
        var first = true
        for part in parts {
            let raw = "\(part.metric)_raw"
            guard define(raw, part.metric) else { continue }
            if location.isSummary, define("\(part.metric)_num", part.metric, "num") {
                definitions.append("CDEF:\(part.metric)=\(raw),\(part.metric)_num,/")
            } else {
                definitions.append("CDEF:\(part.metric)=\(raw)")
            }
            series.append(part.metric)
            exports.append((part.metric, part.metric))
            drawing.append("\(first ? "AREA" : "STACK"):\(part.metric)\(part.color):\(part.label)")
            first = false
        }
        if !first { drawing.append("COMMENT:\\n") }
    }

    private mutating func mem() {
        options += ["--vertical-label", "Bytes", "--base", "1024", "--lower-limit", "0"]
        guard define("total_kb", "mem_total"), define("free_kb", "mem_free") else { return }
        var used = "total_kb,free_kb,-"
        var stacked: [(name: String, label: String, color: String)] = []
        for (metric, label, color) in [("mem_shared", "Shared", "#0000AA"), ("mem_cached", "Cached", "#33CC33"), ("mem_buffers", "Buffered", "#99FF33")] {
            let kb = "\(metric)_kb"
            if define(kb, metric) {
                used += ",\(kb),-"
                definitions.append("CDEF:\(metric)=\(kb),1024,*")
                stacked.append((metric, label, color))
            }
        }
        definitions.append("CDEF:used=\(used),1024,*")
        definitions.append("CDEF:free=free_kb,1024,*")
        definitions.append("CDEF:total=total_kb,1024,*")
        series += ["used", "free"]
        drawing.append("AREA:used#5555CC:Used")
        exports.append(("used", "used_bytes"))
        for part in stacked {
            drawing.append("STACK:\(part.name)\(part.color):\(part.label)")
            exports.append((part.name, "\(part.name.dropFirst(4))_bytes"))
        }
        drawing.append("STACK:free#C8D8C8:Free")
        exports.append(("free", "free_bytes"))
        if define("swap_total_kb", "swap_total"), define("swap_free_kb", "swap_free") {
            definitions.append("CDEF:swapped=swap_total_kb,swap_free_kb,-,1024,*")
            drawing.append("STACK:swapped#9900CC:Swapped")
            exports.append(("swapped", "swapped_bytes"))
        }
        drawing.append("LINE1:total#000000:Total\\l")
        exports.append(("total", "total_bytes"))
    }

    private mutating func network() {
        options += ["--vertical-label", "Bytes/sec", "--base", "1024", "--lower-limit", "0"]
        if define("in", "bytes_in") {
            series.append("in")
            exports.append(("in", "bytes_in"))
            drawing.append("LINE2:in#33A02C:In")
            printStatistics("in")
        }
        if define("out", "bytes_out") {
            series.append("out")
            exports.append(("out", "bytes_out"))
            drawing.append("LINE2:out#1F78B4:Out")
            printStatistics("out")
        }
    }

    /// Response-time probes (`probe_<name>_ms`, from the agent's `[[probe]]`s): one line per
    /// probe (the mean over hosts for summaries), its availability from `probe_<name>_up` in
    /// the legend, and a red tick wherever a probe failed.
    private mutating func probes() {
        options += ["--vertical-label", "ms", "--lower-limit", "0"]
        let names = listing().compactMap { file -> String? in
            guard file.hasPrefix("probe_"), file.hasSuffix("_ms.rrd"), !file.hasSuffix("_ttfb_ms.rrd") else { return nil }
            return String(file.dropFirst(6).dropLast(7))
        }.sorted()
        let palette = ["#1F78B4", "#33A02C", "#E31A1C", "#FF7F00", "#6A3D9A", "#B15928", "#A6CEE3", "#B2DF8A"]
        for (i, probe) in names.prefix(16).enumerated() {
            let ms = "p\(i)"
            guard define("\(ms)_raw", "probe_\(probe)_ms") else { continue }
            let summed = location.isSummary && define("\(ms)_num", "probe_\(probe)_ms", "num")
            definitions.append(summed ? "CDEF:\(ms)=\(ms)_raw,\(ms)_num,/" : "CDEF:\(ms)=\(ms)_raw")
            series.append(ms)
            exports.append((ms, "probe_\(probe)_ms"))
            drawing.append("LINE2:\(ms)\(palette[i % palette.count]):\(GraphArguments.escapeText(probe))")
            statistics.append("VDEF:\(ms)_average=\(ms),AVERAGE")
            statistics.append("VDEF:\(ms)_maximum=\(ms),MAXIMUM")
            drawing.append("GPRINT:\(ms)_average:Avg\\: %6.1lf ms")
            drawing.append("GPRINT:\(ms)_maximum:Max\\: %6.1lf ms")
            if define("\(ms)_up_raw", "probe_\(probe)_up") {
                let upSummed = location.isSummary && define("\(ms)_up_num", "probe_\(probe)_up", "num")
                definitions.append(upSummed ? "CDEF:\(ms)_up=\(ms)_up_raw,\(ms)_up_num,/,100,*" : "CDEF:\(ms)_up=\(ms)_up_raw,100,*")
                definitions.append("CDEF:\(ms)_down=\(ms)_up,100,LT")
                exports.append(("\(ms)_up", "probe_\(probe)_up_percent"))
                statistics.append("VDEF:\(ms)_availability=\(ms)_up,AVERAGE")
                drawing.append("GPRINT:\(ms)_availability:Up\\: %5.1lf%%")
                drawing.append("TICK:\(ms)_down#DD000060:1.0")
            }
            drawing.append("COMMENT:\\n")
        }
    }
}
