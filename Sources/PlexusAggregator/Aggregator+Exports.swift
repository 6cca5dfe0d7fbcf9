import Logging
import NIOCore
import PlexusCore
import PlexusExport
import PlexusTransport
import ServiceLifecycle

extension Aggregator {
    /// The export destinations the configuration names and a sender service for each; nil and
    /// none without any.
    static func exporting(
        _ configuration: AggregatorConfiguration, secrets: AggregatorSecrets, group: any EventLoopGroup, clock: @escaping @Sendable () -> Int64,
        logger: Logger
    ) -> (Exports?, [any Service]) {
        let exports = configuration.exports
        guard exports.isEnabled else { return (nil, []) }
        var destinations: [ExportDestination] = []
        var senders: [any Service] = []
        if let graphite = exports.graphite {
            let format = GraphiteFormat(prefix: graphite.prefix, template: graphite.path, caseSensitiveHostnames: configuration.caseSensitiveHostnames)
            let destination = ExportDestination(
                format: .graphite(format), name: "carbon", target: "\(graphite.server):\(graphite.port)/\(graphite.transport.rawValue)",
                capacity: graphite.queueCapacity, clock: clock, logger: logger)
            destinations.append(destination)
            senders.append(GraphiteSender(destination: destination, configuration: graphite, group: group))
        }
        for (i, remote) in exports.remoteWrite.enumerated() {
            let destination = ExportDestination(
                format: .remoteWrite(PrometheusSeries(gridname: configuration.gridname)), name: remote.name, target: remote.url,
                capacity: remote.queueCapacity, clock: clock, logger: logger)
            let secret: (authorization: String?, tls: TLSContext?) = i < secrets.remoteWrite.count ? secrets.remoteWrite[i] : (nil, nil)
            destinations.append(destination)
            senders.append(RemoteWriteSender(destination: destination, configuration: remote, authorization: secret.authorization, tls: secret.tls))
        }
        return (Exports(destinations: destinations), senders)
    }
}
