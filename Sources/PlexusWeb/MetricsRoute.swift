import Foundation
import Hummingbird
import PlexusArchive
import PlexusCore
import PlexusSecurity
import PlexusStatus
import PlexusViews

/// `/metrics`: Prometheus's text format, so a Prometheus server can scrape a Plexus grid.
struct MetricsRoute {
    let inputs: WebInputs

    func add(to router: Routes) {
        router.get("metrics") { request, _ in
            inputs.cached(request, type: "text/plain; version=0.0.4; charset=utf-8") {
                PrometheusText.render(
                    status: inputs.status(), grid: inputs.overview(now: inputs.clock()), hostValues: inputs.hostValuesInMetrics,
                    graphRenders: inputs.graphRenders.runs)
            }
        }
    }
}

/// The exposition text (format 0.0.4): the aggregator's own counters, the grid's hosts up and
/// down per cluster, and optionally every host metric's latest numeric value as
/// `ganglia_<metric>{cluster, host}`. Pure: tested on its own.
enum PrometheusText {
    static func render(status: AggregatorStatus, grid: GridOverview, hostValues: Bool, graphRenders: Int = 0) -> String {
        var out = Families()
        out.add("plexus_uptime_seconds", "gauge", "Seconds since the aggregator started.", [([], Double(status.uptime))])
        out.add(
            "plexus_polls_total", "counter", "Polls of all data inputs by result.",
            [
                ([("result", "ok")], Double(status.polls.ok)), ([("result", "failed")], Double(status.polls.failed)),
                ([("result", "missed")], Double(status.polls.missed)),
            ])
        out.add(
            "plexus_source_up", "gauge", "1 when the data source's last poll (or listening interval) delivered data.",
            status.sources.map { ([("source", $0.name)], $0.alive ? 1 : 0) })
        out.add(
            "plexus_source_polls_total", "counter", "Polls of a data source by result.",
            status.sources.flatMap { s in
                [
                    ([("source", s.name), ("result", "ok")], Double(s.pollsOK)), ([("source", s.name), ("result", "failed")], Double(s.pollsFailed)),
                    ([("source", s.name), ("result", "missed")], Double(s.pollsMissed)),
                ]
            })
        out.add(
            "plexus_source_parse_milliseconds", "gauge", "Time to read the source's last document into state.",
            status.sources.map { ([("source", $0.name)], $0.lastParseMilliseconds) })
        out.add(
            "plexus_source_document_bytes", "gauge", "Size of the source's last document.",
            status.sources.map { ([("source", $0.name)], Double($0.lastDocumentBytes)) })
        out.add(
            "plexus_source_malformed_total", "counter", "Elements of the source's documents dropped as malformed.",
            status.sources.map { ([("source", $0.name)], Double($0.malformed)) })
        let listened = status.sources.filter { $0.kind == .listen }
        out.add(
            "plexus_source_datagrams_total", "counter", "Datagrams a listened source heard, and dropped (refused, outside allow, malformed).",
            listened.flatMap { s in
                [([("source", s.name), ("result", "heard")], Double(s.datagrams)), ([("source", s.name), ("result", "dropped")], Double(s.datagramsDropped))]
            })
        out.add(
            "plexus_source_datagrams_signed_total", "counter", "Signed datagrams a listened source accepted.",
            listened.map { ([("source", $0.name)], Double($0.signatures?.signed ?? 0)) })
        out.add(
            "plexus_source_datagrams_refused_total", "counter", "Datagrams a listened source refused by [security], by reason.",
            listened.flatMap { s in
                EnvelopeVerifier.Refusal.allCases.map { ([("source", s.name), ("reason", $0.rawValue)], Double(s.signatures?[$0] ?? 0)) }
            })
        let polled = status.sources.filter { $0.backfill != nil }
        out.add(
            "plexus_source_backfill_requests_total", "counter", "History requests a polled source was asked after an outage, by result.",
            polled.flatMap { s in
                let b = s.backfill!
                return [
                    ([("source", s.name), ("result", "ok")], Double(b.requests - b.failures)),
                    ([("source", s.name), ("result", "failed")], Double(b.failures)),
                ]
            })
        out.add(
            "plexus_source_backfill_values_total", "counter", "Values back-filled into a source's archives, and refused as older than the archive.",
            polled.flatMap { s in
                let b = s.backfill!
                return [([("source", s.name), ("result", "written")], Double(b.values)), ([("source", s.name), ("result", "older")], Double(b.refusedOlder))]
            })
        out.add("plexus_source_hosts", "gauge", "Hosts held for the source.", status.sources.map { ([("source", $0.name)], Double($0.hosts)) })
        out.add("plexus_source_metrics", "gauge", "Metrics held for the source.", status.sources.map { ([("source", $0.name)], Double($0.metrics)) })
        out.add(
            "plexus_clients_total", "counter", "Clients of the XML and interactive ports by outcome.",
            [
                ([("port", "xml"), ("outcome", "served")], Double(status.xml.served)), ([("port", "xml"), ("outcome", "refused")], Double(status.xml.refused)),
                ([("port", "xml"), ("outcome", "failed")], Double(status.xml.failed)),
                ([("port", "interactive"), ("outcome", "served")], Double(status.interactive.served)),
                ([("port", "interactive"), ("outcome", "refused")], Double(status.interactive.refused)),
                ([("port", "interactive"), ("outcome", "failed")], Double(status.interactive.failed)),
            ])
        if let clients = status.clients {
            out.add("plexus_clients_open", "gauge", "Client connections open over every port, HTTP included.", [([], Double(clients.open))])
            out.add(
                "plexus_clients_limit", "gauge", "The most client connections allowed (max_clients, under the descriptor limit).",
                [([], Double(clients.limit))])
            out.add(
                "plexus_clients_refused_total", "counter", "Connections closed as they were accepted, by reason.",
                [
                    ([("reason", "untrusted")], Double(clients.refused.untrusted)), ([("reason", "full")], Double(clients.refused.full)),
                    ([("reason", "address_full")], Double(clients.refused.addressFull)),
                ])
            out.add(
                "plexus_clients_gone_total", "counter", "Connections reset by their client before they could be accepted (not refusals).",
                [([], Double(clients.gone))])
        }
        out.add(
            "plexus_renders_total", "counter", "Renders made (clients asking the same thing at once share one).",
            [
                ([("kind", "xml")], Double(status.renders?.xml ?? 0)), ([("kind", "interactive")], Double(status.renders?.interactive ?? 0)),
                ([("kind", "graph")], Double(graphRenders)),
            ])
        let a = status.archive
        out.add(
            "plexus_archive_samples_total", "counter", "Archive samples by fate.",
            [([("fate", "submitted")], Double(a.submitted)), ([("fate", "refused")], Double(a.refused))]
                + ArchiveWriter.Statistics.fates.map { ([("fate", $0.label)], Double(a.writer[keyPath: $0.count])) })
        out.add("plexus_archive_queued", "gauge", "Archive samples waiting to be written.", [([], Double(a.writer.queued))])
        if let tail = a.liveTail {
            out.add("plexus_live_tail_bytes", "gauge", "Memory the live tail's values hold (12 bytes a value).", [([], Double(tail.bytes))])
            out.add("plexus_live_tail_series", "gauge", "Series the live tail holds.", [([], Double(tail.series))])
            out.add(
                "plexus_live_tail_rows_total", "counter", "Graph and export rows taken from the live tail.", [([], Double(tail.rowsSpliced))])
            out.add(
                "plexus_live_tail_pending_reads_total", "counter",
                "Graph and export reads of a file further behind than the live tail (rrdcached's held updates filled the gap).",
                [([], Double(tail.pendingReads))])
        }
        out.add("plexus_archive_files_created_total", "counter", "RRD files created.", [([], Double(a.writer.filesCreated))])
        out.add(
            "plexus_archive_failing", "gauge", "1 while archive writes fail (until one succeeds 10 s after the last failure).",
            [([], a.writer.failingSince == nil ? 0 : 1)])
        if let at = a.writer.lastErrorAt {
            out.add(
                "plexus_archive_last_error_timestamp_seconds", "gauge", "When the latest archive write failed (see /status for why).",
                [([], Double(at))])
        }
        if let alerts = status.alerts {
            out.add("plexus_alerts_firing", "gauge", "Alerts firing as of the latest evaluation.", [([], Double(alerts.firing))])
            out.add("plexus_alerts_pending", "gauge", "Alerts whose condition holds, waiting out their 'for'.", [([], Double(alerts.pending))])
            out.add("plexus_alert_rules", "gauge", "Alert rules configured.", [([], Double(alerts.rules))])
            out.add("plexus_alert_evaluations_total", "counter", "Evaluations of the alert rules.", [([], Double(alerts.evaluations))])
            out.add(
                "plexus_alert_deliveries_total", "counter",
                "Alert deliveries by destination and outcome (posts to Alertmanager, changes to the webhook and the command).",
                alerts.deliveries.flatMap { d in
                    [("sent", d.sent), ("failed", d.failed), ("dropped", d.dropped)].map { ([("destination", d.name), ("outcome", $0.0)], Double($0.1)) }
                })
            out.add(
                "plexus_alert_deliveries_queued", "gauge", "Alert changes waiting for their destination.",
                alerts.deliveries.map { ([("destination", $0.name)], Double($0.queued)) })
        }
        if let exports = status.exports {
            let fates = [
                ("queued", \AggregatorStatus.Export.queuedTotal), ("sent", \.sent), ("retried", \.retried), ("dropped", \.dropped), ("refused", \.refused),
            ]
            out.add(
                "plexus_export_samples_total", "counter",
                "Export samples by destination and fate: queued, sent, retried (each retry), dropped (a full queue or refused), refused.",
                exports.flatMap { e in fates.map { ([("kind", e.kind), ("destination", e.name), ("fate", $0.0)], Double(e[keyPath: $0.1])) } })
            out.add(
                "plexus_export_queued", "gauge", "Export samples waiting for their destination.",
                exports.map { ([("kind", $0.kind), ("destination", $0.name)], Double($0.queued)) })
            out.add(
                "plexus_export_up", "gauge", "1 while the destination takes what is sent, 0 while sending to it fails.",
                exports.map { ([("kind", $0.kind), ("destination", $0.name)], $0.up ? 1 : 0) })
        }
        let clusters = grid.clusterRows()
        out.add(
            "plexus_hosts", "gauge", "Hosts of a cluster, up or down.",
            clusters.flatMap { c in
                [([("cluster", c.cluster), ("state", "up")], Double(c.up)), ([("cluster", c.cluster), ("state", "down")], Double(c.down))]
            })
        if hostValues {
            var families: [String: [(labels: [(String, String)], value: Double)]] = [:]
            var order: [String] = []
            var help: [String: String] = [:]
            for located in grid.clusters {
                for host in located.cluster.hosts {
                    for metric in host.metrics {
                        guard let value = metric.numericValue, value.isFinite else { continue }
                        let name = "ganglia_" + Self.metricName(metric.name.rawValue)
                        if families[name] == nil {
                            order.append(name)
                            help[name] =
                                "Ganglia metric \(metric.name.rawValue)\(metric.units.trimmingCharacters(in: .whitespaces).isEmpty ? "" : " (\(metric.units))")."
                        }
                        families[name, default: []].append(([("cluster", located.cluster.name.rawValue), ("host", host.name.rawValue)], value))
                    }
                }
            }
            for name in order { out.add(name, "gauge", help[name] ?? "", families[name] ?? []) }
        }
        return out.text
    }

    /// A metric name Prometheus accepts: `[a-zA-Z0-9_]`, everything else `_`.
    static func metricName(_ name: String) -> String {
        String(name.unicodeScalars.map { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) ? Character($0) : "_" })
    }

    /// A label value: `\`, `"` and line feeds escaped.
    static func labelValue(_ value: String) -> String {
        var out = ""
        for c in value {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }

    struct Families {
        var text = ""

        mutating func add(_ name: String, _ type: String, _ help: String, _ samples: [(labels: [(String, String)], value: Double)]) {
            guard !samples.isEmpty else { return }
            text += "# HELP \(name) \(help.replacing("\\", with: "\\\\").replacing("\n", with: " "))\n"
            text += "# TYPE \(name) \(type)\n"
            for sample in samples {
                let labels =
                    sample.labels.isEmpty ? "" : "{" + sample.labels.map { "\($0.0)=\"\(PrometheusText.labelValue($0.1))\"" }.joined(separator: ",") + "}"
                text += "\(name)\(labels) \(sample.value.isFinite ? ExportText.number(sample.value) : "NaN")\n"
            }
        }
    }
}
