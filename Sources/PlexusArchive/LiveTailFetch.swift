internal import CRRD
import Glibc
import PlexusCore
import Synchronization

/// librrd's side of the live tail: graphs and exports name their files `cb//PATH`
/// (`TailSplice.throughTail`), and librrd asks `fetch` for them. It reads the file as librrd
/// would (`rrd_fetch_r`) and fills the rows the file doesn't have yet from the tail
/// (`TailSplice.fill`). For a file more than the tail behind (rrdcached holding writes longer
/// than `live_tail_seconds`), what rrdcached holds for it (`PENDING`) fills the rows between the
/// file's end and the tail's start: no `FLUSH`, ever.
///
/// Process-wide, as librrd's callback is: `install` once (the aggregator's reader).
enum LiveTailFetch {
    struct Context: Sendable {
        var tail: LiveTail
        var layout: RRDLayout
        /// rrdcached's `PENDING` lines for a file, when one is in use.
        var pending: (@Sendable (String) -> [String])?
    }

    private static let context = Mutex<Context?>(nil)
    private static let registered = Atomic<Bool>(false)

    /// Makes `cb//` DEFs read through `context` (the last installed wins).
    static func install(_ context: Context) {
        self.context.withLock { $0 = context }
        if !registered.exchange(true, ordering: .acquiringAndReleasing) { rrd_fetch_cb_register(fetch) }
    }

    /// Files the tail didn't reach back to, read with what rrdcached holds for them; and cells
    /// filled.
    static let pendingReads = Atomic<Int>(0)
    static let filled = Atomic<Int>(0)

    private static let fetch: plexus_rrd_fetch_cb_t = { name, cf, start, end, step, count, names, data in
        guard let name, let start, let end, let step, let count, let names, let data else { return -1 }
        let full = String(cString: name)
        let path = full.hasPrefix(TailSplice.prefix) ? String(full.dropFirst(TailSplice.prefix.count)) : full
        let consolidation = TailSplice.Consolidation(rawValue: Int(cf)) ?? .average
        let context = LiveTailFetch.context.withLock { $0 }
        let keys = context?.layout.keys(ofPath: path) ?? []
        // The series the tail holds for this file (a cluster's and a grid's summary share a path).
        let key = context.flatMap { context in keys.first { context.tail.oldest($0) != nil } } ?? keys.first
        let oldest = key.flatMap { context?.tail.oldest($0) }
        // A file further behind than the tail reaches: what rrdcached holds for it fills the gap.
        var held: [String] = []
        if let context, let pending = context.pending, key != nil {
            rrd_clear_error()
            let last = Int64(rrd_last_r(path))  // the header's last update; -1 when unreadable
            if last >= 0, oldest.map({ $0 > last + Int64(context.tail.step) }) ?? true, Int64(end.pointee) > last {
                held = pending(path)
                pendingReads.add(1, ordering: .relaxed)
            }
            rrd_clear_error()
        }
        guard rrd_fetch_r(path, consolidation.name, start, end, step, count, names, data) == 0 else { return -1 }
        guard let context, let key, let values = data.pointee, let columns = names.pointee else { return 0 }
        let width = Int(count.pointee)
        let rows = step.pointee > 0 && end.pointee > start.pointee ? Int((end.pointee - start.pointee) / time_t(step.pointee)) : 0
        let dataSources = (0..<width).map { columns[$0].map { String(cString: $0) } ?? "" }
        let counter = context.tail.isCounter(key)
        let pending = RRDCachedClient.pendingEntries(held, dataSources: width)
        let cells = TailSplice.fill(
            UnsafeMutableBufferPointer(start: values, count: rows * width), rows: rows, columns: width, start: Int64(start.pointee),
            step: Int(step.pointee), consolidation: consolidation, counter: counter
        ) { column in
            let tail = context.tail.entries(key, dataSource: dataSources[column], after: Int64(start.pointee) - Int64(step.pointee) * 2)
            // rrdcached's held updates, then the tail's newer values.
            let older = pending[column].filter { $0.time < (tail.first?.time ?? .max) }
            return older + tail
        }
        filled.add(cells, ordering: .relaxed)
        return 0
    }
}
