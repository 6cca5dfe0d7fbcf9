import Foundation

/// What is sent about alerts, as bytes: Alertmanager's v2 `postableAlerts` and, for webhooks and
/// commands, the JSON Alertmanager's own webhook receiver posts (`version` "4"), so the bridges
/// sites already run for Alertmanager (chat, paging) take Plexus's changes unchanged
/// (`docs/alerts.md`).
public enum AlertMessages {
    /// Where alerts come from: the grid's name (the `grid` label) and the dashboard's base URL
    /// (`generatorURL` points at the series' page there).
    public struct Origin: Sendable, Equatable {
        public var grid: String
        public var dashboard: String

        public init(grid: String, dashboard: String) {
            self.grid = grid
            self.dashboard = dashboard.hasSuffix("/") ? String(dashboard.dropLast()) : dashboard
        }
    }

    /// One alert as Alertmanager's API and its webhooks carry it.
    struct Posted: Encodable {
        var status: String?
        var labels: [String: String]
        var annotations: [String: String]
        var startsAt: String
        var endsAt: String?
        var generatorURL: String
    }

    struct Webhook: Encodable {
        var version = "4"
        var groupKey: String
        var status: String
        var receiver = "plexus"
        var groupLabels: [String: String]
        var commonLabels: [String: String]
        var commonAnnotations: [String: String]
        var externalURL: String
        var alerts: [Posted]
    }

    /// The labels sent: the alert's, with `grid` added.
    public static func labels(_ alert: ActiveAlert, _ origin: Origin) -> [String: String] {
        var labels = alert.labels
        if labels["grid"] == nil { labels["grid"] = origin.grid }
        return labels
    }

    /// `summary` (the rule's, filled in, or one made from the labels) and `value`.
    public static func annotations(_ alert: ActiveAlert) -> [String: String] {
        let labels = alert.labels
        let subject = [labels["host"] ?? labels["cluster"] ?? labels["grid"] ?? labels["source"], labels["metric"]].compactMap { $0 }
        let made = "\(alert.name) on \(subject.joined(separator: " "))"
        return ["summary": alert.summary ?? made, "value": AlertEvaluator.number(alert.value)]
    }

    /// The dashboard page of the alert's series: the host's metric, the host, the cluster's
    /// metric, the cluster, or the grid.
    public static func generatorURL(_ labels: [String: String], _ origin: Origin) -> String {
        var segments: [String] = []
        if let cluster = labels["cluster"] {
            segments += ["cluster", cluster]
            if let host = labels["host"] { segments += ["host", host] }
            if let metric = labels["metric"] { segments += ["metric", metric] }
        }
        return origin.dashboard + "/" + segments.map(pathSegment).joined(separator: "/")
    }

    static func pathSegment(_ text: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/;?#%")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// A firing alert as Alertmanager is sent it: `endsAt` `validFor` seconds ahead, so that
    /// Alertmanager resolves it itself if the aggregator stops re-sending (Prometheus sends
    /// four resend intervals ahead, as `AlertService` does). A resolved one ends at `resolvedAt`.
    static func posted(_ alert: ActiveAlert, _ origin: Origin, endsAt: Int64?, status: String? = nil) -> Posted {
        Posted(
            status: status, labels: labels(alert, origin), annotations: annotations(alert),
            startsAt: rfc3339(alert.firingSince ?? alert.activeSince), endsAt: endsAt.map(rfc3339),
            generatorURL: generatorURL(alert.labels, origin))
    }

    /// The body of `POST /api/v2/alerts`: the firing alerts (ending `validUntil` unless re-sent)
    /// and the resolved ones with their end.
    public static func alertmanager(
        firing: [ActiveAlert], resolved: [AlertChange], validUntil: Int64, origin: Origin
    ) -> [UInt8] {
        let alerts = firing.map { posted($0, origin, endsAt: validUntil) } + resolved.map { posted($0.alert, origin, endsAt: $0.at) }
        return encode(alerts)
    }

    /// The body of a webhook's POST and of a command's standard input, for one change.
    public static func webhook(_ change: AlertChange, origin: Origin) -> [UInt8] {
        let status = change.kind.rawValue
        let alert = posted(change.alert, origin, endsAt: change.kind == .resolved ? change.at : nil, status: status)
        let message = Webhook(
            groupKey: "{}:{alertname=\(jsonish(change.alert.name))}", status: status, groupLabels: ["alertname": change.alert.name],
            commonLabels: alert.labels, commonAnnotations: alert.annotations, externalURL: origin.dashboard + "/", alerts: [alert])
        return encode(message)
    }

    private static func jsonish(_ text: String) -> String { "\"" + text + "\"" }

    private static func encode<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings and dictionaries of strings always encode.
        return (try? Array(encoder.encode(value))) ?? Array("[]".utf8)
    }

    /// `2026-12-03T01:22:05Z`: RFC 3339 in UTC, as Alertmanager reads it.
    public static func rfc3339(_ seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let second = seconds - days * 86400
        // Howard Hinnant's civil-from-days: the proleptic Gregorian date of a day number.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let year4 = year < 1000 ? String(repeating: "0", count: 4 - String(year).count) + String(year) : String(year)
        return "\(year4)-\(two(month))-\(two(day))T\(two(second / 3600)):\(two(second % 3600 / 60)):\(two(second % 60))Z"
    }
}
