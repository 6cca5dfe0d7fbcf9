import PlexusCore

extension GmondImport {
    mutating func sendChannel(_ section: ConfuseSection) throws(MigrationError) {
        out.header("[[udp_send_channel]]")
        let multicast = section.option("mcast_join") != nil
        for option in section.options {
            switch option.name {
            case "mcast_join", "mcast_if", "bind": out.set(option.name, TOMLText.string(option.text))
            case "host" where multicast: note(option, "this channel also sets mcast_join, which gmond uses: a channel is one or the other")
            case "host": out.set("host", TOMLText.string(option.text))
            case "port": out.set("port", "\(try option.integer())")
            case "ttl": out.set("ttl", "\(try option.integer())")
            case "bind_hostname" where try option.bool():
                note(option, "no key: set bind to the address this host's name resolves to (the kernel picks one otherwise)")
            case "bind_hostname": continue
            default: unknown(option, in: "udp_send_channel")
            }
        }
    }

    mutating func receiveChannel(_ section: ConfuseSection) throws(MigrationError) {
        out.header("[[udp_recv_channel]]")
        for option in section.options {
            switch option.name {
            case "mcast_join", "mcast_if", "bind": out.set(option.name, TOMLText.string(option.text))
            case "port": out.set("port", "\(try option.integer())")
            case "buffer":
                let bytes = try option.integer()
                if bytes > 0 { out.set("buffer", "\(bytes)") } else { note(option, "0 is the system's default, as without it") }
            case "family": out.set("family", TOMLText.string(try family(option)))
            case "retry_bind": note(option, "no key: an agent that can't bind exits, and systemd starts it again (Restart=on-failure)")
            default: unknown(option, in: "udp_recv_channel")
            }
        }
        try acl(section)
    }

    mutating func acceptChannel(_ section: ConfuseSection) throws(MigrationError) {
        out.header("[[tcp_accept_channel]]")
        var timeout = false
        for option in section.options {
            switch option.name {
            case "bind": out.set("bind", TOMLText.string(option.text))
            case "port": out.set("port", "\(try option.integer())")
            case "family": out.set("family", TOMLText.string(try family(option)))
            case "gzip_output": out.set("gzip_output", "\(try option.bool())")
            case "interface": note(option, "gmond doesn't implement it either (use bind)")
            case "timeout":
                timeout = true
                let microseconds = try option.number()
                if microseconds > 0 {
                    out.set("timeout", TOMLText.number(min(3600, max(0.1, microseconds / 1_000_000))), note: "seconds (gmond: \(option.text) µs)")
                } else {
                    note(option, "gmond waits for a slow client forever; the agent gives it 10 s, so a stuck client can't hold a connection")
                }
            default: unknown(option, in: "tcp_accept_channel")
            }
        }
        if !timeout { out.comment("gmond: no timeout: gmond waits for a slow client forever; the agent gives it 10 s (timeout)") }
        try acl(section)
        out.comment("history_port = 8659   # serves recent values to plexus-aggregator's back-fill (gmetad never asks)")
    }

    func family(_ option: ConfuseOption) throws(MigrationError) -> String {
        let family = option.text.lowercased()
        guard family == "inet4" || family == "inet6" else { throw option.error("expected inet4 or inet6, found \(option.text.debugDescription)") }
        return family
    }

    /// gmond's `acl { default access { ip mask action } }` as `allow` (`AccessListImport`).
    mutating func acl(_ channel: ConfuseSection) throws(MigrationError) {
        guard let acl = channel.sections("acl").last else { return }
        var defaultAllows = true
        var entries: [AccessListImport.Entry] = []
        for option in acl.options {
            guard option.name == "default" else {
                unknown(option, in: "acl")
                continue
            }
            defaultAllows = try action(option)
        }
        for access in acl.sections("access") {
            guard let ip = access.option("ip"), let address = IPAddress(ip.text) else {
                throw MigrationError(file: access.place.file, line: access.place.line, reason: "access: ip must be an IPv4 or IPv6 address")
            }
            let mask = try access.option("mask")?.integer() ?? address.bytes.count * 8
            guard let block = CIDRBlock("\(address)/\(mask)") else {
                throw MigrationError(file: access.place.file, line: access.place.line, reason: "access: mask \(mask) doesn't fit \(address)")
            }
            guard let action = access.option("action") else {
                throw MigrationError(file: access.place.file, line: access.place.line, reason: "access: action (allow or deny) missing")
            }
            entries.append(.init(block: block, allow: try self.action(action)))
        }
        switch AccessListImport.allowed(defaultAllows: defaultAllows, entries: entries) {
        case .anyone:
            if !entries.isEmpty { out.comment("gmond's acl (\(acl.place)) lets every address in") }
        case .only(let blocks):
            // Whichever is shorter: the blocks let in, or the blocks kept out.
            let kept = CIDRArithmetic.subtracting(CIDRArithmetic.everything, blocks)
            out.comment("gmond's acl (\(acl.place)), as the addresses it \(kept.count < blocks.count ? "keeps out" : "lets in")")
            if kept.count < blocks.count {
                out.set("deny", TOMLText.strings(kept.map(\.description)))
            } else {
                out.set("allow", TOMLText.strings(blocks.map(\.description)))
            }
        case .nobody:
            // An allow-list can't be empty (that's everyone): the one address no packet comes from.
            out.comment("gmond's acl (\(acl.place)) lets no address in: only the unspecified address is allowed, which no packet comes from")
            out.set("allow", TOMLText.strings(["0.0.0.0/32", "::/128"]))
        }
    }

    func action(_ option: ConfuseOption) throws(MigrationError) -> Bool {
        switch option.text.lowercased() {
        case "allow": return true
        case "deny": return false
        default: throw option.error("expected \"allow\" or \"deny\", found \(option.text.debugDescription)")
        }
    }
}
