import Foundation
import PlexusCore

/// The events journal on disk (`EventJournal` lines), by default `events.jsonl` beside the RRD
/// root (`/var/lib/ganglia/rrds` → `/var/lib/ganglia/events.jsonl`), where the aggregator, the
/// CLI and cron jobs on the aggregator host all find it.
///
/// Writers take an exclusive `flock` for the read-then-append (so two deploy scripts never hand
/// out the same id), append one line, sync it, and take it back if either fails: an add that
/// reports an id is on disk, one that reports an error left nothing. Readers take a shared
/// lock, so they never see half a line.
public struct EventFile: Sendable {
    public struct WriteError: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "\(path): \(reason)" }
    }

    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// The journal beside `root`.
    public init(besideRoot root: String) {
        let directory = URL(fileURLWithPath: RRDLayout(root: root).rootDirectory).deletingLastPathComponent().path
        path = (directory.hasSuffix("/") ? directory : directory + "/") + "events.jsonl"
    }

    /// The current events; a file that doesn't exist yet holds none.
    public func read() throws(WriteError) -> EventJournal.Replay {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return EventJournal.replay("") }
            throw failure("cannot read the events file")
        }
        defer { close(fd) }
        flock(fd, LOCK_SH)
        return EventJournal.replay(String(decoding: try bytes(fd, from: 0), as: UTF8.self))
    }

    /// Appends the event `make` builds from the next free id; returns it. `replay` reads the
    /// journal under the writer's lock (`EventJournalReader` reads only what is new).
    public func add(_ make: (Int) -> Event, replay: ((Int32) throws(WriteError) -> EventJournal.Replay)? = nil) throws(WriteError) -> Event {
        try locked(replay) { (fd, replay) throws(WriteError) in
            let event = make(replay.nextID)
            if let problem = event.problem() { throw WriteError(path: path, reason: problem) }
            try append(fd, .add(event))
            return event
        }
    }

    /// Appends the removal of event `id`; returns the event removed, or nil if there was none.
    public func remove(id: Int, at time: Int64, replay: ((Int32) throws(WriteError) -> EventJournal.Replay)? = nil) throws(WriteError) -> Event? {
        try locked(replay) { (fd, replay) throws(WriteError) in
            guard let event = replay.events.first(where: { $0.id == id }) else { return nil }
            try append(fd, .remove(id: id, at: time))
            return event
        }
    }

    private func locked<T>(
        _ replay: ((Int32) throws(WriteError) -> EventJournal.Replay)?,
        _ body: (Int32, EventJournal.Replay) throws(WriteError) -> T
    ) throws(WriteError) -> T {
        let fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("cannot open the events file for writing") }
        defer { close(fd) }
        guard flock(fd, LOCK_EX) == 0 else { throw failure("cannot lock the events file") }
        let current: EventJournal.Replay
        if let replay {
            current = try replay(fd)
        } else {
            current = EventJournal.replay(String(decoding: try bytes(fd, from: 0), as: UTF8.self))
        }
        return try body(fd, current)
    }

    /// The file's bytes from `offset` to its end.
    func bytes(_ fd: Int32, from offset: Int) throws(WriteError) -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(offset + bytes.count)) }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("cannot read the events file")
            }
            bytes.append(contentsOf: buffer[0..<n])
        }
        return bytes
    }

    /// Appends `entry`'s line so that it is either durable or not there at all: every byte
    /// written (a full disk takes part of a `write` and refuses the rest), synced, and on any
    /// failure the file cut back to its length before, so no half line is left for the next
    /// add to be glued onto. A file that doesn't end with a newline (a crash mid-write, an
    /// editor) gets one first, so the new line stands on its own.
    private func append(_ fd: Int32, _ entry: EventJournal.Entry) throws(WriteError) {
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw failure("cannot read the events file's size") }
        let before = status.st_size
        var line = Array(EventJournal.line(entry).utf8)
        if before > 0 {
            var last: UInt8 = 0
            if pread(fd, &last, 1, before - 1) == 1, last != UInt8(ascii: "\n") { line.insert(UInt8(ascii: "\n"), at: 0) }
        }
        var done = 0
        while done < line.count {
            let n = line.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if n > 0 {
                done += n
            } else if n < 0, errno == EINTR {
                continue
            } else {
                let problem = failure("cannot append to the events file (\(done) of \(line.count) bytes written)", code: n < 0 ? errno : ENOSPC)
                ftruncate(fd, before)
                throw problem
            }
        }
        if fdatasync(fd) != 0 {
            let problem = failure("cannot sync the events file", code: errno)
            ftruncate(fd, before)
            throw problem
        }
    }

    /// `what` with the system's reason (`code`, else `errno` as it is now).
    func failure(_ what: String, code: Int32? = nil) -> WriteError {
        let code = code ?? errno
        return WriteError(path: path, reason: "\(what): \(String(cString: strerror(code))) (errno \(code))")
    }
}
