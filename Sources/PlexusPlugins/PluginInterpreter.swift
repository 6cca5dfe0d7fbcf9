import PlexusCollectors
import PlexusCore

/// One metric a plugin's run made: what the agent announces for it, and its value this run
/// (nil when there is none: Munin's `U`, a counter's first reading or reset, NaN).
public struct PluginMetric: Sendable, Equatable {
    public var definition: MetricDefinition
    public var title: String
    public var value: MetricValue?

    public init(definition: MetricDefinition, title: String, value: MetricValue?) {
        self.definition = definition
        self.title = title
        self.value = value
    }
}

/// What the agent made of one run.
public struct PluginReading: Sendable, Equatable {
    public var metrics: [PluginMetric] = []
    /// Lines and series refused, with why (the parsers' problems, names that can't be metric names).
    public var problems: [String] = []
    /// Series left out past `max_metrics`.
    public var dropped = 0

    public init() {}
}

/// Turns a plugin's parsed output into metrics (`docs/plugins.md`), keeping what rates need
/// between runs: no I/O, no clock (`now` is the caller's monotonic seconds).
///
/// Counters become rates per second, as Munin graphs them: DERIVE and a Prometheus `counter`
/// (and a histogram's or summary's series) as the difference over the seconds between runs, a
/// decrease being a reset (no value); COUNTER the same but wrapping at 2^32 or 2^64 as rrdtool
/// does; ABSOLUTE as the count over the seconds since the last run. A Munin field's `min` and
/// `max` bound what is kept, as in Munin's archives. At most `maxMetrics` series a run: those
/// of the previous run first, then new ones in output order; the rest are counted as dropped.
public struct PluginInterpreter: Sendable {
    public struct Settings: Sendable, Equatable {
        /// The plugin's name: a Munin field's metric is `NAME.FIELD`, the default GROUP of a command's.
        public var plugin: String
        public var maxMetrics: Int
        /// GROUP for every metric (the plugin's `group` key), else the plugin's own.
        public var group: String?
        public var tmax: UInt32
        public var dmax: UInt32

        public init(plugin: String, maxMetrics: Int = 500, group: String? = nil, tmax: UInt32 = 60, dmax: UInt32 = 0) {
            self.plugin = plugin
            self.maxMetrics = maxMetrics
            self.group = group
            self.tmax = tmax
            self.dmax = dmax
        }
    }

    /// How a series' value becomes the metric's.
    enum Kind {
        case gauge, derive, counter, absolute
    }

    public let settings: Settings
    /// Each counter's last reading and when.
    private var previous: [String: (value: Double, at: Double)] = [:]
    /// The metrics of the last run (kept first when the output exceeds `maxMetrics`).
    private var admitted: Set<String> = []

    /// Printed with every double a plugin makes: as many digits as the value has, up to 15.
    public static let format = "%.15g"

    public init(_ settings: Settings) {
        self.settings = settings
    }

    /// A series, before admission.
    struct Series {
        var name: MetricName
        var kind: Kind
        var raw: Double?
        var bounds: (min: Double?, max: Double?) = (nil, nil)
        var definition: MetricDefinition
        var title: String
        /// A gmetric line's own typed value.
        var typed: MetricValue?
    }

    /// Munin: the fields `config` described, with the values of the last run.
    public mutating func munin(config: MuninText.Config, values: MuninText.Values, now: Double) -> PluginReading {
        var reading = PluginReading()
        reading.problems = config.problems.map { "config \($0)" } + values.problems.map(\.description)
        var series: [Series] = []
        for value in values.values {
            let graph = config.graphs.first { $0.multigraph == value.multigraph }
            let field = graph?.fields.first { $0.name == value.field } ?? MuninText.Field(name: value.field)
            guard let name = PluginNames.metricName(plugin: settings.plugin, multigraph: value.multigraph, field: value.field) else {
                reading.problems.append("field \(value.field.debugDescription) can't be a metric name")
                continue
            }
            let kind: Kind =
                switch field.type {
                case .gauge: .gauge
                case .derive: .derive
                case .counter: .counter
                case .absolute: .absolute
                }
            let units = (graph?.vlabel ?? "").replacing("${graph_period}", with: "second")
            let label = field.label ?? field.name
            let title = graph?.title.map { "\($0): \(label)" } ?? label
            let definition = metric(
                name, units: units, group: graph?.category ?? "other", description: field.info ?? graph?.info ?? label)
            series.append(Series(name: name, kind: kind, raw: value.value, bounds: (field.min, field.max), definition: definition, title: title))
        }
        finish(series, now: now, into: &reading)
        return reading
    }

    /// Prometheus text: a series per sample; counters (and histograms' and summaries'
    /// series) as rates.
    public mutating func prometheus(_ parsed: PrometheusText.Parsed, now: Double) -> PluginReading {
        var reading = PluginReading()
        reading.problems = parsed.problems.map(\.description)
        reading.dropped = parsed.dropped
        var series: [Series] = []
        for sample in parsed.samples {
            guard let name = PluginNames.metricName(sample) else {
                reading.problems.append("\(sample.name)\(PluginNames.labelText(sample.labels)) makes a name too long for a metric")
                continue
            }
            let counter = sample.type == .counter || sample.type == .histogram || sample.type == .summary
            let unit = Self.prometheusUnit(sample.name)
            let units = counter ? (unit.isEmpty ? "/s" : "\(unit)/s") : unit
            let definition = metric(name, units: units, group: settings.plugin, description: sample.help ?? "")
            series.append(
                Series(
                    name: name, kind: counter ? .derive : .gauge, raw: sample.value, definition: definition,
                    title: sample.name + PluginNames.labelText(sample.labels)))
        }
        finish(series, now: now, into: &reading)
        return reading
    }

    /// gmetric lines: each metric as its line declares it, no rates.
    public mutating func gmetric(_ parsed: GmetricLines.Parsed, now: Double) -> PluginReading {
        var reading = PluginReading()
        reading.problems = parsed.problems.map(\.description)
        var series: [Series] = []
        for line in parsed.lines {
            guard let (value, format) = Self.typed(line.value, line.type) else {
                reading.problems.append("\(line.name): \(line.value.debugDescription) is not a valid \(line.type.rawValue)")
                continue
            }
            var definition = metric(line.name, units: line.units, group: settings.plugin, description: "")
            definition.type = line.type
            definition.format = format
            series.append(Series(name: line.name, kind: .gauge, raw: nil, definition: definition, title: line.name.rawValue, typed: value))
        }
        finish(series, now: now, into: &reading)
        return reading
    }

    /// A gmond Python module's collection: each descriptor `metric_init` returned, with the
    /// value its call_back gave (`replies`: the host's `V` and `X` lines). Values are kept as
    /// the descriptor types them, and its slope as written: a `positive` one is sent raw, as
    /// gmond sends it, and archived as a counter.
    public mutating func module(descriptors: [ModuleProtocol.Descriptor], replies: [ModuleProtocol.Message], now: Double) -> PluginReading {
        var reading = PluginReading()
        var values: [String: String] = [:]
        for reply in replies {
            switch reply {
            case .value(let name, let value): values[name] = value
            case .callbackFailed(let name, let error): reading.problems.append("\(name): call_back raised \(error)")
            case .moduleFailed(let message): reading.problems.append(message)
            case .descriptor, .end: break
            }
        }
        var series: [Series] = []
        for descriptor in descriptors {
            switch ModuleProtocol.definition(descriptor, dmax: settings.dmax, group: settings.group) {
            case .failure(let error): reading.problems.append(error.description)
            case .success(let definition):
                guard let name = MetricName(validating: definition.name) else { continue }
                var typed: MetricValue?
                if let text = values[definition.name] {
                    typed = ModuleProtocol.value(text, as: definition.type)
                    if typed == nil { reading.problems.append("\(definition.name): \(text.debugDescription) is not a \(definition.type.rawValue)") }
                }
                let title = descriptor.title.isEmpty ? definition.name : descriptor.title
                series.append(Series(name: name, kind: .gauge, raw: nil, definition: definition, title: title, typed: typed))
            }
        }
        finish(series, now: now, into: &reading)
        return reading
    }

    // MARK: - Shared steps

    private func metric(_ name: MetricName, units: String, group: String, description: String) -> MetricDefinition {
        var definition = MetricDefinition(
            name.rawValue, .double, units: units, slope: .both, tmax: settings.tmax, format: Self.format,
            group: settings.group ?? group, description: description)
        definition.dmax = settings.dmax
        return definition
    }

    /// Admits at most `maxMetrics` series (last run's first), turns raw readings into values
    /// and remembers the counters for the next run.
    private mutating func finish(_ series: [Series], now: Double, into reading: inout PluginReading) {
        var seen: Set<String> = []
        var unique: [Series] = []
        for s in series {
            guard seen.insert(s.name.rawValue).inserted else {
                reading.problems.append("\(s.title) has the same metric name as an earlier series, \(s.name)")
                continue
            }
            unique.append(s)
        }
        var room = settings.maxMetrics - unique.filter { admitted.contains($0.name.rawValue) }.count
        var kept: Set<String> = []
        var nextPrevious: [String: (value: Double, at: Double)] = [:]
        for s in unique {
            let name = s.name.rawValue
            if !admitted.contains(name) {
                guard room > 0 else {
                    reading.dropped += 1
                    continue
                }
                room -= 1
            }
            kept.insert(name)
            var value = s.typed
            if s.typed == nil, let raw = s.raw, raw.isFinite {
                let rate = Self.value(of: s.kind, raw: raw, previous: previous[name], now: now)
                if s.kind != .gauge { nextPrevious[name] = (raw, now) }
                if let rate, s.bounds.min.map { rate >= $0 } ?? true, s.bounds.max.map { rate <= $0 } ?? true {
                    value = .double(rate)
                }
            }
            reading.metrics.append(PluginMetric(definition: s.definition, title: s.title, value: value))
        }
        admitted = kept
        previous = nextPrevious
    }

    /// A reading's value: itself for a gauge, else a rate per second from the previous reading.
    static func value(of kind: Kind, raw: Double, previous: (value: Double, at: Double)?, now: Double) -> Double? {
        if kind == .gauge { return raw }
        guard let previous, now > previous.at else { return nil }
        let seconds = now - previous.at
        switch kind {
        case .gauge: return raw
        case .absolute: return raw / seconds
        case .derive: return raw >= previous.value ? (raw - previous.value) / seconds : nil
        case .counter:
            guard raw < previous.value else { return (raw - previous.value) / seconds }
            // rrdtool's COUNTER: a wrap at 2^32, or at 2^64 when the old value was past 2^32.
            let modulus = previous.value < 4_294_967_296 ? 4_294_967_296.0 : 18_446_744_073_709_551_616.0
            return (modulus - previous.value + raw) / seconds
        }
    }

    /// The base unit a Prometheus name ends with (`_bytes`, `_seconds`, ...), before `_total`.
    static func prometheusUnit(_ name: String) -> String {
        var words = name.split(separator: "_")
        if words.last == "total" || words.last == "count" || words.last == "sum" || words.last == "bucket" { words.removeLast() }
        guard let last = words.last else { return "" }
        // Prometheus's base units (and the two common others): a count has none.
        let units: Set<Substring> = ["bytes", "seconds", "joules", "celsius", "volts", "amperes", "meters", "grams", "ratio", "hertz", "watts"]
        return units.contains(last) ? String(last) : ""
    }

    /// A gmetric line's value as its type's wire value, with its printf format.
    static func typed(_ text: String, _ type: MetricType) -> (MetricValue, String)? {
        let t = text.trimmingASCIIWhitespace()
        switch type {
        case .string: return (.string(text), "%s")
        case .int8: return Int8(t).map { (.short(Int16($0)), "%hd") }
        case .int16: return Int16(t).map { (.short($0), "%hd") }
        case .uint8: return UInt8(t).map { (.ushort(UInt16($0)), "%hu") }
        case .uint16: return UInt16(t).map { (.ushort($0), "%hu") }
        case .int32: return Int32(t).map { (.int($0), "%d") }
        case .uint32, .timestamp: return UInt32(t).map { (.uint($0), "%u") }
        case .float: return Float(t).flatMap { $0.isFinite ? (.float($0), "%f") : nil }
        case .double: return Double(t).flatMap { $0.isFinite ? (.double($0), Self.format) : nil }
        }
    }
}
