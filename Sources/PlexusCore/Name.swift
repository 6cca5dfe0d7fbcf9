/// What a name is the name of; fixes its limits (see `docs/format/names.md`).
public protocol NameKind: Sendable {
    /// Used in error messages: "cluster", "host", "metric", "grid".
    static var label: String { get }
    /// Longest allowed name in UTF-8 bytes.
    static var maxBytes: Int { get }
    /// Names that would collide with the archive's own directories (compared ignoring ASCII case).
    static var reserved: [String] { get }
}

/// The directory gmetad keeps summaries in; no cluster, grid or host may take its name.
public let summaryDirectoryName = "__SummaryInfo__"

public enum ClusterNameKind: NameKind {
    public static let label = "cluster"
    public static let maxBytes = 255
    public static let reserved = [summaryDirectoryName]
}

public enum GridNameKind: NameKind {
    public static let label = "grid"
    public static let maxBytes = 255
    public static let reserved = [summaryDirectoryName]
}

public enum HostNameKind: NameKind {
    public static let label = "host"
    public static let maxBytes = 255
    public static let reserved = [summaryDirectoryName]
}

public enum MetricNameKind: NameKind {
    public static let label = "metric"
    /// 255 less the `.rrd` suffix the archive appends.
    public static let maxBytes = 251
    public static let reserved: [String] = []
}

/// A name that is safe to use as one path component and to print in XML.
///
/// Refused: empty, `.` and `..`, anything containing `/`, NUL or another control character
/// (C0, DEL, C1), longer than `Kind.maxBytes` UTF-8 bytes, or a reserved directory name.
/// Everything else (spaces, dots, colons, non-ASCII letters) is kept as it is, so file names
/// stay equal to Ganglia's and stock ganglia-web finds them.
public struct Name<Kind: NameKind>: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The name, exactly as received.
    public let rawValue: String

    /// Validates `rawValue`; throws a `NameError` that says why it can't be a name.
    public init(_ rawValue: String) throws(NameError) {
        if let problem = Self.problem(with: rawValue) {
            throw NameError(kind: Kind.label, name: rawValue, problem: problem)
        }
        self.rawValue = rawValue
    }

    /// A name already validated by its bytes (`problem(withBytes:)`).
    init(validated rawValue: String) {
        self.rawValue = rawValue
    }

    /// Validates `rawValue`; nil when it can't be a name.
    public init?(validating rawValue: String) {
        guard Self.problem(with: rawValue) == nil else { return nil }
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The error `init` would throw for `raw`, or nil if it is a valid name.
    public static func error(for raw: String) -> NameError? {
        problem(with: raw).map { NameError(kind: Kind.label, name: raw, problem: $0) }
    }

    /// Why `raw` can't be a name of this kind, or nil if it can.
    public static func problem(with raw: String) -> NameError.Problem? {
        var raw = raw
        return raw.withUTF8 { problem(withBytes: $0) }
    }

    /// The same for a name's UTF-8 bytes (a reader checks them before making a String).
    static func problem(withBytes utf8: UnsafeBufferPointer<UInt8>) -> NameError.Problem? {
        if utf8.isEmpty { return .empty }
        if utf8.count <= 2, utf8.allSatisfy({ $0 == UInt8(ascii: ".") }) { return .dotName }
        if utf8.count > Kind.maxBytes { return .tooLong(bytes: utf8.count, limit: Kind.maxBytes) }
        var previous: UInt8 = 0
        for byte in utf8 {
            if byte == UInt8(ascii: "/") { return .slash }
            if byte < 0x20 || byte == 0x7F { return .controlCharacter(UInt32(byte)) }
            // C1 controls U+0080–U+009F are the UTF-8 pairs C2 80 … C2 9F.
            if previous == 0xC2, (0x80...0x9F).contains(byte) { return .controlCharacter(UInt32(byte)) }
            previous = byte
        }
        if utf8.count == summaryDirectoryName.utf8.count,
            Kind.reserved.contains(where: { $0.caseInsensitiveEquals(String(decoding: utf8, as: UTF8.self)) })
        {
            return .reserved
        }
        return nil
    }
}

public typealias ClusterName = Name<ClusterNameKind>
public typealias GridName = Name<GridNameKind>
public typealias HostName = Name<HostNameKind>
public typealias MetricName = Name<MetricNameKind>

/// A string that was refused as a cluster, grid, host or metric name.
public struct NameError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Why a name is refused.
    public enum Problem: Hashable, Sendable {
        case empty
        case dotName
        case slash
        case controlCharacter(UInt32)
        case tooLong(bytes: Int, limit: Int)
        case reserved
    }

    /// "cluster", "grid", "host" or "metric".
    public var kind: String
    /// The refused text.
    public var name: String
    /// What is wrong with it.
    public var problem: Problem

    public var description: String {
        let shown = name.debugDescription
        switch problem {
        case .empty: return "\(kind) name is empty"
        case .dotName: return "\(kind) name \(shown) is a relative directory name"
        case .slash: return "\(kind) name \(shown) contains '/'"
        case .controlCharacter(let c):
            return "\(kind) name \(shown) contains control character U+\(String(c, radix: 16, uppercase: true).leftPadded(to: 4))"
        case .tooLong(let bytes, let limit): return "\(kind) name is \(bytes) bytes long (limit \(limit))"
        case .reserved: return "\(kind) name \(shown) is reserved for the archive's summary directory"
        }
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
