import PlexusCore
import PlexusTestSupport
import Testing

@Suite struct CIDRArithmeticTests {
    static func blocks(_ texts: [String]) -> [CIDRBlock] { texts.map { CIDRBlock($0)! } }

    static func inside(_ address: IPAddress, _ blocks: [CIDRBlock]) -> Bool { blocks.contains { $0.contains(address) } }

    /// Random blocks and addresses within 10.0.0.0/14, so that they overlap often.
    @Test func unionDifferenceAndIntersectionHoldTheSameAddressesAsTheirDefinitions() {
        var generator = SeededGenerator(seed: 0xC1D2)
        func random(_ bits: Int) -> Int { Int(truncatingIfNeeded: generator.next() >> 1) % (1 << bits) }
        func address() -> IPAddress { IPAddress("10.\(random(2)).\(random(8)).\(random(8))")! }
        func block() -> CIDRBlock { CIDRBlock("\(address())/\(14 + random(2) * 4)")! }
        for _ in 0..<60 {
            let a = (0..<(1 + random(3))).map { _ in block() }, b = (0..<(1 + random(3))).map { _ in block() }, c = block()
            let union = CIDRArithmetic.union(a + b), difference = CIDRArithmetic.subtracting(a, b)
            let intersection = CIDRArithmetic.intersecting(a, c)
            for _ in 0..<200 {
                let x = address()
                #expect(Self.inside(x, union) == (Self.inside(x, a) || Self.inside(x, b)))
                #expect(Self.inside(x, difference) == (Self.inside(x, a) && !Self.inside(x, b)))
                #expect(Self.inside(x, intersection) == (Self.inside(x, a) && c.contains(x)))
            }
            // Disjoint: no block of a result holds another.
            for result in [union, difference, intersection] {
                #expect(!result.enumerated().contains { i, x in result.enumerated().contains { j, y in i != j && x.contains(y.network) } })
            }
        }
    }

    @Test func siblingsJoinAndMappedBlocksAreIPv4() {
        #expect(CIDRArithmetic.union(Self.blocks(["10.0.0.0/25", "10.0.0.128/25", "10.0.1.0/24"])) == Self.blocks(["10.0.0.0/23"]))
        #expect(CIDRArithmetic.subtracting(CIDRArithmetic.everything, Self.blocks(["128.0.0.0/1", "::/0"])) == Self.blocks(["0.0.0.0/1"]))
        #expect(CIDRArithmetic.union(Self.blocks(["::ffff:10.0.0.0/104"])) == Self.blocks(["10.0.0.0/8"]))
        #expect(CIDRArithmetic.subtracting(Self.blocks(["10.0.0.0/8"]), Self.blocks(["10.0.0.0/8"])).isEmpty)
    }
}
