import PlexusCore

/// One value (host archives) or sum and count (summary archives) at one time.
public struct ArchiveSample: Sendable, Equatable {
    public var key: ArchiveKey
    public var geometry: ArchiveGeometry
    /// Seconds since the epoch: the polled source's LOCALTIME, as gmetad uses it.
    public var time: Int64
    /// `sum` (a host's value, or a summary's sum).
    public var sum: Double
    /// `num` for summaries: how many hosts contributed. Ignored for host archives.
    public var num: Int

    public init(key: ArchiveKey, geometry: ArchiveGeometry, time: Int64, value: Double) {
        self.key = key
        self.geometry = geometry
        self.time = time
        self.sum = value
        self.num = 1
    }

    public init(key: ArchiveKey, geometry: ArchiveGeometry, time: Int64, sum: Double, num: Int) {
        self.key = key
        self.geometry = geometry
        self.time = time
        self.sum = sum
        self.num = num
    }

    /// The `time:sum[:num]` argument of `rrd_update` / rrdcached's `UPDATE`.
    public var updateText: String {
        Self.updateText(time: time, sum: sum, num: key.location.isSummary ? num : nil, slope: geometry.slope)
    }

    /// `time:sum[:num]`. COUNTER and DERIVE data sources (positive and derivative slopes) accept
    /// only integers; unknown or infinite values are `U`.
    public static func updateText(time: Int64, sum: Double, num: Int?, slope: Slope) -> String {
        var text = String(time)
        text += ":"
        text += Self.text(sum, integral: slope == .positive || slope == .derivative)
        if let num {
            text += ":"
            text += String(num)
        }
        return text
    }

    static func text(_ value: Double, integral: Bool) -> String {
        guard value.isFinite else { return "U" }
        if integral {
            let rounded = value.rounded()
            guard abs(rounded) < 9.2e18 else { return "U" }
            return String(Int64(rounded))
        }
        return value.description
    }
}
