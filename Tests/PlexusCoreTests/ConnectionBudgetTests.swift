import PlexusCore
import Testing

@Suite struct ConnectionBudgetTests {
    static func ip(_ text: String) -> IPAddress { IPAddress(text)! }

    @Test func untrustedAddressesAreRefusedBeforeAnythingIsCounted() {
        var budget = ConnectionBudget(limits: .init(total: 2, perAddress: 2))
        #expect(budget.admit(Self.ip("192.0.2.1"), trusted: false, now: 0) == .untrusted)
        #expect(budget.open == 0 && budget.perClient.isEmpty)
    }

    @Test func oneAddressGetsItsShareAndTheRestStayOpenToOthers() {
        var budget = ConnectionBudget(limits: .init(total: 4, perAddress: 2))
        let a = Self.ip("192.0.2.1"), b = Self.ip("192.0.2.2")
        // All four are regulars, so the reserved place is open to them.
        for address in [a, b, Self.ip("192.0.2.3")] { budget.served(address, now: 0) }
        #expect(budget.admit(a, trusted: true, now: 0) == .admit)
        #expect(budget.admit(a, trusted: true, now: 0) == .admit)
        #expect(budget.admit(a, trusted: true, now: 0) == .addressFull(limit: 2))
        #expect(budget.admit(b, trusted: true, now: 0) == .admit)
        #expect(budget.admit(b, trusted: true, now: 0) == .admit)
        #expect(budget.admit(Self.ip("192.0.2.3"), trusted: true, now: 0) == .full(limit: 4))
        budget.release(a)
        #expect(budget.open == 3)
        #expect(budget.admit(Self.ip("192.0.2.3"), trusted: true, now: 0) == .admit)
        // Releasing everything leaves nothing behind.
        for address in [a, b, b, Self.ip("192.0.2.3")] { budget.release(address) }
        #expect(budget.open == 0 && budget.perClient.isEmpty)
        // A release of something never admitted changes nothing.
        budget.release(a)
        #expect(budget.open == 0)
    }

    @Test func ipv6ClientsAreCountedPerSlash64AndMappedIPv4AsIPv4() {
        var budget = ConnectionBudget(limits: .init(total: 10, perAddress: 2))
        #expect(budget.admit(Self.ip("2001:db8:1:2::1"), trusted: true, now: 0) == .admit)
        #expect(budget.admit(Self.ip("2001:db8:1:2::ffff"), trusted: true, now: 0) == .admit)
        #expect(budget.admit(Self.ip("2001:db8:1:2:abcd::9"), trusted: true, now: 0) == .addressFull(limit: 2))
        #expect(budget.admit(Self.ip("2001:db8:1:3::1"), trusted: true, now: 0) == .admit)
        #expect(Self.ip("::ffff:192.0.2.7").clientKey == Self.ip("192.0.2.7").clientKey)
    }

    @Test(arguments: [(512, 1024, 256, 512), (512, 600, 256, 344), (512, 200, 256, 1), (64, 65536, 256, 64)])
    func theTotalStaysUnderTheDescriptorLimit(configured: Int, descriptors: Int, reserve: Int, expected: Int) {
        #expect(ConnectionBudget.total(configured: configured, descriptors: descriptors, reserve: reserve) == expected)
    }

    /// A crowd of new addresses fills all but the last quarter; a poller that was served in the
    /// last ten minutes still gets in, a newcomer does not.
    @Test func theLastQuarterIsKeptForRegulars() {
        var budget = ConnectionBudget(limits: .init(total: 8, perAddress: 8))
        let poller = Self.ip("10.0.0.1"), stale = Self.ip("10.0.0.2")
        budget.served(poller, now: 1000)
        budget.served(stale, now: 1000)
        for i in 0..<6 { #expect(budget.admit(Self.ip("192.0.2.\(i)"), trusted: true, now: 1000) == .admit) }
        #expect(budget.admit(Self.ip("192.0.2.99"), trusted: true, now: 1000) == .full(limit: 6))
        #expect(budget.admit(poller, trusted: true, now: 1500) == .admit)
        #expect(budget.admit(stale, trusted: true, now: 1700) == .full(limit: 6), "ten minutes since its last exchange")
        #expect(budget.admit(poller, trusted: true, now: 1500) == .admit)
        #expect(budget.admit(poller, trusted: true, now: 1500) == .full(limit: 8))
    }
}
