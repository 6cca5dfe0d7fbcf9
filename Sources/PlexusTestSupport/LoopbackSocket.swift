#if canImport(Glibc)
    import Glibc
#endif

/// Plain TCP sockets to a server on loopback, for tests that play a client (a hostile one,
/// often): connected from any loopback address, with a receive timeout and, if asked, a tiny
/// receive buffer so the server's writes stall.
public enum LoopbackSocket {
    /// A socket connected from `from` (any address when nil) to `host`:`port`; nil if it can't
    /// connect. The caller closes it.
    public static func connect(
        port: Int, host: String = "127.0.0.1", from: String? = "127.0.0.1", timeout: Int = 10,
        receiveBuffer: Int32? = nil
    ) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        if var size = receiveBuffer { setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size)) }
        var tv = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        func call(_ ip: String, _ port: Int, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Int32) -> Int32 {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr(ip)
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        if let from, call(from, 0, { bind(fd, $0, $1) }) != 0 {
            close(fd)
            return nil
        }
        guard call(host, port, { Glibc.connect(fd, $0, $1) }) == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    /// Everything the server sends until it closes (or the receive timeout passes).
    public static func readAll(_ fd: Int32) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { return bytes }
            bytes += chunk[0..<n]
        }
    }
}
