import PlexusCore
import PlexusTestSupport
import Testing

@testable import PlexusMigration

@Suite struct AccessListImportTests {
    /// gmond's rule: the first entry whose block holds the address decides, else the default.
    static func gmondAllows(_ address: IPAddress, defaultAllows: Bool, entries: [AccessListImport.Entry]) -> Bool {
        entries.first { $0.block.contains(address) }?.allow ?? defaultAllows
    }

    static func entry(_ block: String, _ allow: Bool) -> AccessListImport.Entry { .init(block: CIDRBlock(block)!, allow: allow) }

    @Test func theListAdmitsExactlyTheAddressesGmondsACLDoes() throws {
        let acls: [(Bool, [AccessListImport.Entry])] = [
            (false, [Self.entry("192.168.0.4/32", true)]),
            (true, [Self.entry("192.168.0.0/24", false), Self.entry("::ff:1.2.3.0/120", false)]),
            // First match wins: the allowed host inside the denied block stays allowed.
            (true, [Self.entry("10.1.2.3/32", true), Self.entry("10.0.0.0/8", false)]),
            (false, [Self.entry("10.0.0.0/8", false), Self.entry("10.1.0.0/16", true), Self.entry("172.16.0.0/12", true)]),
            (false, [Self.entry("0.0.0.0/0", true), Self.entry("::/0", true)]),
        ]
        var generator = SeededGenerator(seed: 21)
        let probes: [IPAddress] =
            ["192.168.0.4", "192.168.0.5", "192.168.1.1", "10.1.2.3", "10.1.9.9", "10.2.0.1", "172.16.5.5", "172.32.0.1", "::1", "::ff:1.2.3.4", "2001:db8::1"]
            .compactMap(IPAddress.init)
            + (0..<2000).map { _ in
                let n = Int(truncatingIfNeeded: generator.next() >> 1)
                return IPAddress("\(10 + n % 3 * 81).\(n >> 8 % 256 & 255).\(n >> 16 & 255).\(n >> 24 & 255)")!
            }
        for (defaultAllows, entries) in acls {
            let outcome = AccessListImport.allowed(defaultAllows: defaultAllows, entries: entries)
            let list: [CIDRBlock]
            switch outcome {
            case .anyone: list = []
            case .only(let blocks): list = blocks
            case .nobody:
                Issue.record("\(entries) lets someone in")
                continue
            }
            for address in probes {
                #expect(list.allows(address) == Self.gmondAllows(address, defaultAllows: defaultAllows, entries: entries), "\(address) \(entries) \(list)")
            }
        }
    }

    @Test func denyingOneBlockAllowsTheBlocksAroundIt() {
        let outcome = AccessListImport.allowed(defaultAllows: true, entries: [Self.entry("128.0.0.0/1", false), Self.entry("::/0", false)])
        #expect(outcome == .only([CIDRBlock("0.0.0.0/1")!]))
        #expect(AccessListImport.allowed(defaultAllows: true, entries: []) == .anyone)
        #expect(AccessListImport.allowed(defaultAllows: false, entries: []) == .nobody)
        #expect(AccessListImport.allowed(defaultAllows: false, entries: [Self.entry("10.0.0.0/8", false)]) == .nobody)
        // An IPv4-mapped IPv6 block is the IPv4 block it maps (the agent unmaps addresses too).
        #expect(AccessListImport.allowed(defaultAllows: false, entries: [Self.entry("::ffff:172.16.0.0/108", true)]) == .only([CIDRBlock("172.16.0.0/12")!]))
        // Siblings join: two /25s are one /24.
        #expect(
            AccessListImport.allowed(defaultAllows: false, entries: [Self.entry("10.0.0.0/25", true), Self.entry("10.0.0.128/25", true)])
                == .only([CIDRBlock("10.0.0.0/24")!]))
    }
}
