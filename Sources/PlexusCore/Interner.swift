/// Shares one copy of strings and extra-data lists that repeat across hosts and metrics (units,
/// TITLE, DESC, GROUP, SPOOF_HOST): a cluster of 1,000 hosts announces the same ~30 metadata
/// texts 1,000 times. Bounded in entries and in bytes (what it keeps outlives the metrics that
/// brought it), so hostile unique texts can't grow it: past a bound values are simply kept
/// unshared, and go when their metric goes.
struct Interner: Sendable {
    private var strings: Set<String> = []
    private var lists: Set<[ExtraElement]> = []
    private var bytes = 0
    let limit: Int
    let byteLimit: Int

    init(limit: Int = 100_000, byteLimit: Int = 4 << 20) {
        self.limit = limit
        self.byteLimit = byteLimit
    }

    mutating func string(_ text: String) -> String {
        // Short strings live inline in the String value: nothing to share.
        let size = text.utf8.count
        guard size > 15 else { return text }
        if let index = strings.firstIndex(of: text) { return strings[index] }
        if strings.count < limit, bytes + size <= byteLimit {
            strings.insert(text)
            bytes += size
        }
        return text
    }

    mutating func extraData(_ list: [ExtraElement]) -> [ExtraElement] {
        if let index = lists.firstIndex(of: list) { return lists[index] }
        let shared = list.map { ExtraElement(name: string($0.name), value: string($0.value)) }
        // A kept list keeps its texts too, shared or not.
        let size = list.reduce(0) { $0 + 16 + $1.name.utf8.count + $1.value.utf8.count }
        if lists.count < limit, bytes + size <= byteLimit {
            lists.insert(shared)
            bytes += size
        }
        return shared
    }

    mutating func metadata(_ metadata: MetricMetadata) -> MetricMetadata {
        var result = metadata
        result.name = string(metadata.name)
        result.units = string(metadata.units)
        result.extraData = extraData(metadata.extraData)
        return result
    }
}
