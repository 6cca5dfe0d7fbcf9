import Foundation
import Hummingbird
import PlexusAlerts

/// `/api/v1/alerts`: the alerts pending and firing as of the latest evaluation (`docs/api.md`).
struct AlertRoutes {
    let inputs: WebInputs

    func add(to router: Routes) {
        router.group("api/v1").get("alerts") { request, _ in
            try inputs.cached(request, type: "application/json; charset=utf-8") {
                try JSONBody.encode(AlertRecord.List(inputs.alerts()))
            }
        }
    }
}

extension Pages {
    /// How many firing alerts the banner names before "and N more".
    static let bannerLength = 8

    /// The banner over every page and the wall screen; nil when nothing fires. The most severe
    /// (`critical`, `page`) first, then the newest.
    func alertBanner() -> PageContext.AlertBanner? {
        let firing = inputs.alerts().filter { $0.state == .firing }
        guard !firing.isEmpty else { return nil }
        func rank(_ alert: ActiveAlert) -> Int { ["critical", "page"].contains(alert.labels["severity"]?.lowercased() ?? "") ? 0 : 1 }
        let shown = firing.sorted { (rank($0), -($0.firingSince ?? 0)) < (rank($1), -($1.firingSince ?? 0)) }.prefix(Self.bannerLength)
        return PageContext.AlertBanner(
            count: firing.count, firing: shown.map(Self.alertRow), more: firing.count > Self.bannerLength ? firing.count - Self.bannerLength : nil)
    }

    /// A cluster's alerts (its summary's and its hosts'), or one host's.
    func alertRows(cluster: String, host: String? = nil) -> [PageContext.AlertRow] {
        inputs.alerts().filter { alert in
            alert.labels["cluster"] == cluster && (host.map { alert.labels["host"]?.lowercased() == $0.lowercased() } ?? true)
        }.map(Self.alertRow)
    }

    /// Each host's alerts in `cluster`, by host name: what its figure on the cluster page shows.
    func hostAlerts(cluster: String) -> [String: [ActiveAlert]] {
        Dictionary(grouping: inputs.alerts().filter { $0.labels["cluster"] == cluster && $0.labels["host"] != nil }) { $0.labels["host"] ?? "" }
    }

    static func alertRow(_ alert: ActiveAlert) -> PageContext.AlertRow {
        let labels = alert.labels
        var subject: [String] = []
        var segments: [String] = []
        if let cluster = labels["cluster"] {
            segments += ["cluster", cluster]
            if let host = labels["host"] {
                segments += ["host", host]
                subject.append(host)
            } else {
                subject.append(cluster)
            }
        } else if let grid = labels["grid"] {
            subject.append(grid)
        } else if let source = labels["source"] {
            subject.append("source \(source)")
        }
        if let metric = labels["metric"] {
            segments += ["metric", metric]
            subject.append(metric)
        }
        return PageContext.AlertRow(
            name: alert.name, state: alert.state.rawValue, severity: labels["severity"] ?? "", subject: subject.joined(separator: " "),
            href: "/" + segments.map(URLText.component).joined(separator: "/"),
            since: time(alert.firingSince ?? alert.activeSince), value: number(alert.value), summary: alert.summary ?? "")
    }
}
