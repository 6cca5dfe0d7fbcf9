/// Why (part of) a Ganglia XML document could not be read.
public enum XMLError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The document ends before `element` is closed (or before it starts).
    case unexpectedEnd(inside: String)
    /// Bytes that are not XML markup where a tag was expected.
    case malformedMarkup(String)
    /// An end tag that doesn't close the open element.
    case mismatchedEndTag(expected: String, found: String)
    /// The root element is not `GANGLIA_XML`.
    case notGanglia(root: String)
    /// A required attribute is absent.
    case missingAttribute(element: String, attribute: String)
    /// An attribute whose value doesn't parse (`TN="x"`, `TYPE="int128"`...).
    case invalidAttribute(element: String, attribute: String, value: String)
    /// A cluster, grid, host or metric name that can't be used (see `Name`).
    case invalidName(NameError)
    /// An element where the DTD doesn't allow it.
    case unexpectedElement(String, inside: String)
    /// An HTTP reply (interactive port in `GET` mode) with a status other than 200.
    case httpStatus(String)
    /// An element nested deeper than the reader allows (`GangliaXMLParser.maxGridDepth`).
    case tooDeep(element: String, limit: Int)

    var isUnexpectedEnd: Bool {
        if case .unexpectedEnd = self { true } else { false }
    }

    public var description: String {
        switch self {
        case .unexpectedEnd(let inside): "document ends inside \(inside)"
        case .malformedMarkup(let what): "malformed markup: \(what)"
        case .mismatchedEndTag(let expected, let found): "</\(found)> where </\(expected)> was expected"
        case .notGanglia(let root): "root element is <\(root)>, not <GANGLIA_XML>"
        case .missingAttribute(let element, let attribute): "<\(element)> has no \(attribute) attribute"
        case .invalidAttribute(let element, let attribute, let value):
            "<\(element)> \(attribute)=\(value.debugDescription) is not valid"
        case .invalidName(let error): error.description
        case .unexpectedElement(let element, let inside): "<\(element)> is not allowed inside <\(inside)>"
        case .httpStatus(let line): "HTTP reply is not 200 OK: \(line)"
        case .tooDeep(let element, let limit): "<\(element)> nested more than \(limit) deep"
        }
    }
}

/// What a read left out: one skipped element (and everything inside it), or the reason the
/// document stopped early.
public struct XMLSkip: Hashable, Sendable, CustomStringConvertible {
    /// The element that was dropped: `HOST`, `METRIC`, `CLUSTER`...
    public var element: String
    /// 1-based line where the problem was found.
    public var line: Int
    public var error: XMLError

    public var description: String { "line \(line): skipped <\(element)>: \(error)" }
}

/// The outcome of reading one document besides its content.
public struct XMLReadReport: Hashable, Sendable {
    /// Elements dropped on the way (the first `maxRecordedSkips`); the rest of the document
    /// was kept.
    public var skipped: [XMLSkip] = []
    /// How many elements were dropped in all.
    public var skippedCount = 0
    /// A hostile document can't make the report grow without bound.
    public static let maxRecordedSkips = 100
    /// Set when the document could not be read to its end (truncated, not Ganglia XML...):
    /// everything complete before the problem was still delivered.
    public var fatal: XMLSkip?
    /// Hosts delivered.
    public var hosts = 0
    /// Metrics delivered (inside delivered hosts).
    public var metrics = 0

    public init() {}

    /// True when the whole document was read and nothing was skipped.
    public var isClean: Bool { skippedCount == 0 && fatal == nil }

    mutating func recordSkip(_ skip: XMLSkip) {
        skippedCount += 1
        if skipped.count < Self.maxRecordedSkips { skipped.append(skip) }
    }
}
