/// Who may hold a connection to a daemon's ports, decided when the connection is accepted and
/// before anything is read from it or rendered for it (`docs/security.md`).
///
/// A daemon keeps one budget for all its listening ports: a total below the descriptor limit
/// (so polls, archives and rrdcached always find descriptors) and a share per client, so one
/// address can't take them all. IPv6 clients are counted per /64, since one host commonly
/// holds a whole /64.
///
/// The last quarter of the total is kept for *regulars*: clients that completed an exchange
/// within `regularFor` seconds (the aggregators that poll every 15 s). A crowd of new
/// addresses can fill the rest, but the pollers still get in.
///
/// Pure: the owner calls `admit` on accept, `served` when an exchange completes and `release`
/// on close, passing the time.
public struct ConnectionBudget: Sendable, Equatable {
    /// The bounds.
    public struct Limits: Sendable, Equatable {
        /// Open client connections over every port together.
        public var total: Int
        /// Open client connections from one address (one /64 for IPv6).
        public var perAddress: Int

        public init(total: Int, perAddress: Int) {
            self.total = total
            self.perAddress = perAddress
        }
    }

    /// What happens to a new connection.
    public enum Decision: Sendable, Equatable, CustomStringConvertible {
        case admit
        /// Not in the port's allow-list (`trusted_hosts`, `http_trusted_hosts`, a channel's `acl`).
        case untrusted
        /// `total` connections are open already.
        case full(limit: Int)
        /// This address holds its share already.
        case addressFull(limit: Int)

        public var description: String {
            switch self {
            case .admit: "admitted"
            case .untrusted: "not a trusted address"
            case .full(let limit): "all \(limit) client connections are in use"
            case .addressFull(let limit): "this address holds \(limit) connections already"
            }
        }
    }

    public let limits: Limits
    /// Connections admitted and not yet released.
    public private(set) var open = 0
    /// Clients that completed an exchange, and when (at most `maxRegulars`, oldest forgotten).
    public private(set) var regulars: [IPAddress.ClientKey: Int64] = [:]
    /// How long a client stays a regular after its last completed exchange, in seconds.
    public var regularFor: Int64 = 600
    public static let maxRegulars = 1024

    /// Places only regulars may take: the last quarter of the total (none when the total is 1).
    public var reservedForRegulars: Int { limits.total / 4 }
    /// Open connections per client key (see `key(of:)`); entries at zero are removed.
    public private(set) var perClient: [IPAddress.ClientKey: Int] = [:]

    public init(limits: Limits) {
        self.limits = limits
    }

    /// Decides on a connection from `address`; an admitted one counts until `release`.
    public mutating func admit(_ address: IPAddress, trusted: Bool, now: Int64) -> Decision {
        guard trusted else { return .untrusted }
        guard open < limits.total else { return .full(limit: limits.total) }
        let key = address.clientKey
        if open >= limits.total - reservedForRegulars {
            guard let last = regulars[key], now - last <= regularFor else { return .full(limit: limits.total - reservedForRegulars) }
        }
        let held = perClient[key, default: 0]
        guard held < limits.perAddress else { return .addressFull(limit: limits.perAddress) }
        perClient[key] = held + 1
        open += 1
        return .admit
    }

    /// A client completed an exchange: it is a regular for `regularFor` seconds.
    public mutating func served(_ address: IPAddress, now: Int64) {
        if regulars.count >= Self.maxRegulars, regulars[address.clientKey] == nil {
            regulars = regulars.filter { now - $0.value <= regularFor }
            if regulars.count >= Self.maxRegulars, let oldest = regulars.min(by: { $0.value < $1.value })?.key { regulars[oldest] = nil }
        }
        regulars[address.clientKey] = now
    }

    /// An admitted connection from `address` closed.
    public mutating func release(_ address: IPAddress) {
        let key = address.clientKey
        guard let held = perClient[key] else { return }
        open -= 1
        perClient[key] = held > 1 ? held - 1 : nil
    }

    /// The total that fits under a descriptor limit of `descriptors`, keeping `reserve` for
    /// everything that is not a client: at least one connection, at most `configured`.
    public static func total(configured: Int, descriptors: Int, reserve: Int) -> Int {
        max(1, min(configured, descriptors - reserve))
    }
}

extension IPAddress {
    /// What a client is counted by: an IPv4 address, or an IPv6 address's /64.
    public struct ClientKey: Hashable, Sendable {
        let bytes: [UInt8]
    }

    public var clientKey: ClientKey {
        let address = unmapped
        return ClientKey(bytes: address.isIPv4 ? address.bytes : Array(address.bytes.prefix(8)))
    }
}
