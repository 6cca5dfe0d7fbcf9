import Foundation
import PlexusCore
import Testing

@testable import PlexusArchive

/// Times and spans are checked before librrd sees them.
@Suite struct TimeLimitsTests {
    static let now: Int64 = 1_795_543_200

    @Test(arguments: [
        ("1000000000", "5000000000", "more than 366 days from now"),
        ("100000000", "now", "before 2000-01-01"),
        ("-999999999999w", "now", "before 2000-01-01"),
        ("-5200w", "now", "before 2000-01-01"),
        ("-200w", "now", "longer than the 732 days"),
        ("2020-01-01", "2026-01-01", "longer than the 732 days"),
    ])
    func badTimesAreTheAskersMistake(start: String, end: String, message: String) {
        let selection = SeriesSelection(report: "cpu", start: start, end: end)
        #expect {
            _ = try selection.timeRange(now: Self.now, timeZone: TimeZone(identifier: "UTC")!)
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test func namedRangesAndOrdinarySpansPass() throws {
        for range in GraphRequest.NamedRange.allCases {
            _ = try SeriesSelection(report: "cpu", range: range.rawValue).timeRange(now: Self.now)
        }
        _ = try SeriesSelection(report: "cpu", start: "-2w", end: "+1h").timeRange(now: Self.now)
    }

    @Test func theSpanFollowsTheCoarsestArchive() {
        // gmetad's defaults: a year at 10 minutes, so two years.
        #expect(TimeLimits(archives: RRASpec.gmetadDefaults, step: 15).maxSpan >= 2 * 365 * 86_400)
        // Five years at a day per row for 60 s sources: ten years.
        let long = TimeLimits(archives: [RRASpec(steps: 1440, rows: 1826)], step: 60)
        #expect(long.maxSpan == 2 * 1440 * 60 * 1826)
        // Archives of a few minutes still allow every named range.
        #expect(TimeLimits(archives: [RRASpec(steps: 1, rows: 10)], step: 15).maxSpan == TimeLimits.minimumSpan)
        // An absurd RRA saturates instead of overflowing.
        #expect(TimeLimits(archives: [RRASpec(steps: Int.max / 2, rows: Int.max / 2)], step: 15).maxSpan > 0)
    }

    @Test func tooManyRowsNameTheStepThatFits() throws {
        let limits = TimeLimits()
        #expect(limits.problem(step: 15, start: Self.now - 86_400, end: Self.now) == nil)
        let problem = try #require(limits.problem(step: 1, start: Self.now - 365 * 86_400, end: Self.now))
        #expect(problem.contains("31536000 rows, more than 60000: use a step of at least 526 s"))
    }
}
