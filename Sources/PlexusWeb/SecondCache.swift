import Foundation
import Hummingbird
import NIOCore
import NIOPosix
import PlexusArchive
import PlexusCore
import PlexusStatus
import PlexusTransport
import Synchronization

/// Values made at most once a second per key, and by one caller at a time. Twenty clients (or
/// a wall of screens) asking for a thousand-host cluster page cost one render a second, not
/// twenty; and when the second turns, one of them remakes the value while the others take the
/// previous second's, instead of all twenty remaking it at once (that stampede, every second,
/// was the dashboard's p99). So a value is at most a second and one make old, like the data.
///
/// What is kept costs at most `budget` (each value's `cost`, 1 unless given): past it, values
/// of earlier seconds make room, and a value that still doesn't fit is handed out unkept.
final class SecondCache<Value: Sendable>: Sendable {
    private struct Entry {
        var second: Int64
        var value: Value
        var cost: Int
        /// A caller is making this key's value for a later second.
        var remaking = false
    }

    private struct Kept {
        var entries: [String: Entry] = [:]
        var spent = 0

        mutating func keep(_ key: String, _ entry: Entry, budget: Int) {
            if let old = entries.removeValue(forKey: key) { spent -= old.cost }
            if spent + entry.cost > budget {
                for (other, kept) in entries where kept.second < entry.second && !kept.remaking {
                    entries[other] = nil
                    spent -= kept.cost
                }
            }
            guard spent + entry.cost <= budget else { return }
            entries[key] = entry
            spent += entry.cost
        }
    }

    let budget: Int
    private let cost: @Sendable (Value) -> Int
    private let kept = Mutex(Kept())

    init(budget: Int, cost: @escaping @Sendable (Value) -> Int = { _ in 1 }) {
        self.budget = budget
        self.cost = cost
    }

    /// `key`'s value for the second `now`: kept, being remade by another caller (then the
    /// previous one), or made here by `make`.
    func value(_ key: String, now: Int64, make: () throws -> Value) rethrows -> Value {
        let ready: Value? = kept.withLock { kept in
            guard let entry = kept.entries[key] else { return nil }
            if entry.second == now || entry.remaking { return entry.value }
            kept.entries[key]?.remaking = true
            return nil
        }
        if let ready { return ready }
        do {
            let made = try make()
            let cost = cost(made)
            kept.withLock { $0.keep(key, Entry(second: now, value: made, cost: cost), budget: budget) }
            return made
        } catch {
            kept.withLock { $0.entries[key]?.remaking = false }
            throw error
        }
    }

    /// `key`'s value for the second `now` if it is kept (a peek: nothing is made or marked).
    func kept(_ key: String, now: Int64) -> Value? {
        kept.withLock { kept in kept.entries[key].flatMap { $0.second == now ? $0.value : nil } }
    }

    /// How much is kept now, and of how many keys.
    var usage: (spent: Int, keys: Int) { kept.withLock { ($0.spent, $0.entries.count) } }
}
