import Foundation
import PlexusCore

/// The synchronous part of the archive: where a key's file is, creating it with gmetad's geometry
/// the first time, and writing values through librrd. Blocking: used only from the archive's own
/// threads (`ArchiveWriter`'s workers, `ArchiveReader`'s pool).
public struct ArchiveStore: Sendable {
    public var layout: RRDLayout
    /// The RRAs of every file created (gmetad's `RRAs`).
    public var archives: [RRDLayout.Archive]
    public var functions: any RRDFunctions
    /// The forecast a new host file gets (`ArchiveStore+HoltWinters`); nil: none.
    public var holtWinters: @Sendable (ArchiveKey) -> HoltWinters? = { _ in nil }

    public init(layout: RRDLayout, archives: [RRDLayout.Archive] = RRDLayout.defaultArchives, functions: any RRDFunctions = LibRRD()) {
        self.layout = layout
        self.archives = archives
        self.functions = functions
    }

    /// The file of `key`; refuses (defence in depth, names are already validated) a path with an
    /// empty, `.` or `..` component below the root.
    public func path(of key: ArchiveKey) throws(RRDError) -> String {
        let path = layout.path(of: key.metric, in: key.location)
        for component in layout.components(of: key.location) + [key.metric.rawValue + ".rrd"]
        where component.isEmpty || component == "." || component == ".." || component.utf8.contains(UInt8(ascii: "/")) {
            throw RRDError(.refused, path: path, message: "path component \(component.debugDescription) would leave the archive root")
        }
        return path
    }

    /// What `prepare` found.
    public enum Preparation: Sendable, Equatable {
        /// The file was made now; its last update is `start`.
        case created(start: Int64)
        /// The file was there; its last update is `lastUpdate`.
        case existing(lastUpdate: Int64)

        public var lastUpdate: Int64 {
            switch self {
            case .created(let t), .existing(let t): t
            }
        }
    }

    /// Makes sure `path` exists: creates its directories (0755, as gmetad) and the file with
    /// `start = firstTime - 1` when missing; otherwise reads its last update time.
    ///
    /// The file is made under a temporary name beside it and linked into place, so a process
    /// killed while creating leaves no half-written `.rrd` behind (only a `.rrd.creating-PID`
    /// that nothing reads; `removeLeftovers` clears them).
    public func prepare(path: String, key: ArchiveKey, geometry: ArchiveGeometry, firstTime: Int64) throws(RRDError) -> Preparation {
        var status = stat()
        if stat(path, &status) == 0 {
            settle(path, sync: false)
            return .existing(lastUpdate: try RRDError.retryingLocked { () throws(RRDError) in try functions.lastUpdate(path: path) }.time)
        }
        try makeDirectories(for: key)
        let start = firstTime - 1
        var arguments = RRDLayout.createArguments(
            step: geometry.step, start: start, slope: geometry.slope,
            summary: key.location.isSummary, archives: archives)
        if !key.location.isSummary, let forecast = holtWinters(key) {
            arguments += forecast.definitions(step: geometry.step, after: archives.count)
        }
        let temporary = path + Self.creatingSuffix + String(getpid())
        unlink(temporary)
        // createArguments begins with --step N --start T; rrd_create_r2 takes those as parameters.
        do {
            try functions.create(path: temporary, step: geometry.step, start: start, definitions: Array(arguments.dropFirst(4)))
        } catch {
            unlink(temporary)
            throw diagnosed(error, path: path, needing: estimatedSize(summary: key.location.isSummary))
        }
        defer { unlink(temporary) }
        settle(temporary)
        if link(temporary, path) != 0 {
            let code = errno
            // Another process (or thread of another writer) made it meanwhile: use theirs.
            if code == EEXIST { return .existing(lastUpdate: try functions.lastUpdate(path: path).time) }
            throw RRDError(.filesystem, path: path, message: "cannot link the new file into place: \(String(cString: strerror(code)))")
        }
        return .created(start: start)
    }

    static let creatingSuffix = ".creating-"

    /// A file's size, near enough: 8 bytes per row per data source, and a header.
    func estimatedSize(summary: Bool) -> Int {
        archives.reduce(0) { $0 + $1.rows } * 8 * (summary ? 2 : 1) + 4096
    }

    /// librrd's creation, failing on a full disk, says nothing and leaves `errno` to its
    /// clean-up (ENOENT from removing its temporary file): the filesystem says what happened.
    /// The error names `path`, the file being made (not librrd's temporary one).
    func diagnosed(_ error: RRDError, path: String, needing bytes: Int) -> RRDError {
        var diagnosed = error
        diagnosed.path = path
        guard let space = FreeSpace(at: URL(fileURLWithPath: path).deletingLastPathComponent().path) else { return diagnosed }
        if space.bytes < bytes {
            diagnosed.message =
                "\(String(cString: strerror(ENOSPC))) (errno \(ENOSPC)): \(space.bytes) bytes free, the file needs about \(bytes) (librrd said: \(error.message))"
        } else if !space.hasInodes {
            diagnosed.message = "\(String(cString: strerror(ENOSPC))) (errno \(ENOSPC)): no free inodes (librrd said: \(error.message))"
        }
        return diagnosed
    }

    /// Writes the file's cached pages out and drops them from the page cache, once per file per
    /// process (on creation or first touch). On first touch of a file that exists (after a
    /// restart) without the sync: `POSIX_FADV_DONTNEED` drops the clean pages and starts
    /// writing the dirty ones, which is what matters, and a restart's first round no longer
    /// waits for one `fdatasync` per file (a process killed mid-round left thousands of dirty
    /// files: 500 files/s, and the summaries queued behind them).
    ///
    /// Why: librrd updates through a shared `mmap`. On kernels that cache file data in large
    /// folios (ext4 on Linux 6.16+; seen on 6.18 here), a file written with `write()` — as
    /// `rrd_create` does — sits in the cache as folios of up to 512 KB, and an 8-byte store
    /// through the mapping dirties a whole folio: one update of a 630 KB file cost 150–516 KB
    /// of disk writes. librrd maps with `MADV_RANDOM`, so pages faulted in after this come back
    /// one 4 KB page at a time, and the same update costs 12–20 KB (docs/format/rrd.md,
    /// "Writes that reach the disk"). Harmless where folios are small: one `fdatasync` per file.
    func settle(_ path: String, sync: Bool = true) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        if sync { fdatasync(fd) }
        _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_DONTNEED))
        close(fd)
    }

    /// Removes `*.rrd.creating-PID` files a killed process left below `directory`.
    public func removeLeftovers() {
        guard let enumerator = FileManager.default.enumerator(atPath: layout.rootDirectory) else { return }
        while let item = enumerator.nextObject() as? String {
            if item.contains(Self.creatingSuffix) { unlink(layout.rootDirectory + "/" + item) }
        }
    }

    /// Creates root/…/ for `key`, one component at a time (so nothing above the root is made).
    func makeDirectories(for key: ArchiveKey) throws(RRDError) {
        var directory = layout.rootDirectory
        try makeDirectory(directory)
        for component in layout.components(of: key.location) {
            directory += "/" + component
            try makeDirectory(directory)
        }
    }

    private func makeDirectory(_ path: String) throws(RRDError) {
        if mkdir(path, 0o755) == 0 { return }
        let code = errno
        var status = stat()
        if code == EEXIST, stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR { return }
        throw RRDError(.filesystem, path: path, message: "cannot create directory: \(String(cString: strerror(code)))")
    }
}
