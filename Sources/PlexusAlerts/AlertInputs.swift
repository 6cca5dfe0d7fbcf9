import PlexusCore

/// What alert rules look at, at one instant: the grid's hosts with their metrics, the clusters'
/// and the grid's summaries, and whether each data source answers. The aggregator takes it from
/// its state; tests write it by hand.
public struct AlertInputs: Sendable, Equatable {
    public struct Metric: Sendable, Equatable {
        public var name: String
        /// nil for a text metric.
        public var value: Double?
        /// Seconds since the metric was last updated, and its TMAX.
        public var tn: UInt32
        public var tmax: UInt32

        public init(name: String, value: Double?, tn: UInt32 = 0, tmax: UInt32 = 60) {
            self.name = name
            self.value = value
            self.tn = tn
            self.tmax = tmax
        }
    }

    public struct Host: Sendable, Equatable {
        public var cluster: String
        public var name: String
        public var up: Bool
        /// Seconds since the host was last heard.
        public var tn: UInt32
        /// Its metrics: given (tests), or read in place from the held host (the aggregator: a
        /// thousand hosts' thirty metrics are not copied every evaluation).
        public var metrics: [Metric] {
            get {
                if case .given(let metrics) = storage { return metrics }
                var metrics: [Metric] = []
                visitMetrics { name, tn, tmax, value in metrics.append(Metric(name: name, value: value.number, tn: tn, tmax: tmax)) }
                return metrics
            }
            set { storage = .given(newValue) }
        }

        enum Storage: Sendable, Equatable {
            case given([Metric])
            case held([PlexusCore.Metric], age: UInt32)
        }

        var storage: Storage

        public init(cluster: String, name: String, up: Bool = true, tn: UInt32 = 0, metrics: [Metric] = []) {
            self.cluster = cluster
            self.name = name
            self.up = up
            self.tn = tn
            storage = .given(metrics)
        }

        init(cluster: String, name: String, up: Bool, tn: UInt32, held: [PlexusCore.Metric], age: UInt32) {
            self.cluster = cluster
            self.name = name
            self.up = up
            self.tn = tn
            storage = .held(held, age: age)
        }

        /// A metric's value as the evaluator is handed it: a number (given), or the held text,
        /// read only if some rule watches the metric.
        enum Value {
            case number(Double?)
            /// Held metric `index` of the buffer: read in place, nothing retained.
            case held(UnsafeBufferPointer<PlexusCore.Metric>, index: Int)

            var number: Double? {
                switch self {
                case .number(let value): value
                case .held(let metrics, let i): PlexusCore.Metric.number(metrics[i].value, numeric: metrics[i].type.isNumeric)
                }
            }
        }

        /// Each metric's name, TN, TMAX and value, read in place (no metric is copied); held
        /// metrics past their DMAX are left out, the others' TN moved on by the time held.
        func visitMetrics(_ body: (_ name: String, _ tn: UInt32, _ tmax: UInt32, _ value: Value) -> Void) {
            switch storage {
            case .given(let metrics):
                for metric in metrics { body(metric.name, metric.tn, metric.tmax, .number(metric.value)) }
            case .held(let held, let age):
                held.withUnsafeBufferPointer { metrics in
                    for i in metrics.indices {
                        let tn = metrics[i].tn.addingClamped(age)
                        if metrics[i].dmax > 0 && tn > metrics[i].dmax { continue }
                        body(metrics[i].name.rawValue, tn, metrics[i].tmax, .held(metrics, index: i))
                    }
                }
            }
        }

        public static func == (a: Host, b: Host) -> Bool {
            a.cluster == b.cluster && a.name == b.name && a.up == b.up && a.tn == b.tn && a.metrics == b.metrics
        }
    }

    /// A summary (a cluster's or the grid's): per metric, the sum over the up hosts reporting it and their number.
    public struct Summary: Sendable, Equatable {
        public var name: String
        public var metrics: [String: (sum: Double, num: Int)]

        public init(name: String, metrics: [String: (sum: Double, num: Int)]) {
            self.name = name
            self.metrics = metrics
        }

        public static func == (a: Summary, b: Summary) -> Bool {
            a.name == b.name && a.metrics.count == b.metrics.count
                && a.metrics.allSatisfy { key, value in b.metrics[key].map { $0.sum == value.sum && $0.num == value.num } ?? false }
        }
    }

    /// A host's metric as its Holt-Winters forecast sees it: whether the archive's FAILURES flags it.
    public struct Anomaly: Sendable, Equatable {
        public var cluster: String
        public var host: String
        public var metric: String
        public var failing: Bool

        public init(cluster: String, host: String, metric: String, failing: Bool) {
            self.cluster = cluster
            self.host = host
            self.metric = metric
            self.failing = failing
        }
    }

    public var hosts: [Host]
    public var clusters: [Summary]
    /// The series anomaly rules watch, read from the archive (empty without such rules).
    public var anomalies: [Anomaly] = []
    public var grid: Summary?
    /// Each data source by name: whether its last poll (or listening interval) delivered.
    public var sources: [(name: String, alive: Bool)]

    public init(hosts: [Host] = [], clusters: [Summary] = [], grid: Summary? = nil, sources: [(name: String, alive: Bool)] = []) {
        self.hosts = hosts
        self.clusters = clusters
        self.grid = grid
        self.sources = sources
    }

    public static func == (a: AlertInputs, b: AlertInputs) -> Bool {
        a.hosts == b.hosts && a.clusters == b.clusters && a.grid == b.grid && a.anomalies == b.anomalies
            && a.sources.map(\.name) == b.sources.map(\.name) && a.sources.map(\.alive) == b.sources.map(\.alive)
    }
}
