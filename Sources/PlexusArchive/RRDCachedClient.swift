import PlexusCore

#if canImport(Glibc)
    import Glibc
#endif

/// A client for rrdcached's line protocol (`man rrdcached`, PROTOCOL), written here because
/// Debian's librrd doesn't export its batch and flush calls and its `rrdc_update` is one round
/// trip per value.
///
/// Blocking sockets with send/receive timeouts: one client belongs to one archive thread and is
/// never shared. Any failure closes the connection; the next call reconnects.
final class RRDCachedClient {
    let address: RRDCachedAddress
    let timeout: Duration
    private var socket: Int32 = -1
    private var buffer: [UInt8] = []
    private var bufferStart = 0

    init(address: RRDCachedAddress, timeout: Duration = .seconds(10)) {
        self.address = address
        self.timeout = timeout
    }

    deinit { close() }

    var isConnected: Bool { socket >= 0 }

    func close() {
        if socket >= 0 { Glibc.close(socket) }
        socket = -1
        buffer.removeAll(keepingCapacity: true)
        bufferStart = 0
    }

    /// A status line and the lines it announces.
    struct Reply: Equatable {
        var status: Int
        var message: String
        var lines: [String]
    }

    /// Sends one command and reads its reply; a negative status throws `.rrdcached`.
    @discardableResult
    func command(_ words: [String]) throws(RRDError) -> Reply {
        try send(Array((words.map(Self.escape).joined(separator: " ") + "\n").utf8))
        let reply = try readReply()
        if reply.status < 0 { throw RRDError(.rrdcached, path: words.count > 1 ? words[1] : nil, message: reply.message) }
        return reply
    }

    /// One `BATCH` of `UPDATE path value...` commands, sent in one write. Returns the failed
    /// commands as (index into `updates`, rrdcached's message).
    func batch(_ updates: [(path: String, values: [String])]) throws(RRDError) -> [(index: Int, message: String)] {
        var out: [UInt8] = Array("BATCH\n".utf8)
        out.reserveCapacity(updates.count * 96)
        for update in updates {
            out.append(contentsOf: "UPDATE ".utf8)
            out.append(contentsOf: Self.escape(update.path).utf8)
            for value in update.values {
                out.append(UInt8(ascii: " "))
                out.append(contentsOf: value.utf8)
            }
            out.append(UInt8(ascii: "\n"))
        }
        out.append(contentsOf: ".\n".utf8)
        try send(out)
        let goAhead = try readReply()
        guard goAhead.status == 0 else {
            close()
            throw RRDError(.rrdcached, message: "BATCH refused: \(goAhead.message)")
        }
        let result = try readReply()
        guard result.status >= 0 else { throw RRDError(.rrdcached, message: result.message) }
        return result.lines.map { line in
            let parts = line.split(separator: " ", maxSplits: 1)
            let number = parts.first.flatMap { Int($0) } ?? 0
            return (number - 1, parts.count > 1 ? String(parts[1]) : line)
        }
    }

    /// `FLUSH path`: the file is current on disk when this returns. A file rrdcached holds
    /// nothing for is already current.
    func flush(_ path: String) throws(RRDError) {
        do {
            try command(["FLUSH", path])
        } catch  where error.kind == .rrdcached {
            return
        }
    }

    /// `PENDING path`: the updates rrdcached holds for the file, oldest first, as `time:value…`
    /// texts (none when it holds nothing for it).
    func pending(_ path: String) throws(RRDError) -> [String] {
        do {
            return try command(["PENDING", path]).lines
        } catch  where error.kind == .rrdcached {
            return []
        }
    }

    /// The times of `pending(path)`.
    func pendingTimes(_ path: String) throws(RRDError) -> [Int64] {
        try pending(path).compactMap { line in line.split(separator: ":", maxSplits: 1).first.flatMap { Double($0) }.map { Int64($0) } }
    }

    /// `pending(path)` as each data source's values (by position), skipping unknown (`U`) ones.
    static func pendingEntries(_ lines: [String], dataSources: Int) -> [[HistoryRing.Entry]] {
        var columns = [[HistoryRing.Entry]](repeating: [], count: dataSources)
        for line in lines {
            let fields = line.split(separator: ":")
            guard fields.count == dataSources + 1, let time = Double(fields[0]) else { continue }
            for column in 0..<dataSources {
                if let value = Double(fields[column + 1]) { columns[column].append(HistoryRing.Entry(time: Int64(time), value: value)) }
            }
        }
        return columns
    }

    /// `FORGET path`: rrdcached drops its state for the file (needed before re-creating it).
    func forget(_ path: String) throws(RRDError) {
        do {
            try command(["FORGET", path])
        } catch  where error.kind == .rrdcached {
            return
        }
    }

    /// `STATS` as name → value.
    func stats() throws(RRDError) -> [String: Int] {
        let reply = try command(["STATS"])
        var result: [String: Int] = [:]
        for line in reply.lines {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, let value = Int(parts[1].drop(while: { $0 == " " })) { result[String(parts[0])] = value }
        }
        return result
    }

    /// rrdcached splits arguments on spaces and takes `\` as an escape (as librrd's own client).
    static func escape(_ word: String) -> String {
        guard word.contains(where: { $0 == " " || $0 == "\\" }) else { return word }
        var escaped = ""
        for character in word {
            if character == " " || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }

    // MARK: - Socket

    func connect() throws(RRDError) {
        guard socket < 0 else { return }
        switch address {
        case .unix(let path):
            let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw connectionError("socket") }
            var addr = sockaddr_un()
            addr.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &addr.sun_path) { raw in
                for (i, byte) in path.utf8.prefix(raw.count - 1).enumerated() { raw[i] = byte }
            }
            try finishConnect(fd) {
                withUnsafePointer(to: &addr) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                    }
                }
            }
        case .tcp(let host, let port):
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var list: UnsafeMutablePointer<addrinfo>? = nil
            let status = getaddrinfo(host, String(port), &hints, &list)
            guard status == 0, let first = list else {
                throw RRDError(.connection, message: "cannot resolve \(host): \(String(cString: gai_strerror(status)))")
            }
            defer { freeaddrinfo(list) }
            var node: UnsafeMutablePointer<addrinfo>? = first
            var lastError = RRDError(.connection, message: "no address for \(host)")
            while let entry = node {
                let fd = Glibc.socket(entry.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
                if fd >= 0 {
                    do {
                        try finishConnect(fd) { Glibc.connect(fd, entry.pointee.ai_addr, entry.pointee.ai_addrlen) }
                        return
                    } catch { lastError = error }
                }
                node = entry.pointee.ai_next
            }
            throw lastError
        }
    }

    private func finishConnect(_ fd: Int32, _ connect: () -> Int32) throws(RRDError) {
        var limit = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        guard connect() == 0 else {
            let error = connectionError("connect")
            Glibc.close(fd)
            throw error
        }
        socket = fd
    }

    private func connectionError(_ what: String) -> RRDError {
        RRDError(.connection, message: "\(what) \(address): \(String(cString: strerror(errno)))")
    }

    private func send(_ bytes: [UInt8]) throws(RRDError) {
        try connect()
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent < 0 {
                if errno == EINTR { continue }
                let error = connectionError("send to")
                close()
                throw error
            }
            offset += sent
        }
    }

    private func readReply() throws(RRDError) -> Reply {
        let status = try readLine()
        let parts = status.split(separator: " ", maxSplits: 1)
        guard let first = parts.first, let code = Int(first) else {
            close()
            throw RRDError(.rrdcached, message: "unexpected reply \(status.debugDescription)")
        }
        var lines: [String] = []
        if code > 0 {
            lines.reserveCapacity(code)
            for _ in 0..<code { lines.append(try readLine()) }
        }
        return Reply(status: code, message: parts.count > 1 ? String(parts[1]) : "", lines: lines)
    }

    private func readLine() throws(RRDError) -> String {
        while true {
            if let newline = buffer[bufferStart...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[bufferStart..<newline], as: UTF8.self)
                bufferStart = newline + 1
                if bufferStart == buffer.count {
                    buffer.removeAll(keepingCapacity: true)
                    bufferStart = 0
                }
                return line
            }
            if bufferStart > 0 {
                buffer.removeFirst(bufferStart)
                bufferStart = 0
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let received = chunk.withUnsafeMutableBytes { Glibc.recv(socket, $0.baseAddress!, $0.count, 0) }
            if received < 0, errno == EINTR { continue }
            if received <= 0 {
                let error = received == 0 ? RRDError(.connection, message: "rrdcached \(address) closed the connection") : connectionError("receive from")
                close()
                throw error
            }
            buffer.append(contentsOf: chunk[0..<received])
        }
    }
}
