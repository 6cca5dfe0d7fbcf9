import PlexusCore
import PlexusTestSupport
import Testing

/// The fast decimal reader gives the very double `Double(String)` gives, or leaves the text to it.
@Suite struct DecimalTextTests {
    static func same(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let fast = DecimalText.double(text) else { return }
        let reference = Double(text)
        #expect(
            reference?.bitPattern == fast.bitPattern, "\(text.debugDescription): \(fast) against \(String(describing: reference))",
            sourceLocation: sourceLocation)
    }

    @Test func edgesAreReadAsTheCLibraryReadsThemOrLeftToIt() {
        for text in [
            "0", "-0", "+5", "5.", ".5", "-.5", "00012.5000", "9007199254740992", "9007199254740993", "0.1", "0.30000000000000004",
            "123456789012345678", "1234567890123456789012", "1e3", "nan", "inf", " 1", "1 ", "", "-", ".", "-.", "1.2.3", "0x10", "12,5", "١٢",
        ] {
            Self.same(text)
        }
        #expect(DecimalText.double("12.50") == 12.5 && DecimalText.double("-3") == -3 && DecimalText.double("0.001") == 0.001)
        #expect(DecimalText.double("-0")?.sign == .minus)
        for rejected in ["", "-", ".", "1e3", "nan", " 1", "1.2.3", "9007199254740993", "0.00000000000000000000001"] {
            #expect(DecimalText.double(rejected) == nil, "\(rejected.debugDescription)")
        }
    }

    @Test func randomDecimalsMatchBitForBit() {
        var rng = SeededGenerator(seed: 0xDEC1)
        for _ in 0..<200_000 {
            let integer = rng.next() % (rng.next() % 2 == 0 ? 1000 : 1 << 53)
            let decimals = Int(rng.next() % 12)
            var text = (rng.next() % 3 == 0 ? "-" : "") + String(integer)
            if decimals > 0 {
                text += "." + String((0..<decimals).map { _ in Character(String(rng.next() % 10)) })
            }
            Self.same(text)
        }
    }
}
