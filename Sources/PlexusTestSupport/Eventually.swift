/// Whether `condition` holds within `seconds` of waiting, checked every `every`: an event the
/// test waits for, never a time it sleeps. What counts is the time actually waited: a sleep that
/// overslept (the whole test process stalled, as it can on a loaded two-core machine) counts as
/// five steps at most, not as the stall, since what the condition waits for was stalled too.
///
/// The condition may be async: checks that talk to a process or a socket do so off the
/// cooperative pool (`onOwnThread`, `Executable.run`), never blocking one of its two threads.
public func eventually(
    seconds: Double = 20, every step: Duration = .milliseconds(50), _ condition: () async -> Bool
) async -> Bool {
    let clock = ContinuousClock()
    let limit = Duration.milliseconds(Int(seconds * 1000))
    var waited = Duration.zero
    while waited < limit {
        if await condition() { return true }
        let before = clock.now
        try? await Task.sleep(for: step)
        waited += min(clock.now - before, step * 5)
    }
    return await condition()
}

extension Sequence {
    /// `map` with a transform that awaits, one element after the other.
    public func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
