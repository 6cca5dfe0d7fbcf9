import Foundation

/// A tmpfs of a few pages mounted on a fresh temporary directory: a disk that tests can fill
/// (`fill()`) and free (`free()`) to see what the code does when writes stop fitting. Needs
/// root (CAP_SYS_ADMIN), which the test command has; `unmount()` takes it away again.
public struct SmallFilesystem: Sendable {
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    public let directory: TemporaryDirectory
    public var path: String { directory.path }
    private var filler: String { directory.appending(".filler") }

    /// Mounts `bytes` (rounded up to pages) of tmpfs.
    public init(bytes: Int, prefix: String = "plexus-small") throws {
        directory = try TemporaryDirectory(prefix: prefix)
        guard mount("tmpfs", directory.path, "tmpfs", 0, "size=\(bytes),mode=0755") == 0 else {
            let reason = String(cString: strerror(errno))
            directory.remove()
            throw Unavailable(description: "cannot mount a tmpfs to fill (run the tests as root): \(reason)")
        }
    }

    public func appending(_ component: String) -> String { directory.appending(component) }

    /// Takes every free byte; returns how many that was.
    @discardableResult
    public func fill() -> Int {
        let fd = open(filler, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var total = 0
        let block = [UInt8](repeating: 0x2E, count: 4096)
        for size in [4096, 512, 64, 1] {
            while true {
                let n = block.withUnsafeBytes { write(fd, $0.baseAddress, size) }
                guard n > 0 else { break }
                total += n
            }
        }
        return total
    }

    /// Gives back what `fill` took.
    public func free() {
        unlink(filler)
    }

    /// Unmounts (lazily, should a file still be open) and removes the directory.
    public func unmount() {
        umount2(directory.path, Int32(MNT_DETACH))
        directory.remove()
    }
}
