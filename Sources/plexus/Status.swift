import ArgumentParser
import Foundation
import PlexusCore
import PlexusTransport

/// `plexus status`: a cluster's hosts, up or down, with load and CPU (gstat's role).
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a cluster's hosts, up or down, with load and CPU, from an agent's (or gmond's) XML port.",
        discussion: """
            Examples:
              plexus status                       # the local agent, 127.0.0.1:8649
              plexus status web1.example:8649
              plexus status --down                # only the hosts that are down
            """
    )

    @Argument(help: "Agent or gmond XML port, HOST[:PORT] (default 127.0.0.1:8649).")
    var address: String = "127.0.0.1:8649"

    @Flag(help: "List only hosts that are down.") var down = false
    @Flag(help: "Print JSON instead of a table.") var json = false

    func run() async throws {
        let (host, port) = AgentConfiguration.hostAndPort(address) ?? (address, 8649)
        let bytes: [UInt8]
        do {
            bytes = try await XMLClient.fetch(host: host, port: port, timeout: .seconds(10))
        } catch {
            FileHandle.standardError.write(Data("plexus status: cannot read \(host):\(port): \(error)\n".utf8))
            throw ExitCode(2)
        }
        let result = GangliaDocument.read(bytes)
        guard let document = result.document else {
            FileHandle.standardError.write(Data("plexus status: \(host):\(port) did not send Ganglia XML\n".utf8))
            throw ExitCode(2)
        }
        let report = StatusReport(document: document, onlyDown: down)
        print(json ? report.json() : report.table(), terminator: "")
    }
}
