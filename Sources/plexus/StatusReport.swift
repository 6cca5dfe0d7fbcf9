import Foundation
import PlexusCore

/// What `plexus status` shows: per cluster, each host's state, load and CPU.
struct StatusReport {
    struct Row: Encodable {
        var host: String
        var ip: String
        var up: Bool
        var lastHeard: UInt32
        var load: String
        var cpus: String
        var user: String
        var system: String
        var idle: String
    }

    struct ClusterRows: Encodable {
        var cluster: String
        var up: Int
        var down: Int
        var hosts: [Row]
    }

    var clusters: [ClusterRows] = []

    init(document: GangliaDocument, onlyDown: Bool) {
        var found: [Cluster] = []
        func walk(_ grid: Grid) {
            for child in grid.children {
                switch child {
                case .cluster(let c): found.append(c)
                case .grid(let g): walk(g)
                }
            }
        }
        for item in document.items {
            switch item {
            case .cluster(let c): found.append(c)
            case .grid(let g): walk(g)
            case .host: break
            }
        }
        for cluster in found {
            let rows = cluster.hosts.map { host in
                let value = { (name: String) in host.metrics.first { $0.name.rawValue == name }?.value ?? "-" }
                return Row(
                    host: host.name.rawValue, ip: host.ip, up: host.isUp(localtime: cluster.localtime), lastHeard: host.tn,
                    load: value("load_one"), cpus: value("cpu_num"), user: value("cpu_user"), system: value("cpu_system"),
                    idle: value("cpu_idle"))
            }
            let up = rows.filter(\.up).count
            clusters.append(
                ClusterRows(
                    cluster: cluster.name.rawValue, up: up, down: rows.count - up,
                    hosts: rows.filter { !onlyDown || !$0.up }))
        }
    }

    func table() -> String {
        var out = ""
        for cluster in clusters {
            out += "CLUSTER \(cluster.cluster): \(cluster.up + cluster.down) hosts, \(cluster.up) up, \(cluster.down) down\n"
            let header = ["HOST", "STATE", "LOAD1", "CPUS", "USER%", "SYS%", "IDLE%", "HEARD"]
            let rows = cluster.hosts.map { [$0.host, $0.up ? "up" : "DOWN", $0.load, $0.cpus, $0.user, $0.system, $0.idle, "\($0.lastHeard)s ago"] }
            let widths = header.indices.map { i in ([header[i]] + rows.map { $0[i] }).map(\.count).max() ?? 0 }
            for row in [header] + rows {
                out +=
                    row.indices.map { i in
                        i == 0
                            ? row[i].padding(toLength: widths[i], withPad: " ", startingAt: 0)
                            : String(repeating: " ", count: widths[i] - row[i].count) + row[i]
                    }.joined(separator: "  ") + "\n"
            }
        }
        return out
    }

    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return (try? encoder.encode(clusters)).map { String(decoding: $0, as: UTF8.self) + "\n" } ?? "[]\n"
    }
}
