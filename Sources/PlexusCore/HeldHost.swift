/// A host as the aggregator holds it: the values of the poll that last delivered it, and when
/// (our clock). Its TN keeps growing while it is held, as gmetad's `t0` makes it.
public struct HeldHost: Sendable, Equatable {
    public var host: Host
    /// Our clock when the host's data arrived.
    public var polled: Int64

    public init(host: Host, polled: Int64) {
        self.host = host
        self.polled = polled
    }

    /// Seconds held at `now`.
    public func age(at now: Int64) -> UInt32 { UInt32(clamping: max(0, now - polled)) }

    /// The host's TN at `now`.
    public func tn(at now: Int64) -> UInt32 { host.tn.addingClamped(age(at: now)) }

    /// gmetad's liveness at `now` (TN < 4·TMAX; REPORTED within 60 s for TMAX 0), judged
    /// against the source's LOCALTIME moved forward by the same age.
    public func isUp(at now: Int64, localtime: Int64) -> Bool {
        var aged = host
        aged.tn = tn(at: now)
        return aged.isUp(localtime: localtime + Int64(age(at: now)))
    }

    /// Whether the host's DMAX has passed at `now` (DMAX 0 never expires).
    public func isExpired(at now: Int64) -> Bool {
        host.dmax > 0 && tn(at: now) > host.dmax
    }
}
