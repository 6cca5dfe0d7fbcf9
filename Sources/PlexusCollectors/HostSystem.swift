#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Space on one mounted file system, as `statvfs` reports it.
public struct FileSystemStats: Sendable, Equatable {
    /// Size of the units below, bytes (`f_frsize`).
    public var blockSize: UInt64
    /// Total blocks (`f_blocks`), free blocks (`f_bfree`), blocks free to unprivileged users (`f_bavail`).
    public var blocks: UInt64
    public var free: UInt64
    public var available: UInt64

    public init(blockSize: UInt64, blocks: UInt64, free: UInt64, available: UInt64) {
        self.blockSize = blockSize
        self.blocks = blocks
        self.free = free
        self.available = available
    }
}

/// `uname` fields the system collector reports.
public struct SystemName: Sendable, Equatable {
    public var sysname: String
    public var release: String
    public var machine: String

    public init(sysname: String, release: String, machine: String) {
        self.sysname = sysname
        self.release = release
        self.machine = machine
    }
}

/// Everything collectors read from the system goes through this value, so tests can point it at
/// a fake `/proc` (a folder under `Tests/`) and fake `statvfs`/`uname` answers.
public struct HostSystem: Sendable {
    /// The folder that stands for `/` (the real root in production).
    public var root: String
    /// `statvfs(mountPoint)`; nil when the file system can't be asked.
    public var fileSystemStats: @Sendable (String) -> FileSystemStats?
    /// `uname()`.
    public var systemName: @Sendable () -> SystemName

    public init(
        root: String = "/",
        fileSystemStats: @escaping @Sendable (String) -> FileSystemStats? = HostSystem.statvfsStats,
        systemName: @escaping @Sendable () -> SystemName = HostSystem.unameFields
    ) {
        self.root = root
        self.fileSystemStats = fileSystemStats
        self.systemName = systemName
    }

    /// The whole content of `path` (relative to `root`, e.g. `proc/stat`). /proc files report
    /// size 0, so this reads to the end instead of trusting the size.
    public func read(_ path: String) throws(CollectorError) -> String {
        let full = root.hasSuffix("/") ? root + path : root + "/" + path
        let fd = open(full, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(path: path, errno: errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let n = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: path, errno: errno)
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
            guard bytes.count < 16 << 20 else { throw .unparsable(path: path, reason: "larger than 16 MiB") }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Sendable public static func statvfsStats(_ mountPoint: String) -> FileSystemStats? {
        var s = statvfs()
        guard statvfs(mountPoint, &s) == 0 else { return nil }
        return FileSystemStats(
            blockSize: UInt64(s.f_frsize), blocks: UInt64(s.f_blocks), free: UInt64(s.f_bfree),
            available: UInt64(s.f_bavail))
    }

    @Sendable public static func unameFields() -> SystemName {
        var u = utsname()
        _ = uname(&u)
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
        }
        return SystemName(sysname: field(u.sysname), release: field(u.release), machine: field(u.machine))
    }
}

/// Why a collector could not produce its metrics.
public enum CollectorError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(path: String, errno: Int32)
    case unparsable(path: String, reason: String)
    case unavailable(String)

    public var description: String {
        switch self {
        case .unreadable(let path, let code): "cannot read \(path): \(String(cString: strerror(code)))"
        case .unparsable(let path, let reason): "cannot parse \(path): \(reason)"
        case .unavailable(let what): what
        }
    }
}

/// `read(2)`, named apart from `HostSystem.read`.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}
