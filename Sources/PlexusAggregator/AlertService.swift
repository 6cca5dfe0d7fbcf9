import Foundation
import Logging
import PlexusAlerts
import PlexusArchive
import PlexusCore
import PlexusTransport
import ServiceLifecycle
import Synchronization

/// The alert rules run by the aggregator (`docs/alerts.md`): every `evaluation_interval` the
/// rules see what the grid holds (`AlertInputs`), the alerts pending and firing are saved when
/// they change (`AlertStateFile`), each change is recorded as an event and handed to the
/// destinations, which deliver on their own tasks (`AlertDestinations`): a slow or dead
/// Alertmanager, webhook or command never holds up an evaluation, a poll or a page.
final class AlertService: Service, Sendable {
    let store: GridStore
    let rules: [AlertRule]
    let interval: Duration
    let stateFile: AlertStateFile
    let events: EventJournalReader?
    let board: AlertBoard
    let destinations: AlertDestinations
    let log: ThrottledLog
    /// Reads the FAILURES of the series anomaly rules watch; nil without such rules.
    let forecasts: ArchiveReader?
    let watching: AnomalyWatch
    private let restored: [ActiveAlert]

    /// `restored`: the alerts the state file held (loaded by `Aggregator.make`, where a damaged
    /// file stops the start with its name).
    init(
        store: GridStore, rules: [AlertRule], interval: Duration, stateFile: AlertStateFile, restored: [ActiveAlert],
        events: EventJournalReader?, board: AlertBoard, destinations: AlertDestinations, log: ThrottledLog, forecasts: ArchiveReader? = nil
    ) {
        self.forecasts = forecasts
        watching = AnomalyWatch(rules)
        self.store = store
        self.rules = rules
        self.interval = interval
        self.stateFile = stateFile
        self.restored = restored
        self.events = events
        self.board = board
        self.destinations = destinations
        self.log = log
    }

    func run() async throws {
        board.update(active: AlertStateFile.sorted(restored), evaluatedAt: nil)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.destinations.run() }
            try? await cancelWhenGracefulShutdown { try await self.evaluate() }
            group.cancelAll()
            destinations.finish()
        }
        // What fires and what is left to deliver, for the next start.
        _ = save(board.snapshot.active, destinations.undelivered)
    }

    /// Every interval: evaluate, save what changed, announce and hand on the changes.
    private func evaluate() async throws {
        try await firstResults()
        var evaluator = AlertEvaluator(rules: rules, restoring: restored)
        var saved = (alerts: AlertStateFile.sorted(restored), undelivered: destinations.undelivered)
        let gridRules = rules.contains { $0.scope == .grid }
        while true {
            let now = store.clock()
            var inputs = AlertInputs(store.grid, now: now, gridSummary: gridRules)
            inputs.anomalies = await anomalies(inputs, now: now)
            let changes = evaluator.evaluate(inputs, now: now)
            let active = AlertStateFile.sorted(evaluator.alerts)
            board.update(active: active, evaluatedAt: now)
            for change in changes { announce(change) }
            destinations.note(changes, firing: active.filter { $0.state == .firing }, now: now)
            let undelivered = destinations.undelivered
            if active != saved.alerts || undelivered != saved.undelivered, save(active, undelivered) { saved = (active, undelivered) }
            try await Task.sleep(for: interval)
        }
    }

    /// Waits, before the first evaluation, for every polled source's first answer or failure
    /// (and a step for listened ones), at most two of the longest steps: on a grid not yet
    /// filled, every alert restored after a restart would look resolved, and fire again a poll
    /// later.
    private func firstResults() async throws {
        let steps = store.configuration.dataSources.map { Int64($0.step) }
        let started = store.clock()
        let deadline = started + 2 * (steps.max() ?? 15)
        let listening = store.statistics.sources.contains { $0.kind == .listen }
        while store.clock() < deadline {
            let polled = store.statistics.sources.allSatisfy { $0.kind == .listen || $0.pollsOK + $0.pollsFailed > 0 }
            if polled, !listening || store.clock() - started >= (steps.max() ?? 15) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Each watched series of an up host (`kind = "anomaly"`): whether its archive's FAILURES
    /// flags its latest value (read through rrdcached's FLUSH when it is used). A series without
    /// a file or a forecast yet is left out.
    private func anomalies(_ inputs: AlertInputs, now: Int64) async -> [AlertInputs.Anomaly] {
        guard let forecasts else { return [] }
        let step = Int64(store.configuration.dataSources.map(\.step).max() ?? 15)
        var found: [AlertInputs.Anomaly] = []
        for host in inputs.hosts where host.up {
            for metric in host.metrics where metric.value != nil {
                guard let rule = watching.rule(cluster: host.cluster, host: host.name, metric: metric.name),
                    let key = try? ArchiveKey(cluster: host.cluster, host: host.name, metric: metric.name),
                    let path = try? forecasts.store.path(of: key), FileManager.default.fileExists(atPath: path)
                else { continue }
                do {
                    let series = try await forecasts.fetch(
                        key, start: now - step * Int64(rule.holtWinters.window + 2), end: now, consolidation: "FAILURES")
                    guard let last = series.rows.last(where: { !($0.first?.isNaN ?? true) })?.first else { continue }
                    found.append(.init(cluster: host.cluster, host: host.name, metric: metric.name, failing: last >= 1))
                } catch {
                    log.log(.warning, "cannot read a Holt-Winters forecast", detail: "\(key): \(error)")
                }
            }
        }
        return found
    }

    private func save(_ active: [ActiveAlert], _ undelivered: UndeliveredChanges) -> Bool {
        do {
            try stateFile.save(active, undelivered: undelivered)
            return true
        } catch {
            log.log(.error, "cannot save the alerts' state", detail: error.description)
            return false
        }
    }

    /// The change in the log, and as an event on the graphs it concerns.
    private func announce(_ change: AlertChange) {
        let alert = change.alert
        store.logger.log(
            level: change.kind == .firing ? .warning : .notice, "alert \(change.kind.rawValue)",
            metadata: [
                "alertname": "\(alert.name)", "labels": "\(alert.labels.filter { $0.key != "alertname" }.sorted { $0.key < $1.key })",
                "value": "\(alert.value)",
            ])
        guard let events else { return }
        do {
            _ = try events.add { id in AlertEvents.event(for: change, id: id, created: change.at) }
        } catch {
            log.log(.error, "cannot record an alert as an event", detail: error.description)
        }
    }
}

/// What the dashboard, `/api/v1/alerts`, `/status` and `/metrics` are shown of the alerts: the
/// latest evaluation's pending and firing alerts, and the destinations' counters.
public final class AlertBoard: Sendable {
    public struct Snapshot: Sendable {
        public var active: [ActiveAlert] = []
        public var evaluatedAt: Int64?
        public var evaluations = 0
        public var rules = 0
    }

    private let state: Mutex<Snapshot>

    init(rules: Int) {
        state = Mutex(Snapshot(rules: rules))
    }

    public var snapshot: Snapshot { state.withLock { $0 } }

    func update(active: [ActiveAlert], evaluatedAt: Int64?) {
        state.withLock {
            $0.active = active
            if let evaluatedAt {
                $0.evaluatedAt = evaluatedAt
                $0.evaluations += 1
            }
        }
    }
}

/// An alert's change as an event (`docs/alerts.md`): a firing is a moment, tagged `alert` and
/// `firing`; a resolve spans the time the alert fired, tagged `alert` and `resolved`, so a graph
/// shades it. The event applies to the alert's cluster and host (names, taken literally).
enum AlertEvents {
    static func event(for change: AlertChange, id: Int, created: Int64) -> Event {
        let alert = change.alert
        let summary = AlertMessages.annotations(alert)["summary"] ?? alert.name
        var text = "\(alert.name) \(change.kind.rawValue): \(summary)"
        text = String(text.unicodeScalars.filter { $0.properties.generalCategory != .control }.map(Character.init))
        if text.count > Event.maxTextLength { text = String(text.prefix(Event.maxTextLength - 1)) + "…" }
        let start = change.kind == .firing ? change.at : (alert.firingSince ?? alert.activeSince)
        return Event(
            id: id, start: start, end: change.kind == .resolved ? change.at : nil, text: text, tags: ["alert", change.kind.rawValue],
            cluster: alert.labels["cluster"].map(literal), host: alert.labels["host"].map(literal), created: created)
    }

    /// A name as a pattern that matches only itself (`*`, `?`, `[` in brackets).
    static func literal(_ name: String) -> String {
        name.map { "*?[".contains($0) ? "[\($0)]" : String($0) }.joined()
    }
}
