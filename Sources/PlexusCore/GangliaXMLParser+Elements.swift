extension GangliaXMLParser {
    mutating func parseHost(selfClosing: Bool) throws(XMLError) -> Host {
        let name = try requiredName(HostName.self, element: .host)
        var host = Host(
            name: name,
            ip: try requiredString(.ip, element: .host),
            reported: try requiredInteger(.reported, element: .host),
            tn: try optionalCount(.tn, element: .host),
            tmax: try optionalCount(.tmax, element: .host),
            dmax: try optionalCount(.dmax, element: .host),
            location: optionalString(.location, default: "unspecified"),
            gmondStarted: try optionalInteger(.gmondStarted, element: .host) ?? 0,
            tags: optionalString(.tags))
        pendingMetrics.removeAll(keepingCapacity: true)
        if !selfClosing { try parseChildren(of: .host) }
        host.metrics = pendingMetrics
        return host
    }

    mutating func parseMetric(selfClosing: Bool) throws(XMLError) -> Metric {
        let name = try requiredName(MetricName.self, element: .metric, shared: true)
        var metric = Metric(
            name: name,
            value: try requiredString(.val, element: .metric),
            type: try requiredType(element: .metric),
            units: sharedString(.units),
            tn: try optionalCount(.tn, element: .metric),
            tmax: try optionalCount(.tmax, element: .metric),
            dmax: try optionalCount(.dmax, element: .metric),
            slope: try optionalSlope(element: .metric))
        startExtraData()
        if !selfClosing { try parseChildren(of: .metric) }
        metric.extraData = takeExtraData()
        return metric
    }

    mutating func parseExtraElement(selfClosing: Bool) throws(XMLError) -> ExtraElement {
        var hash = pendingExtraHash
        let element = ExtraElement(
            name: try requiredSharedString(.name, element: .extraElement, listHash: &hash),
            value: try requiredSharedString(.val, element: .extraElement, listHash: &hash))
        pendingExtraHash = hash
        if !selfClosing { try parseChildren(of: .extraElement) }
        return element
    }

    func parseHostCounts() throws(XMLError) -> HostCounts {
        guard let up = Int(exactly: try requiredInteger(.up, element: .hosts)), up >= 0 else {
            throw .invalidAttribute(element: "HOSTS", attribute: "UP", value: optionalString(.up))
        }
        guard let down = Int(exactly: try requiredInteger(.down, element: .hosts)), down >= 0 else {
            throw .invalidAttribute(element: "HOSTS", attribute: "DOWN", value: optionalString(.down))
        }
        return HostCounts(up: up, down: down, source: optionalString(.source, default: "gmetad"))
    }

    mutating func parseMetricSummary(selfClosing: Bool) throws(XMLError) -> MetricSummary {
        let name = try requiredName(MetricName.self, element: .metrics)
        let sumText = try requiredString(.sum, element: .metrics)
        guard let sum = Double(sumText.trimmingASCIIWhitespace()), sum.isFinite else {
            throw .invalidAttribute(element: "METRICS", attribute: "SUM", value: sumText)
        }
        let num = try requiredInteger(.num, element: .metrics)
        guard num >= 0, let count = Int(exactly: num) else {
            throw .invalidAttribute(element: "METRICS", attribute: "NUM", value: String(num))
        }
        var summary = MetricSummary(
            name: name, sum: sum, precision: MetricSummary.precision(of: sumText), num: count,
            type: try requiredType(element: .metrics), units: optionalString(.units),
            slope: try optionalSlope(element: .metrics), source: optionalString(.source, default: "gmond"))
        startExtraData()
        if !selfClosing { try parseChildren(of: .metrics) }
        summary.extraData = takeExtraData()
        return summary
    }

    // MARK: - Extra data

    private mutating func startExtraData() {
        pendingExtra.removeAll(keepingCapacity: true)
        pendingExtraHash = texts.emptyListHash
        pendingBlock = nil
    }

    /// The extra data read for the current metric or summary, shared through `texts`.
    private mutating func takeExtraData() -> [ExtraElement] {
        if let block = pendingBlock {
            pendingBlock = nil
            return block.elements
        }
        // Shared, pendingExtra stays the only owner of its buffer: no copy when it is emptied.
        return texts.list(pendingExtra, hash: pendingExtraHash)
    }

    /// The content of an EXTRA_DATA element. Every host repeats each metric's extra data byte
    /// for byte (GROUP, DESC, TITLE: two thirds of a gmond document), so content read before
    /// without a fault is looked up by its bytes in `texts` and stepped over: the same elements
    /// as reading it again, for a hash and a compare instead of five tags and six texts. The
    /// content is taken up to the first `</EXTRA_DATA>`; when the element really ends elsewhere
    /// (that text inside a quoted value, a spaced end tag), it is read as usual and not kept.
    /// The longest EXTRA_DATA content (with its end tag) looked up and remembered; gmond's are
    /// about 200 bytes.
    static let maxRememberedExtraData = 16 << 10

    mutating func parseExtraData() throws(XMLError) {
        if let block = pendingBlock {
            // A second EXTRA_DATA in one metric: carry on from the first one's elements.
            pendingBlock = nil
            pendingExtra.append(contentsOf: block.elements)
            pendingExtraHash = block.listHash
        }
        let start = lexer.position
        // Looked for within a bound: a document of unclosed EXTRA_DATAs must not make every one
        // of them search to the end (quadratic); larger contents are simply read.
        guard texts.isEnabled, pendingExtra.isEmpty, let end = lexer.find("</EXTRA_DATA>", from: start, within: Self.maxRememberedExtraData)
        else {
            return try parseChildren(of: .extraData)
        }
        let after = end + 13
        let raw = UnsafeBufferPointer(start: lexer.base + start, count: end - start)
        let hash = texts.hash(raw)
        if let block = texts.block(raw, hash: hash) {
            pendingBlock = block
            lexer.position = after
            return
        }
        let skipped = report.skippedCount
        try parseChildren(of: .extraData)
        guard lexer.position == after, report.skippedCount == skipped else { return }
        let elements = texts.list(pendingExtra, hash: pendingExtraHash)
        texts.remember(block: raw, hash: hash, as: TextTable.Block(elements: elements, listHash: pendingExtraHash))
    }

    /// Steps over an element the DTD doesn't know, nesting included.
    mutating func skipContent(nameStart: Int, nameEnd: Int) throws(XMLError) {
        let name = lexer.text(nameStart, nameEnd)
        var depth = 0
        while true {
            switch try lexer.next() {
            case .eof:
                throw .unexpectedEnd(inside: "<\(name)>")
            case .start(_, let s, let e, let selfClosing):
                if !selfClosing, lexer.text(s, e) == name { depth += 1 }
            case .end(_, let s, let e):
                guard lexer.text(s, e) == name else { continue }
                if depth == 0 { return }
                depth -= 1
            }
        }
    }

    // MARK: - Attributes of the current start tag

    mutating func requiredName<Kind: NameKind>(_: Name<Kind>.Type, element: XMLElementName, shared: Bool = false) throws(XMLError) -> Name<Kind> {
        guard let attribute = lexer.attribute(.name) else { throw .missingAttribute(element: element.text, attribute: "NAME") }
        if !attribute.hasAmpersand && !attribute.hasHighBytes {
            // ASCII as written: the bytes are the name's UTF-8, checked before a String is made.
            if let problem = Name<Kind>.problem(withBytes: lexer.raw(attribute)) {
                throw .invalidName(NameError(kind: Kind.label, name: lexer.string(attribute), problem: problem))
            }
            var unused: UInt64 = 0
            return Name(validated: shared ? self.shared(attribute, listHash: &unused) : lexer.string(attribute))
        }
        let raw = try shared ? requiredSharedString(.name, element: element) : requiredString(.name, element: element)
        do {
            return try Name<Kind>(raw)
        } catch {
            throw .invalidName(error)
        }
    }

    func requiredString(_ key: XMLAttributeName, element: XMLElementName) throws(XMLError) -> String {
        guard let attribute = lexer.attribute(key) else {
            throw .missingAttribute(element: element.text, attribute: key.text)
        }
        return lexer.string(attribute)
    }

    func optionalString(_ key: XMLAttributeName, default value: String = "") -> String {
        lexer.attribute(key).map(lexer.string) ?? value
    }

    /// A text every host repeats, through `texts`: the same String as last time when it was
    /// seen before. Values with entities or non-ASCII bytes are decoded as usual, unshared.
    mutating func sharedString(_ key: XMLAttributeName) -> String {
        guard let attribute = lexer.attribute(key) else { return "" }
        var unused: UInt64 = 0
        return shared(attribute, listHash: &unused)
    }

    mutating func requiredSharedString(_ key: XMLAttributeName, element: XMLElementName) throws(XMLError) -> String {
        var unused: UInt64 = 0
        return try requiredSharedString(key, element: element, listHash: &unused)
    }

    /// The same, adding the raw text's hash to `listHash` (an extra-data list's).
    mutating func requiredSharedString(_ key: XMLAttributeName, element: XMLElementName, listHash: inout UInt64) throws(XMLError) -> String {
        guard let attribute = lexer.attribute(key) else {
            throw .missingAttribute(element: element.text, attribute: key.text)
        }
        return shared(attribute, listHash: &listHash)
    }

    mutating func shared(_ attribute: XMLAttribute, listHash: inout UInt64) -> String {
        guard texts.isEnabled else { return lexer.string(attribute) }
        let raw = lexer.raw(attribute)
        let hash = texts.hash(raw)
        listHash = TextTable.adding(hash, to: listHash)
        guard !attribute.hasAmpersand, !attribute.hasHighBytes else { return lexer.string(attribute) }
        return texts.text(raw, hash: hash)
    }

    func requiredInteger(_ key: XMLAttributeName, element: XMLElementName) throws(XMLError) -> Int64 {
        guard let value = try optionalInteger(key, element: element) else {
            throw .missingAttribute(element: element.text, attribute: key.text)
        }
        return value
    }

    func optionalInteger(_ key: XMLAttributeName, element: XMLElementName) throws(XMLError) -> Int64? {
        guard let attribute = lexer.attribute(key) else { return nil }
        guard let value = lexer.int64(attribute) else {
            throw .invalidAttribute(element: element.text, attribute: key.text, value: lexer.string(attribute))
        }
        return value
    }

    /// TN, TMAX, DMAX: seconds. A negative TN (the sender's clock went back) reads as 0.
    func optionalCount(_ key: XMLAttributeName, element: XMLElementName) throws(XMLError) -> UInt32 {
        guard let value = try optionalInteger(key, element: element) else { return 0 }
        return UInt32(clamping: value)
    }

    func requiredType(element: XMLElementName) throws(XMLError) -> MetricType {
        guard let attribute = lexer.attribute(.type) else { throw .missingAttribute(element: element.text, attribute: "TYPE") }
        guard let type = lexer.match(attribute, in: XMLWords.types) else {
            throw .invalidAttribute(element: element.text, attribute: "TYPE", value: lexer.string(attribute))
        }
        return type
    }

    func optionalSlope(element: XMLElementName) throws(XMLError) -> Slope {
        guard let attribute = lexer.attribute(.slope) else { return .unspecified }
        guard let slope = lexer.match(attribute, in: XMLWords.slopes) else {
            throw .invalidAttribute(element: element.text, attribute: "SLOPE", value: lexer.string(attribute))
        }
        return slope
    }
}

extension XMLAttributeName {
    var text: String {
        switch self {
        case .name: "NAME"
        case .val: "VAL"
        case .type: "TYPE"
        case .units: "UNITS"
        case .tn: "TN"
        case .tmax: "TMAX"
        case .dmax: "DMAX"
        case .slope: "SLOPE"
        case .source: "SOURCE"
        case .ip: "IP"
        case .reported: "REPORTED"
        case .location: "LOCATION"
        case .gmondStarted: "GMOND_STARTED"
        case .tags: "TAGS"
        case .localtime: "LOCALTIME"
        case .owner: "OWNER"
        case .latlong: "LATLONG"
        case .url: "URL"
        case .authority: "AUTHORITY"
        case .up: "UP"
        case .down: "DOWN"
        case .sum: "SUM"
        case .num: "NUM"
        case .version: "VERSION"
        case .other: "?"
        }
    }
}
