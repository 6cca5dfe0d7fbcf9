import PlexusCore

/// gmond's `acl { default = …; access { ip, mask, action } … }` as the agent's `allow` and
/// `deny` lists. gmond takes the first `access` whose block holds the address, else the
/// default; the addresses that lets in are worked out exactly (`CIDRArithmetic`), then written
/// as whichever is shorter: the blocks let in (`allow`), or those kept out (`deny`).
public enum AccessListImport {
    public enum Outcome: Sendable, Equatable {
        case anyone
        /// These blocks only (IPv4-mapped IPv6 blocks as IPv4: the agent unmaps addresses).
        case only([CIDRBlock])
        /// No address at all: a channel nobody may use.
        case nobody
    }

    public struct Entry: Sendable, Equatable {
        public var block: CIDRBlock
        public var allow: Bool

        public init(block: CIDRBlock, allow: Bool) {
            self.block = block
            self.allow = allow
        }
    }

    public static func allowed(defaultAllows: Bool, entries: [Entry]) -> Outcome {
        var undecided = CIDRArithmetic.everything
        var allowed: [CIDRBlock] = []
        for entry in entries {
            if entry.allow { allowed += CIDRArithmetic.intersecting(undecided, entry.block) }
            undecided = CIDRArithmetic.subtracting(undecided, [entry.block])
        }
        if defaultAllows { allowed += undecided }
        let merged = CIDRArithmetic.union(allowed)
        if merged.isEmpty { return .nobody }
        return merged == CIDRArithmetic.everything ? .anyone : .only(merged)
    }
}
