import ArgumentParser

/// `plexus`: the operators' command line. `main` (CommandFailure.swift) maps every error to one line on
/// standard error and exit code 1 (bad input or usage) or 2 (the data can't be reached or read).
@main
struct Plexus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plexus",
        abstract: "Plexus cluster monitoring: Ganglia-compatible tools for operators.",
        discussion: """
            Exit status: 0 done; 1 bad input or usage (unknown host, metric, range or option, an unwritable output); 2 the data can't be reached or read (aggregator down, RRD root missing or unreadable). Errors are one line on standard error.

            Examples:
              plexus query hosts web               # who is up in cluster web
              plexus graph --report cpu --cluster web --range day -o cpu.png
              plexus export --metric daily_signups --range month > signups.csv
              plexus events add --tag deploy "v1.4.2 to production"
              plexus send -n queue_depth -v 17 -t int32 -u jobs
              plexus --generate-completion-script bash \\
                > /etc/bash_completion.d/plexus
            """,
        version: "0.1.0",
        subcommands: [Query.self, Graph.self, Export.self, Events.self, Alerts.self, Send.self, Status.self, Decode.self, Keygen.self]
    )
}
