import Foundation
import PlexusCore
import PlexusTestSupport
import Testing

@testable import PlexusAggregator

/// The aggregator's decisions as values, driven with made-up instants.
@Suite struct DecisionTests {
    struct Turn: Equatable {
        var at: TestInstant
        var missed: Int
        init(_ at: TestInstant, _ missed: Int) {
            self.at = at
            self.missed = missed
        }
    }

    static func next(_ turns: inout PollTurns<TestInstant>, after now: TestInstant) -> Turn {
        let (at, missed) = turns.next(after: now)
        return Turn(at, missed)
    }

    @Test func pollsOnTimeAreOneStepApart() {
        var turns = PollTurns(step: .seconds(15), start: TestInstant.seconds(0))
        #expect(Self.next(&turns, after: .seconds(2)) == Self.Turn(TestInstant.seconds(15), 0))
        #expect(Self.next(&turns, after: .seconds(15.5)) == Self.Turn(TestInstant.seconds(30), 0))
        // A poll ending exactly at its next turn has missed nothing.
        #expect(Self.next(&turns, after: .seconds(45)) == Self.Turn(TestInstant.seconds(45), 0))
    }

    @Test func aPollThatOverrunsMissesTheTurnsItOverlapped() {
        var turns = PollTurns(step: .seconds(10), start: TestInstant.seconds(100))
        // Started at 100, ended at 135: the turns at 110, 120 and 130 passed; the next is 140.
        #expect(Self.next(&turns, after: .seconds(135)) == Self.Turn(TestInstant.seconds(140), 3))
        #expect(Self.next(&turns, after: .seconds(141)) == Self.Turn(TestInstant.seconds(150), 0))
        // Just past one turn: one missed.
        #expect(Self.next(&turns, after: .seconds(160.001)) == Self.Turn(TestInstant.seconds(170), 1))
    }

    @Test func failoverTriesTheAddressThatAnsweredLastFirst() {
        var failover = Failover(count: 3)
        #expect(failover.order == [0, 1, 2])
        failover.answered(2)
        #expect(failover.order == [2, 0, 1])
        failover.answered(1)
        #expect(failover.order == [1, 0, 2])
        #expect(Failover(count: 1).order == [0])
    }
}
