import Foundation
import PlexusAlerts
import PlexusStatus
import PlexusTransport
import Synchronization

/// Where alert changes go (`[alerting]`): Alertmanager (the whole picture, re-sent while
/// firing: `AlertmanagerSync`), the webhook and the command (each change in order:
/// `DeliveryQueue`). Each destination delivers on its own task, woken after every evaluation and
/// after a failure's back-off, so none waits for another and the evaluation waits for none.
final class AlertDestinations: Sendable {
    struct Settings: Sendable {
        var alertmanager: String?
        var webhook: String?
        var command: String?
        var timeout: Int
        var resendInterval: Int64
        /// How long Alertmanager keeps a firing alert it is no longer sent (4 × the longer of
        /// the resend and evaluation intervals, as Prometheus does).
        var validFor: Int64
        var origin: AlertMessages.Origin
    }

    enum Name: String, CaseIterable, Sendable {
        case alertmanager, webhook, command
    }

    private struct State {
        var alertmanager: AlertmanagerSync?
        var firing: [ActiveAlert] = []
        var webhook: DeliveryQueue<AlertChange>?
        var command: DeliveryQueue<AlertChange>?
        var lastError: [Name: String] = [:]
    }

    let settings: Settings
    let transport: AlertTransport
    let clock: @Sendable () -> Int64
    let log: ThrottledLog
    private let state: Mutex<State>
    private let wakes: [(name: Name, stream: AsyncStream<Void>, continuation: AsyncStream<Void>.Continuation)]

    init(settings: Settings, undelivered: UndeliveredChanges, transport: AlertTransport, clock: @escaping @Sendable () -> Int64, log: ThrottledLog) {
        self.settings = settings
        self.transport = transport
        self.clock = clock
        self.log = log
        var state = State()
        if settings.alertmanager != nil {
            state.alertmanager = AlertmanagerSync(resendInterval: settings.resendInterval, resolved: undelivered.alertmanager)
        }
        if settings.webhook != nil { state.webhook = DeliveryQueue(items: undelivered.webhook) }
        if settings.command != nil { state.command = DeliveryQueue(items: undelivered.command) }
        self.state = Mutex(state)
        let configured: [Name] = Name.allCases.filter {
            switch $0 {
            case .alertmanager: settings.alertmanager != nil
            case .webhook: settings.webhook != nil
            case .command: settings.command != nil
            }
        }
        wakes = configured.map { name in
            let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
            return (name, stream, continuation)
        }
    }

    /// After an evaluation: its changes, and the alerts firing now (what Alertmanager is sent).
    func note(_ changes: [AlertChange], firing: [ActiveAlert], now: Int64) {
        state.withLock { state in
            state.firing = firing
            state.alertmanager?.note(changes)
            for change in changes {
                state.webhook?.append(change)
                state.command?.append(change)
            }
        }
        for wake in wakes { wake.continuation.yield() }
    }

    /// What is still to deliver, for the state file.
    var undelivered: UndeliveredChanges {
        state.withLock { state in
            UndeliveredChanges(
                alertmanager: state.alertmanager?.resolved ?? [], webhook: state.webhook?.items ?? [], command: state.command?.items ?? [])
        }
    }

    /// Delivers until `finish` (or cancellation).
    func run() async {
        await withTaskGroup(of: Void.self) { group in
            for wake in wakes {
                group.addTask {
                    for await _ in wake.stream {
                        guard await self.deliver(wake.name) else { return }
                    }
                }
            }
        }
    }

    func finish() {
        for wake in wakes { wake.continuation.finish() }
    }

    /// Delivers what is due to `name`, waiting out back-offs while something is left; false
    /// once cancelled.
    private func deliver(_ name: Name) async -> Bool {
        while !Task.isCancelled {
            let now = clock()
            switch next(name, now: now) {
            case .nothing: return true
            case .wait(let seconds):
                do { try await Task.sleep(for: .seconds(seconds)) } catch { return false }
            case .send(let body, let resolvedCount, let change):
                let problem = await send(name, body, change)
                let after = clock()
                state.withLock { state in
                    if let problem { state.lastError[name] = problem }
                    switch name {
                    case .alertmanager:
                        if problem == nil {
                            state.alertmanager?.delivered(resolvedSent: resolvedCount, now: after)
                        } else {
                            state.alertmanager?.failed(now: after)
                        }
                    case .webhook: if problem == nil { state.webhook?.delivered() } else { state.webhook?.failed(now: after) }
                    case .command: if problem == nil { state.command?.delivered() } else { state.command?.failed(now: after) }
                    }
                }
                if let problem { log.log(.error, "cannot deliver alerts to the \(name.rawValue)", detail: problem) }
            }
        }
        return false
    }

    private enum Next {
        case nothing
        case wait(Int64)
        case send([UInt8], resolvedCount: Int, change: AlertChange?)
    }

    private func next(_ name: Name, now: Int64) -> Next {
        state.withLock { state in
            switch name {
            case .alertmanager:
                guard let sync = state.alertmanager else { return .nothing }
                guard sync.due(now: now) else { return sync.retryAt > now ? .wait(sync.retryAt - now) : .nothing }
                let body = AlertMessages.alertmanager(
                    firing: state.firing, resolved: sync.resolved, validUntil: now + settings.validFor, origin: settings.origin)
                return .send(body, resolvedCount: sync.resolved.count, change: nil)
            case .webhook, .command:
                guard let queue = name == .webhook ? state.webhook : state.command, let first = queue.items.first else { return .nothing }
                guard queue.due(now: now) != nil else { return .wait(max(1, queue.retryAt - now)) }
                return .send(AlertMessages.webhook(first, origin: settings.origin), resolvedCount: 0, change: first)
            }
        }
    }

    private func send(_ name: Name, _ body: [UInt8], _ change: AlertChange?) async -> String? {
        switch name {
        case .alertmanager:
            return await transport.post(settings.alertmanager! + "/api/v2/alerts", body, settings.timeout)
        case .webhook:
            return await transport.post(settings.webhook!, body, settings.timeout)
        case .command:
            var environment: [String: String] = [:]
            if let change {
                environment["PLEXUS_ALERT_STATUS"] = change.kind.rawValue
                environment["PLEXUS_ALERT_NAME"] = change.alert.name
                for (label, value) in change.alert.labels where ["cluster", "host", "metric", "severity", "source"].contains(label) {
                    environment["PLEXUS_ALERT_\(label.uppercased())"] = value
                }
            }
            return await transport.run(settings.command!, body, environment, settings.timeout)
        }
    }

    /// `/status`'s view: per destination, what was sent, failed and dropped, and what waits.
    var statistics: [AggregatorStatus.Alerts.Destination] {
        state.withLock { state in
            var out: [AggregatorStatus.Alerts.Destination] = []
            if let sync = state.alertmanager {
                out.append(.init(name: Name.alertmanager.rawValue, sync.counters, queued: sync.resolved.count, lastError: state.lastError[.alertmanager]))
            }
            if let queue = state.webhook {
                out.append(.init(name: Name.webhook.rawValue, queue.counters, queued: queue.items.count, lastError: state.lastError[.webhook]))
            }
            if let queue = state.command {
                out.append(.init(name: Name.command.rawValue, queue.counters, queued: queue.items.count, lastError: state.lastError[.command]))
            }
            return out
        }
    }
}

extension AggregatorStatus.Alerts.Destination {
    init(name: String, _ counters: DeliveryCounters, queued: Int, lastError: String?) {
        self.init(name: name, sent: counters.sent, failed: counters.failed, dropped: counters.dropped, queued: queued, lastError: lastError)
    }
}
