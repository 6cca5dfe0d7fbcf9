/// Shares one copy of strings and extra-data lists that repeat across hosts and metrics (units,
/// TITLE, DESC, GROUP, SPOOF_HOST): a cluster of 1,000 hosts announces the same ~30 metadata
/// texts 1,000 times. Bounded, so hostile unique texts can't grow it without limit; past the
/// bound values are simply kept unshared.
struct Interner: Sendable {
    private var strings: Set<String> = []
    private var lists: Set<[ExtraElement]> = []
    let limit: Int

    init(limit: Int = 100_000) {
        self.limit = limit
    }

    mutating func string(_ text: String) -> String {
        // Short strings live inline in the String value: nothing to share.
        guard text.utf8.count > 15 else { return text }
        if let index = strings.firstIndex(of: text) { return strings[index] }
        if strings.count < limit { strings.insert(text) }
        return text
    }

    mutating func extraData(_ list: [ExtraElement]) -> [ExtraElement] {
        if let index = lists.firstIndex(of: list) { return lists[index] }
        let shared = list.map { ExtraElement(name: string($0.name), value: string($0.value)) }
        if lists.count < limit { lists.insert(shared) }
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
