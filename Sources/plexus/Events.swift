import ArgumentParser
import Foundation
import PlexusArchive
import PlexusCore

/// `plexus events`: deploys, incidents and maintenance windows, drawn on every graph they touch.
struct Events: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Mark deploys, incidents and maintenance on the graphs: add, list, remove.",
        discussion: """
            Events live in an append-only journal, events.jsonl beside the aggregator's RRD root (or --events-file), so plexus graph, cron exports and the dashboard all show them. An event applies to the clusters and hosts its --cluster and --host patterns match (shell patterns; none: everywhere).

            Examples:
              plexus events add --tag deploy "v1.4.2 to production"
              plexus events add --tag incident --start 14:05 --end 14:40 \\
                --cluster web "checkout 502s"
              plexus events add --tag maintenance --host 'db-*' \\
                --start 2026-11-28T02:00 --end 2026-11-28T04:00 "kernel upgrade"
              plexus events list --since -7d --tag deploy
              plexus events remove 12
            """,
        subcommands: [Add.self, List.self, Remove.self]
    )

    /// Where the journal is: --events-file, else beside the RRD root.
    static func file(_ archive: ArchiveOptions) throws -> EventFile {
        if let path = archive.eventsFile { return EventFile(path: path) }
        return try archive.archive().events
    }

    /// `--token`, else `PLEXUS_EVENTS_TOKEN`: the aggregator's `events_token`, for writes over HTTP.
    static func token(_ option: String?) throws -> String {
        guard let token = option ?? ProcessInfo.processInfo.environment["PLEXUS_EVENTS_TOKEN"], !token.isEmpty else {
            throw CommandFailure.badInput("writing events through --server needs the aggregator's events_token (--token or PLEXUS_EVENTS_TOKEN)")
        }
        return token
    }

    static func decode<T: Decodable>(_ data: Data, as type: T.Type) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw CommandFailure.unreachable("the server's answer is not the events API's JSON")
        }
    }

    static func table(_ events: [Event]) -> Table {
        var table = Table(columns: [
            Table.Column("id", right: true), Table.Column("start"), Table.Column("end"), Table.Column("tags"),
            Table.Column("cluster"), Table.Column("host"), Table.Column("text"),
        ])
        for event in events {
            table.rows.append([
                .integer(Int64(event.id)), .time(event.start), event.end.map(Table.Cell.time) ?? .missing,
                .list(event.tags), event.cluster.map(Table.Cell.text) ?? .missing,
                event.host.map(Table.Cell.text) ?? .missing, .text(event.text),
            ])
        }
        return table
    }
}

extension Events {
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Record an event (prints it, with its id).")

        @Argument(help: "What happened, e.g. \"v1.4.2 to production\".") var text: String
        @Option(help: "When it started (default now): now-10m, -1h, 14:05 today, 2026-11-25T14:05, 1764064800.") var start: String?
        @Option(help: "When it ended, for events that last.") var end: String?
        @Option(name: .customLong("tag"), help: "A tag: deploy, incident, maintenance... (repeatable).") var tags: [String] = []
        @Option(help: "Only the clusters matching this shell pattern.") var cluster: String?
        @Option(help: "Only the hosts matching this shell pattern.") var host: String?
        @Option(help: "With --server: the aggregator's events_token (default: $PLEXUS_EVENTS_TOKEN).") var token: String?
        @OptionGroup var archive: ArchiveOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let now = currentTime()
            let from = try start.map { try SeriesOptions.time($0, "--start", now: now) } ?? now
            let to = try end.map { try SeriesOptions.time($0, "--end", now: now) }
            let proposed = Event(id: 1, start: from, end: to, text: text, tags: tags, cluster: cluster, host: host, created: now)
            if let problem = proposed.problem() { throw CommandFailure.badInput(problem) }
            if let client = try archive.client() {
                var body: [String: Any] = ["text": text, "start": from, "tags": tags]
                if let to { body["end"] = to }
                if let cluster { body["cluster"] = cluster }
                if let host { body["host"] = host }
                let answer = try await client.send(
                    "POST", "api/v1/events", body: try JSONSerialization.data(withJSONObject: body),
                    token: try Events.token(token))
                Console.output(output.render(Events.table([try Events.decode(answer, as: Event.self)])))
                return
            }
            let file = try Events.file(archive)
            let event: Event
            do {
                event = try file.add { id in
                    var event = proposed
                    event.id = id
                    return event
                }
            } catch {
                throw CommandFailure.unreachable("cannot record the event: \(error)")
            }
            Console.output(output.render(Events.table([event])))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List events, oldest first.")

        @Option(help: "Only events still going on or ending after this time (e.g. -7d).") var since: String?
        @Option(help: "Only events starting before this time.") var until: String?
        @Option(help: "Only events with this tag.") var tag: String?
        @Option(help: "Only events a graph of this cluster shows.") var cluster: String?
        @Option(help: "Only events a graph of this host shows (with --cluster).") var host: String?
        @OptionGroup var archive: ArchiveOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if host != nil && cluster == nil { throw ValidationError("--host needs --cluster") }
        }

        func run() async throws {
            let now = currentTime()
            let from = try since.map { try SeriesOptions.time($0, "--since", now: now) } ?? Int64.min
            let to = try until.map { try SeriesOptions.time($0, "--until", now: now) } ?? Int64.max
            let all: [Event]
            if let client = try archive.client() {
                all = try Events.decode(try await client.get("api/v1/events", []), as: [Event].self)
            } else {
                all = try ArchiveOptions.readEvents(try Events.file(archive), output.console)
            }
            let events = Event.select(all, start: from, end: to, scope: Event.Scope(cluster: cluster, host: host), tag: tag)
            Console.output(output.render(Events.table(events)))
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove events by id (the journal keeps the record).")

        @Argument(help: "Event ids, as events list shows them.") var ids: [Int]
        @Option(help: "With --server: the aggregator's events_token (default: $PLEXUS_EVENTS_TOKEN).") var token: String?
        @OptionGroup var archive: ArchiveOptions
        @Flag(name: .shortAndLong, help: "Print no notes on standard error.") var quiet = false

        func validate() throws {
            if ids.isEmpty { throw ValidationError("which events? give their ids") }
        }

        func run() async throws {
            if let client = try archive.client() {
                for id in ids {
                    let removed = try Events.decode(try await client.send("DELETE", "api/v1/events/\(id)", token: try Events.token(token)), as: Event.self)
                    Console(quiet: quiet).note("removed event \(id): \(removed.text)")
                }
                return
            }
            let file = try Events.file(archive)
            var unknown: [Int] = []
            for id in ids {
                let removed: Event?
                do {
                    removed = try file.remove(id: id, at: currentTime())
                } catch {
                    throw CommandFailure.unreachable("cannot remove event \(id): \(error)")
                }
                if let removed {
                    Console(quiet: quiet).note("removed event \(id): \(removed.text)")
                } else {
                    unknown.append(id)
                }
            }
            if !unknown.isEmpty {
                throw CommandFailure.badInput("no event with id \(unknown.map(String.init).joined(separator: ", "))")
            }
        }
    }
}
