import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The local address the kernel would send from to reach `destination` (a connected UDP socket's
/// name; nothing is sent). This is the address receivers will see as our source.
public func sourceAddress(toward destination: SocketAddress) -> String? {
    switch destination {
    case .v4(let address): connectedLocalAddress(family: AF_INET, remote: address.address)
    case .v6(let address): connectedLocalAddress(family: AF_INET6, remote: address.address)
    default: nil
    }
}

/// Connects a UDP socket of `family` to `remote` (a `sockaddr_in` or `sockaddr_in6`) and reads
/// back the local address the kernel chose.
private func connectedLocalAddress<Remote>(family: Int32, remote: Remote) -> String? {
    let fd = socket(family, Int32(SOCK_DGRAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var remote = remote
    let connected = withUnsafePointer(to: &remote) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<Remote>.size)) }
    }
    guard connected == 0 else { return nil }
    var local = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    let named = withUnsafeMutablePointer(to: &local) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard named == 0 else { return nil }
    var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
    let ok: Bool = withUnsafePointer(to: &local) { storage in
        storage.withMemoryRebound(to: UInt8.self, capacity: MemoryLayout<sockaddr_storage>.size) { raw in
            let offset = family == AF_INET ? MemoryLayout<sockaddr_in>.offset(of: \.sin_addr)! : MemoryLayout<sockaddr_in6>.offset(of: \.sin6_addr)!
            return inet_ntop(family, raw + offset, &text, socklen_t(text.count)) != nil
        }
    }
    guard ok else { return nil }
    return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// This machine's host name (`gethostname`).
public func systemHostname() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// The reverse-DNS name of `ip` (`getnameinfo`), or nil when there is none. Blocking: call it at
/// start-up, not on a hot path.
public func reverseName(of ip: String) -> String? {
    guard let address = try? SocketAddress(ipAddress: ip, port: 0) else { return nil }
    var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
    let status: Int32 =
        switch address {
        case .v4(let a):
            withUnsafePointer(to: a.address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    getnameinfo($0, socklen_t(MemoryLayout<sockaddr_in>.size), &host, socklen_t(host.count), nil, 0, NI_NAMEREQD)
                }
            }
        case .v6(let a):
            withUnsafePointer(to: a.address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    getnameinfo($0, socklen_t(MemoryLayout<sockaddr_in6>.size), &host, socklen_t(host.count), nil, 0, NI_NAMEREQD)
                }
            }
        default: -1
        }
    guard status == 0 else { return nil }
    return String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
