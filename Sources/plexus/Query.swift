import ArgumentParser
import Foundation
import PlexusArchive
import PlexusCore
import PlexusTransport
import PlexusViews

/// `plexus query`: what the aggregator knows now, from its interactive port (8652).
struct Query: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Ask the aggregator: the grid summary, clusters, hosts, a host's metrics, one metric across hosts.",
        discussion: """
            Reads the aggregator's query port (gmetad's interactive port, 8652). Tables by default; --json or --csv for scripts. --filter takes a shell pattern (web*, db-[12]) on the names the rows list: metrics for summary and host, clusters for clusters, hosts otherwise. Options go after the subcommand.

            Examples:
              plexus query                     # hosts up/down, key sums
              plexus query clusters
              plexus query hosts web --filter 'web-1*'
              plexus query host web-12 --filter 'cpu_*'
              plexus query metric load_one --top 10    # the busiest hosts
              plexus query metric disk_free --cluster db --ascending --csv
              plexus query summary --all --json -a monitor.example:8652
            """,
        subcommands: [Summary.self, Clusters.self, Hosts.self, Host.self, Metric.self],
        defaultSubcommand: Summary.self
    )
}

/// `--aggregator` and how to read it.
struct AggregatorOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "The aggregator's query port, HOST[:PORT].")
    var aggregator = "127.0.0.1:8652"

    @Option(help: "Seconds to wait for the aggregator's answer.")
    var timeout: Double = 10

    @OptionGroup var output: OutputOptions

    @Option(help: "Only rows whose name matches this shell pattern.")
    var filter: String?

    func validate() throws {
        guard AggregatorConfiguration.Endpoint(aggregator, defaultPort: 8652) != nil else {
            throw ValidationError("--aggregator \(aggregator.debugDescription): expected HOST[:PORT]")
        }
        guard timeout > 0, timeout <= 3600 else { throw ValidationError("--timeout must be between 0 and 3600 seconds") }
    }

    /// The document the aggregator answers `path` with. Asked as `GET path HTTP/1.0`: in that
    /// form an unknown path answers an empty grid, where the bare form answers everything (as
    /// gmetad does).
    func document(_ path: String) async throws -> GridOverview {
        let endpoint = AggregatorConfiguration.Endpoint(aggregator, defaultPort: 8652)!
        var bytes: [UInt8]
        do {
            bytes = try await XMLClient.fetch(
                host: endpoint.host, port: endpoint.port, request: "GET \(path) HTTP/1.0",
                timeout: .milliseconds(Int64(timeout * 1000)), connectTimeout: .seconds(5))
        } catch {
            throw CommandFailure.unreachable("cannot read the aggregator at \(endpoint): \(error)")
        }
        if bytes.starts(with: Array("HTTP/".utf8)), let end = bytes.firstRange(of: [0x0D, 0x0A, 0x0D, 0x0A]) {
            bytes.removeSubrange(..<end.upperBound)
        }
        guard let document = GangliaDocument.read(bytes).document else {
            let text = String(decoding: bytes.prefix(200), as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
            throw CommandFailure.unreachable("\(endpoint) did not answer with Ganglia XML\(text.isEmpty ? "" : ": \(text)")")
        }
        return GridOverview(document)
    }

    func keep(_ name: String) -> Bool {
        filter.map { NamePattern($0).matches(name) } ?? true
    }

    /// The document of `cluster` (nil: of every cluster); an unknown cluster is bad input.
    func clusterDocument(_ cluster: String?) async throws -> GridOverview {
        guard let cluster else { return try await document("/") }
        let overview = try await document("/" + (try pathElement(cluster, "cluster")))
        if overview.clusters.isEmpty { try await checkCluster(cluster) }
        return overview
    }

    /// A cluster name checked against what the aggregator has.
    func checkCluster(_ cluster: String) async throws {
        let known = try await document("/?filter=summary").clusters.map(\.cluster.name.rawValue)
        guard known.contains(cluster) else {
            throw CommandFailure.badInput("unknown cluster \(cluster.debugDescription) (the aggregator has: \(known.joined(separator: ", ")))")
        }
    }

    /// A path element for a request line: names with characters the port refuses can't exist.
    func pathElement(_ name: String, _ what: String) throws -> String {
        guard !name.isEmpty, !name.contains("/"), !name.contains(where: { GridQuery.forbidden.contains($0) || $0 == "?" || $0.isWhitespace }) else {
            throw CommandFailure.badInput("\(what) \(name.debugDescription) is not a valid name")
        }
        return name
    }
}

extension Query {
    struct Summary: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "summary", abstract: "Hosts up and down, and the key metrics summed (and averaged) over the grid.")

        @OptionGroup var options: AggregatorOptions
        @Flag(help: "Every summarized metric, not only the key ones.") var all = false

        func run() async throws {
            let overview = try await options.document("/?filter=summary")
            guard let summary = overview.summary(all: all || options.filter != nil) else {
                throw CommandFailure.unreachable("the aggregator's answer has no grid")
            }
            var table = Table(columns: [
                Table.Column("metric"), Table.Column("sum", right: true), Table.Column("hosts", right: true),
                Table.Column("average", right: true), Table.Column("units"),
            ])
            for row in summary.metrics where options.keep(row.metric) {
                table.rows.append([
                    .text(row.metric), .number(row.sum), .integer(Int64(row.num)), .optional(row.average.isFinite ? row.average : nil),
                    .text(row.units),
                ])
            }
            let output = options.output
            if output.json {
                Console.output(
                    """
                    {"grid":\(Table.Cell.quoted(summary.name)),"clusters":\(summary.clusters),"hosts_up":\(summary.up),\
                    "hosts_down":\(summary.down),"localtime":\(summary.localtime.map(String.init) ?? "null"),"metrics":\(table.json().dropLast())}

                    """)
            } else if output.csv {
                Console.output(table.csv())
            } else {
                Console.output(
                    "GRID \(summary.name): \(summary.up + summary.down) hosts, \(summary.up) up, \(summary.down) down, "
                        + "\(summary.clusters) cluster\(summary.clusters == 1 ? "" : "s")\n" + table.text())
            }
        }
    }

    struct Clusters: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "clusters", abstract: "Every cluster: hosts up and down, CPUs, mean load and CPU use, memory, network.")

        @OptionGroup var options: AggregatorOptions
        @Flag(help: "Only the names, one per line (for shell loops).") var names = false

        func run() async throws {
            let rows = try await options.document("/?filter=summary").clusterRows()
            if names {
                Console.output(rows.map(\.cluster).filter(options.keep).map { $0 + "\n" }.joined())
                return
            }
            var table = Table(GridOverview.ClusterRow.columns)
            for row in rows where options.keep(row.cluster) { table.append(row, GridOverview.ClusterRow.columns) }
            Console.output(options.output.render(table))
        }
    }

    struct Hosts: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "hosts",
            abstract: "The hosts of a cluster (or of every cluster): up or down, seconds since heard, load, CPU, memory.")

        @OptionGroup var options: AggregatorOptions
        @Argument(help: "The cluster (default: every cluster).") var cluster: String?
        @Flag(help: "Only the hosts that are down.") var down = false

        func run() async throws {
            let overview = try await options.clusterDocument(cluster)
            var table = Table(GridOverview.HostRow.columns)
            for row in overview.hostRows(cluster: cluster) where options.keep(row.host) && (!down || !row.up) {
                table.append(row, GridOverview.HostRow.columns)
            }
            Console.output(options.output.render(table))
        }
    }

    struct Host: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "host", abstract: "The metrics of one host: value, units, seconds since reported, group.")

        @OptionGroup var options: AggregatorOptions
        @Argument(help: "The host.") var host: String
        @Option(help: "Its cluster (found by asking the aggregator if not given).") var cluster: String?

        func run() async throws {
            let name = try options.pathElement(host, "host")
            let cluster: String
            if let given = self.cluster {
                cluster = given
            } else {
                cluster = try await findCluster(name)
            }
            let overview = try await options.document("/\(try options.pathElement(cluster, "cluster"))/\(name)")
            guard let rows = overview.metricRows(cluster: cluster, host: name) else {
                if overview.clusters.isEmpty { try await options.checkCluster(cluster) }
                throw CommandFailure.badInput("unknown host \(host.debugDescription) in cluster \(cluster.debugDescription)")
            }
            var table = Table(columns: [
                Table.Column("metric"), Table.Column("value", right: true), Table.Column("units"),
                Table.Column("age_seconds", "AGE(s)", right: true), Table.Column("group"), Table.Column("title"),
            ])
            for row in rows where options.keep(row.metric) {
                table.rows.append([
                    .text(row.metric), row.number.map(Table.Cell.number) ?? .text(row.value), .text(row.units),
                    .integer(Int64(row.age)), .text(row.group), .text(row.title),
                ])
            }
            Console.output(options.output.render(table))
        }

        private func findCluster(_ host: String) async throws -> String {
            let holding = try await options.document("/").clusters(holding: host)
            switch holding.count {
            case 0: throw CommandFailure.badInput("unknown host \(host.debugDescription): no cluster of the aggregator has it")
            case 1: return holding[0]
            default: throw CommandFailure.badInput("host \(host.debugDescription) is in clusters \(holding.joined(separator: ", ")): say which with --cluster")
            }
        }
    }

    struct Metric: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "metric", abstract: "One metric on every host (of a cluster), highest first.")

        @OptionGroup var options: AggregatorOptions
        @Argument(help: "The metric, e.g. load_one.") var metric: String
        @Option(help: "Only this cluster's hosts.") var cluster: String?
        @Option(help: "Only the first N hosts.") var top: Int?
        @Flag(help: "Lowest first.") var ascending = false

        func validate() throws {
            if let top, top < 1 { throw ValidationError("--top must be at least 1") }
        }

        func run() async throws {
            let overview = try await options.clusterDocument(cluster)
            let rows = overview.across(metric: metric, cluster: cluster, ascending: ascending).filter { options.keep($0.host) }
            if rows.isEmpty, overview.clusters.contains(where: { !$0.cluster.hosts.isEmpty }) {
                throw CommandFailure.badInput("no host \(cluster.map { "of cluster \($0) " } ?? "")reports a metric named \(metric.debugDescription)")
            }
            var table = Table(columns: [
                Table.Column("cluster"), Table.Column("host"), Table.Column("state"), Table.Column("value", right: true),
                Table.Column("units"), Table.Column("age_seconds", "AGE(s)", right: true),
            ])
            for row in rows.prefix(top ?? rows.count) {
                table.rows.append([
                    .text(row.cluster), .text(row.host), .text(row.up ? "up" : "down"),
                    row.number.map(Table.Cell.number) ?? .text(row.value), .text(row.units), .integer(Int64(row.age)),
                ])
            }
            Console.output(options.output.render(table))
        }
    }
}
