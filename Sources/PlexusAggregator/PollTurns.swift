/// When a polled source's turns come, as a value (tests give it made-up instants): a turn
/// every `step` from the start; a poll still running when later turns come makes those turns
/// missed (counted), and the next poll waits for the first turn after it ends.
struct PollTurns<Instant: InstantProtocol> where Instant.Duration == Duration {
    let step: Duration
    /// The turn the poll now running was started for.
    private(set) var current: Instant

    init(step: Duration, start: Instant) {
        self.step = step
        current = start
    }

    /// A poll ended at `now`: the instant of the next turn, and the turns that passed meanwhile.
    mutating func next(after now: Instant) -> (turn: Instant, missed: Int) {
        var turn = current.advanced(by: step)
        var missed = 0
        if now > turn {
            missed = Int((turn.duration(to: now) / step).rounded(.down)) + 1
            turn = turn.advanced(by: step * missed)
        }
        current = turn
        return (turn, missed)
    }
}

/// Which address of a polled source to try first: the one that answered last, then the others
/// in the configured order (gmetad's failover, without its restart at the first address).
struct Failover: Equatable {
    let count: Int
    private(set) var preferred = 0

    init(count: Int) {
        self.count = count
    }

    /// The addresses' indices in the order to try them.
    var order: [Int] {
        [preferred] + (0..<count).filter { $0 != preferred }
    }

    mutating func answered(_ index: Int) {
        preferred = index
    }
}
