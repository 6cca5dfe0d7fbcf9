/// One `name = value` pair of a metric's extra data (`TITLE`, `DESC`, `GROUP`, `SPOOF_HOST`...).
///
/// Names may repeat: gmetric sends one `GROUP` element per group.
public struct ExtraElement: Hashable, Sendable {
    /// The key, e.g. `GROUP`.
    public var name: String
    /// The value, e.g. `network`.
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// Keys Ganglia gives a meaning to.
    public enum Key {
        public static let title = "TITLE"
        public static let description = "DESC"
        public static let group = "GROUP"
        public static let spoofHost = "SPOOF_HOST"
        public static let spoofHeartbeat = "SPOOF_HEARTBEAT"
        public static let spoofName = "SPOOF_NAME"
        public static let cluster = "CLUSTER"
    }
}

extension Array where Element == ExtraElement {
    /// The value of the first element whose name equals `key`, ignoring case as gmond does.
    public func first(_ key: String) -> String? {
        // Names as written (`GROUP`) compare by `==` first: two words for short texts.
        first(where: { $0.name == key || $0.name.caseInsensitiveEquals(key) })?.value
    }

    /// Every value stored under `key`, in order (for the repeated `GROUP`).
    public func all(_ key: String) -> [String] {
        filter { $0.name.caseInsensitiveEquals(key) }.map(\.value)
    }
}

extension String {
    /// ASCII case-insensitive comparison, enough for Ganglia's ASCII keys.
    func caseInsensitiveEquals(_ other: String) -> Bool {
        let a = utf8, b = other.utf8
        guard a.count == b.count else { return false }
        // A byte loop: this runs for every extra element of every metric of a poll.
        var i = a.makeIterator()
        var j = b.makeIterator()
        while let x = i.next(), let y = j.next() {
            if x != y, x.asciiLowercased != y.asciiLowercased { return false }
        }
        return true
    }
}

extension UInt8 {
    /// The byte with `A`–`Z` mapped to `a`–`z`.
    var asciiLowercased: UInt8 { (0x41...0x5A).contains(self) ? self | 0x20 : self }
}
