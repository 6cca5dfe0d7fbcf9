import ArgumentParser

/// `plexus`: the operators' command line.
@main
struct Plexus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plexus",
        abstract: "Plexus cluster monitoring: Ganglia-compatible tools for operators.",
        discussion: """
            Plexus speaks Ganglia 3.x on the wire. More subcommands (query, graph, export, send,
            status, events) arrive with the agent and aggregator.
            """,
        version: "0.1.0",
        subcommands: [Decode.self, Send.self, Status.self]
    )
}
