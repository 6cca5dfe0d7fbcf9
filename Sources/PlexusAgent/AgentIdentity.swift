import PlexusCollectors
import PlexusCore

/// Who the agent says it is on the wire, and how its schedule's output becomes messages.
///
/// Without `override_hostname` messages carry the host name unspoofed (receivers key us by our
/// source address). With it, every message is spoofed as `override_ip:override_hostname` (or
/// `override_hostname:override_hostname`), as gmond does, with a `SPOOF_HOST` extra element.
public struct AgentIdentity: Sendable, Equatable {
    /// The name our host is shown under.
    public var hostname: String
    /// The `host` field of our messages.
    public var wireHost: String
    public var spoof: Bool
    /// The key receivers file us under: our source address, or the spoofed IP.
    public var stateKey: String
    /// Every name a receiver may use for us in a metadata request: gmond names unspoofed
    /// senders by the reverse DNS of their source address, or by the address itself.
    public var aliases: Set<String>

    public init(config: AgentConfiguration, systemHostname: String, sourceAddress: String, reverseName: String? = nil) {
        if let name = config.globals.overrideHostname {
            let ip = config.globals.overrideIP ?? name
            hostname = name
            wireHost = "\(ip):\(name)"
            spoof = true
            stateKey = ip
        } else {
            hostname = systemHostname
            wireHost = systemHostname
            spoof = false
            stateKey = sourceAddress
        }
        aliases = [hostname, wireHost, stateKey]
        if let reverseName { aliases.insert(reverseName) }
    }

    /// The message for one item of the schedule's output; nil for a metric nobody defines.
    public func message(for item: CollectionSchedule.Outgoing, definitions: [String: MetricDefinition]) -> GangliaMessage? {
        message(for: item, definition: { definitions[$0] })
    }

    /// The message for one item, its metric's definition looked up by `definition`.
    public func message(for item: CollectionSchedule.Outgoing, definition lookup: (String) -> MetricDefinition?) -> GangliaMessage? {
        switch item {
        case .metadata(let name, let title):
            guard let definition = lookup(name) else { return nil }
            var metadata = definition.metadata(title: title)
            if spoof { metadata.extraData.append(ExtraElement(name: ExtraElement.Key.spoofHost, value: wireHost)) }
            return .metadata(MetricIdentity(host: wireHost, name: name, spoof: spoof), metadata)
        case .value(let name, let value):
            guard let definition = lookup(name) else { return nil }
            return .value(MetricIdentity(host: wireHost, name: name, spoof: spoof), format: definition.format, value: value)
        }
    }

    /// Whether a metadata request (id 136) is about one of our metrics.
    public func owns(_ request: MetricIdentity) -> Bool {
        aliases.contains(request.host) || request.spoofedAddress.map { aliases.contains($0.hostname) || aliases.contains($0.ip) } == true
    }
}
