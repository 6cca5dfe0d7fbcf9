import PlexusCore

extension GmetadImport {
    /// `data_source "name" [step] host[:port] …`: the addresses are failover alternatives, the
    /// port 8649 when left out, the step 15 s.
    mutating func dataSource(_ d: DotconfReader.Directive, names: inout Set<String>) throws(MigrationError) {
        guard let name = d.arguments.first, !name.isEmpty else { throw error(d, "needs a name") }
        guard names.insert(name).inserted else { throw error(d, "\(name.debugDescription) is named twice (gmetad refuses that too)") }
        var rest = Array(d.arguments.dropFirst())
        var step = 15
        if let first = rest.first, let number = Int(first) {
            guard number > 0 else { throw error(d, "a step must be at least 1 second, found \(first)") }
            step = number
            rest.removeFirst()
        }
        guard !rest.isEmpty else { throw error(d, "\(name.debugDescription) has no address") }
        let hosts = try rest.map { (address: String) throws(MigrationError) -> String in
            let parts = address.split(separator: ":", omittingEmptySubsequences: false)
            switch parts.count {
            case 1: return "\(address):8649"
            case 2:
                guard let port = Int(parts[1]), (1...65535).contains(port), !parts[0].isEmpty else {
                    throw error(d, "\(address.debugDescription) is not host:port")
                }
                return address
            default:
                throw error(d, "\(address.debugDescription): gmetad reads host[:port] (an IPv6 address can't be written here)")
            }
        }
        sources.header("[[data_source]]")
        sources.set("name", TOMLText.string(name))
        sources.set("hosts", TOMLText.strings(hosts), note: hosts.count > 1 ? "failover alternatives, as gmetad's" : nil)
        sources.set("step", "\(step)")
    }

    /// `trusted_hosts a b …`: addresses as they are, names looked up now (as gmetad did at start).
    mutating func trustedHosts(_ d: DotconfReader.Directive) {
        var addresses: [String] = []
        for host in d.arguments {
            if CIDRBlock(host) != nil {
                addresses.append(host)
                continue
            }
            let found = resolve(host)
            if found.isEmpty {
                note(.init(name: d.name, arguments: [host], place: d.place), "the name doesn't resolve here; put its addresses in trusted_hosts")
            } else {
                top.comment("trusted_hosts: \(host) is \(found.joined(separator: ", ")) (looked up on import; the list holds addresses)")
                addresses += found
            }
        }
        var unique = trusted ?? []
        for address in addresses where !unique.contains(address) { unique.append(address) }
        trusted = unique
    }
}
