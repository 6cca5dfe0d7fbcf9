import Foundation
import Logging
import PlexusAlerts
import PlexusArchive
import PlexusCore
import PlexusStatus
import PlexusTransport

/// The alert rules' service, when there are rules (`docs/alerts.md`).
struct AlertParts: Sendable {
    let service: AlertService
    /// The reader anomaly rules read FAILURES with (a service itself, started before them).
    let reader: ArchiveReader?
    let board: AlertBoard
    let destinations: AlertDestinations

    /// `/status`'s alerts section.
    @Sendable func status() -> AggregatorStatus.Alerts {
        let snapshot = board.snapshot
        return AggregatorStatus.Alerts(
            rules: snapshot.rules, firing: snapshot.active.count { $0.state == .firing }, pending: snapshot.active.count { $0.state == .pending },
            evaluations: snapshot.evaluations, lastEvaluation: snapshot.evaluatedAt, deliveries: destinations.statistics)
    }
}

extension Aggregator {
    /// The files anomaly rules watch get RRDtool's Holt-Winters archives: new ones at creation,
    /// existing ones now, before the writer starts (`rrd_tune`, their data kept).
    static func forecast(_ store: inout ArchiveStore, _ rules: [AlertRule], logger: Logger) {
        let watch = AnomalyWatch(rules)
        guard !watch.isEmpty else { return }
        store.holtWinters = { key in
            guard case .host(let cluster, let host) = key.location else { return nil }
            return watch.rule(cluster: cluster.rawValue, host: host.rawValue, metric: key.metric.rawValue)?.holtWinters
        }
        let chosen = store.holtWinters
        var added = 0
        for (key, path) in store.hostFiles(where: { chosen($0) != nil }) {
            guard let spec = chosen(key) else { continue }
            do {
                if try store.addHoltWinters(path: path, spec) { added += 1 }
            } catch {
                logger.error("cannot add a Holt-Winters forecast", metadata: ["file": "\(path)", "error": "\(error)"])
            }
        }
        if added > 0 { logger.info("Holt-Winters forecasts added to existing archives", metadata: ["files": "\(added)"]) }
    }

    /// The alerts' service: every `evaluation_interval` (default: the shortest step), state kept
    /// in `<rrd_rootdir>/.plexus-alerts.json` (a damaged one stops the start, named), events in
    /// the journal beside the RRD root, links to `dashboard_url` (default this host's
    /// `http_port`).
    static func alerts(
        _ configuration: AggregatorConfiguration, rrdcached: RRDCachedAddress?, store: GridStore, hostname: String, logger: Logger
    ) throws -> AlertParts? {
        guard !configuration.alerts.isEmpty else { return nil }
        let alerting = configuration.alerting
        do {
            try FileManager.default.createDirectory(atPath: configuration.rrdRootdir, withIntermediateDirectories: true)
        } catch {
            throw StartError(description: "cannot create rrd_rootdir \(configuration.rrdRootdir) for the alerts' state: \(error.localizedDescription)")
        }
        let stateFile = AlertStateFile(root: configuration.rrdRootdir)
        let saved: (alerts: [ActiveAlert], undelivered: UndeliveredChanges)
        do {
            saved = try stateFile.loadAll()
        } catch {
            throw StartError(description: error.description)
        }
        let interval = Int64(alerting.evaluationInterval ?? configuration.shortestStep)
        let resend = Int64(alerting.resendInterval)
        let dashboard = alerting.dashboardURL ?? "http://\(hostname):\(configuration.httpPort)"
        let settings = AlertDestinations.Settings(
            alertmanager: alerting.alertmanagerURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }, webhook: alerting.webhookURL,
            command: alerting.command, timeout: Int(alerting.timeout), resendInterval: resend, validFor: 4 * max(resend, interval),
            origin: AlertMessages.Origin(grid: configuration.gridname, dashboard: dashboard))
        let log = ThrottledLog(logger: logger)
        let destinations = AlertDestinations(settings: settings, undelivered: saved.undelivered, transport: .live, clock: store.clock, log: log)
        let board = AlertBoard(rules: configuration.alerts.count)
        let layout = RRDLayout(root: configuration.rrdRootdir, caseSensitiveHostnames: configuration.caseSensitiveHostnames)
        let reader =
            configuration.alerts.contains { $0.kind == .anomaly } && configuration.writeRRDs
            ? ArchiveReader(store: ArchiveStore(layout: layout), rrdcached: rrdcached) : nil
        let service = AlertService(
            store: store, rules: configuration.alerts, interval: .seconds(interval), stateFile: stateFile, restored: saved.alerts,
            events: EventJournalReader(file: EventFile(besideRoot: configuration.rrdRootdir)), board: board, destinations: destinations, log: log,
            forecasts: reader)
        if !saved.alerts.isEmpty || !saved.undelivered.isEmpty {
            logger.info(
                "alerts restored",
                metadata: [
                    "alerts": "\(saved.alerts.count)",
                    "undelivered": "\(saved.undelivered.webhook.count + saved.undelivered.command.count + saved.undelivered.alertmanager.count)",
                ])
        }
        return AlertParts(service: service, reader: reader, board: board, destinations: destinations)
    }
}
