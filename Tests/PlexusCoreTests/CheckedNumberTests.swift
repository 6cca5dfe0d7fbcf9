import PlexusCore
import Testing

/// Numbers from outside become integers only through `Int64(wholePartOf:)`.
@Suite struct CheckedNumberTests {
    @Test(
        arguments: [
            (1e300, nil), (-1e300, nil), (Double.nan, nil), (Double.infinity, nil), (-Double.infinity, nil),
            (9.223372036854775807e18, nil), (-9.223372036854775808e18, Int64.min), (9.2233720368547748e18, 9_223_372_036_854_774_784),
            (1_795_543_200.9, 1_795_543_200), (-2.5, -2), (0, 0),
        ] as [(Double, Int64?)])
    func wholePartOrNil(_ value: Double, _ expected: Int64?) {
        #expect(Int64(wholePartOf: value) == expected)
    }

    @Test func finiteDropsWhatJSONCannotSay() {
        #expect(Double.nan.finite == nil && Double.infinity.finite == nil && (-Double.infinity).finite == nil)
        #expect(1.5.finite == 1.5)
    }
}
