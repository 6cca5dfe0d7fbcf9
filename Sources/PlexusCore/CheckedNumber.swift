extension Int64 {
    /// The whole part of `value`, or nil when it is NaN, infinite or beyond Int64's range.
    ///
    /// `Int64(_:)` traps on those, so this is how a number that came from a peer, a file or a
    /// client becomes an integer (a `boottime` of 1e300 sent by anyone on the multicast group
    /// once stopped the dashboard). `docs/security.md` lists the rule.
    public init?(wholePartOf value: Double) {
        // Every Double below 2^63 truncates to at most Int64.max; -2^63 itself fits.
        guard value.isFinite, value >= Double(Int64.min), value < -Double(Int64.min) else { return nil }
        self.init(value)
    }
}

extension Double {
    /// Self when finite, nil for NaN and the infinities: what JSON (which has neither) and
    /// integer conversions accept.
    public var finite: Double? { isFinite ? self : nil }
}
