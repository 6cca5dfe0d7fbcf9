import Glibc
import NIOCore
import PlexusCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The one door every client of a daemon comes through, whatever the port: decides on each
/// connection as it is accepted (`ConnectionBudget`), before anything is read from it, and
/// counts the refusals. A refused connection is closed at once: it gets no task, no read and no
/// render.
public final class ClientGate: Sendable {
    /// Refusals so far, by reason.
    public struct Refusals: Sendable, Equatable, Codable {
        public var untrusted = 0
        public var full = 0
        public var addressFull = 0

        public init() {}
    }

    /// What `/status` shows of the gate.
    public struct Snapshot: Sendable, Equatable, Codable {
        /// Connections open now, and the most allowed (after the descriptor reserve).
        public var open: Int
        public var limit: Int
        public var perAddressLimit: Int
        public var refused: Refusals
        /// Connections gone before they could be decided on (reset or closed by the client
        /// while queued for accept): not refusals, nothing was refused to them.
        public var gone: Int
    }

    private let state: Mutex<(budget: ConnectionBudget, refused: Refusals, gone: Int)>
    private let clock: @Sendable () -> Int64

    public init(limits: ConnectionBudget.Limits, clock: @escaping @Sendable () -> Int64 = WallClock.seconds) {
        state = Mutex((ConnectionBudget(limits: limits), Refusals(), 0))
        self.clock = clock
    }

    /// Decides on a client at `peer` for a port whose allow-list is `allow` (empty: anyone).
    /// The address comes back with `.admit`; give it to `release` when the connection closes.
    /// No decision (nil) for a client already gone: a connection reset before it was accepted
    /// has no address left to decide on, and is counted as `gone`, not as refused.
    public func admit(_ peer: SocketAddress?, allow: [CIDRBlock]) -> (decision: ConnectionBudget.Decision?, address: IPAddress?) {
        guard let address = peer?.ipAddress.flatMap(IPAddress.init)?.unmapped else {
            state.withLock { $0.gone += 1 }
            return (nil, nil)
        }
        let trusted = allow.allows(address)
        let now = clock()
        let decision = state.withLock { state in
            let decision = state.budget.admit(address, trusted: trusted, now: now)
            switch decision {
            case .admit: break
            case .untrusted: state.refused.untrusted += 1
            case .full: state.refused.full += 1
            case .addressFull: state.refused.addressFull += 1
            }
            return decision
        }
        return (decision, decision == .admit ? address : nil)
    }

    /// An admitted client completed an exchange (it becomes a regular).
    public func served(_ address: IPAddress) {
        let now = clock()
        state.withLock { $0.budget.served(address, now: now) }
    }

    /// An admitted connection closed.
    public func release(_ address: IPAddress) {
        state.withLock { $0.budget.release(address) }
    }

    public var snapshot: Snapshot {
        state.withLock {
            Snapshot(open: $0.budget.open, limit: $0.budget.limits.total, perAddressLimit: $0.budget.limits.perAddress, refused: $0.refused, gone: $0.gone)
        }
    }

    /// The process's descriptor limit, raised first from its soft to its hard value (as most
    /// daemons do at start: systemd's `LimitNOFILE=` sets both).
    public static func raiseDescriptorLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return limit.rlim_cur > rlim_t(Int32.max) ? Int(Int32.max) : Int(limit.rlim_cur)
    }
}

/// The gate as the first handler of an HTTP connection's pipeline (Hummingbird's
/// `additionalChannelHandlers`): decides when the connection becomes active, closes a refused
/// one before its first request is read, and releases an admitted one when it closes.
public final class ClientGateHandler: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = NIOAny

    let gate: ClientGate
    let allow: [CIDRBlock]
    let onRefused: @Sendable (ConnectionBudget.Decision, String) -> Void
    private var admitted: IPAddress?
    private var decided = false
    private var servedOnce = false

    public init(gate: ClientGate, allow: [CIDRBlock], onRefused: @escaping @Sendable (ConnectionBudget.Decision, String) -> Void) {
        self.gate = gate
        self.allow = allow
        self.onRefused = onRefused
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { decide(context) }
    }

    public func channelActive(context: ChannelHandlerContext) {
        decide(context)
        if admitted != nil { context.fireChannelActive() }
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Nothing from a refused connection goes further, even what arrived with its close.
        guard let admitted else { return }
        // Behind the HTTP decoder a read is a whole request head: this client is a regular.
        if !servedOnce {
            servedOnce = true
            gate.served(admitted)
        }
        context.fireChannelRead(data)
    }

    public func channelInactive(context: ChannelHandlerContext) {
        if let admitted { gate.release(admitted) }
        admitted = nil
        context.fireChannelInactive()
    }

    private func decide(_ context: ChannelHandlerContext) {
        guard !decided else { return }
        decided = true
        let peer = context.channel.remoteAddress
        let (decision, address) = gate.admit(peer, allow: allow)
        if let address {
            admitted = address
        } else {
            if let decision { onRefused(decision, peer?.description ?? "unknown peer") }
            context.close(promise: nil)
        }
    }
}
