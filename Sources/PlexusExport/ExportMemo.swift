/// What a writer made for each series of a stream's last poll, place by place: the bytes that
/// name a series (a Graphite path, a remote-write series' labels), to copy rather than make
/// again. A source's polls list the same hosts and metrics in the same order, so a place's
/// series are matched by position: the next value's metric and group against the next entry,
/// by `==`, which for texts the poller shares (`TextTable`) is a comparison of two words. At
/// the first entry that doesn't match, the rest of the place is made afresh and becomes its
/// entries for the next poll. Places the last poll didn't write are forgotten, so the memo
/// holds a poll's series, no more (docs/exports.md#memory).
public struct ExportMemo: Sendable {
    /// The series of one place, in the order they were written.
    struct Place: Sendable {
        var metrics: [String] = []
        var groups: [String?] = []
        /// Where each entry's bytes end in `bytes`.
        var ends: [Int32] = []
        var bytes: [UInt8] = []

        var count: Int { ends.count }

        func range(_ i: Int) -> Range<Int> { (i == 0 ? 0 : Int(ends[i - 1]))..<Int(ends[i]) }

        mutating func append(_ metric: String, _ group: String?, _ entry: some Collection<UInt8>) {
            metrics.append(metric)
            groups.append(group)
            bytes += entry
            ends.append(Int32(bytes.count))
        }

        /// The first `n` entries as a place of their own.
        func prefix(_ n: Int) -> Place {
            var head = Place()
            head.metrics = Array(metrics.prefix(n))
            head.groups = Array(groups.prefix(n))
            head.ends = Array(ends.prefix(n))
            head.bytes = Array(bytes.prefix(n == 0 ? 0 : Int(ends[n - 1])))
            return head
        }
    }

    /// The last poll's places, in the order written.
    var places: [(place: ExportSample.Place, series: Place)] = []

    public init() {}

    /// Series held, over all places.
    public var series: Int { places.reduce(0) { $0 + $1.series.count } }
    /// Bytes of names held.
    public var bytes: Int { places.reduce(0) { $0 + $1.series.bytes.count } }
}

/// A writer's walk through its memo during one poll: places are matched by position too (the
/// next one the last poll wrote), and looked up by name only when they come out of that order.
struct MemoCursor {
    private let last: [(place: ExportSample.Place, series: ExportMemo.Place)]
    /// The last poll's place expected next.
    private var next = 0
    /// The last poll's places by name, made the first time one comes out of order.
    private var index: [ExportSample.Place: Int]?
    /// The places written so far: the next poll's memo.
    private var done: [(place: ExportSample.Place, series: ExportMemo.Place)] = []
    private var place: ExportSample.Place?
    private var current = ExportMemo.Place()
    /// Entries of `current` matched so far.
    private var matched = 0
    /// Whether `current` stopped matching: it is being made afresh from `matched` on.
    private var fresh = false

    init(_ memo: ExportMemo) {
        last = memo.places
        done.reserveCapacity(memo.places.count)
    }

    /// The values that follow are of `place`.
    mutating func begin(_ place: ExportSample.Place) {
        close()
        self.place = place
        matched = 0
        fresh = false
        if next < last.count, last[next].place == place {
            current = last[next].series
            next += 1
            return
        }
        if index == nil { index = Dictionary(last.enumerated().map { ($1.place, $0) }, uniquingKeysWith: { first, _ in first }) }
        if let k = index?[place] {
            current = last[k].series
            next = k + 1
        } else {
            current = ExportMemo.Place()
        }
    }

    /// The length of the memo's bytes for the next series if its next entry is `metric` of
    /// `group` (`appendMatched` writes them); nil if not, and the caller makes them and gives
    /// them to `record`.
    mutating func match(_ metric: String, group: String?) -> Int? {
        guard !fresh, matched < current.count, current.metrics[matched] == metric, current.groups[matched] == group else { return nil }
        matched += 1
        return current.range(matched - 1).count
    }

    /// Appends the bytes of the entry `match` found.
    func appendMatched(to out: inout [UInt8]) {
        withMatched { out.append(contentsOf: $0) }
    }

    /// The bytes of the entry `match` found, where they lie.
    func withMatched<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let range = current.range(matched - 1)
        return current.bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    /// The bytes made for the next series: the place's entries from here on are this poll's.
    mutating func record(_ metric: String, group: String?, _ bytes: some Collection<UInt8>) {
        if !fresh {
            current = current.prefix(matched)
            fresh = true
        }
        current.append(metric, group, bytes)
    }

    private mutating func close() {
        guard let place else { return }
        if !fresh, matched < current.count { current = current.prefix(matched) }
        done.append((place, current))
        self.place = nil
    }

    /// The memo for the next poll: the places written in this one.
    mutating func finish() -> ExportMemo {
        close()
        var memo = ExportMemo()
        memo.places = done
        return memo
    }
}
