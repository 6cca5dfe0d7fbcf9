import Foundation
import PlexusCore

/// The events journal on disk (`EventJournal` lines), by default `events.jsonl` beside the RRD
/// root (`/var/lib/ganglia/rrds` → `/var/lib/ganglia/events.jsonl`), where the aggregator, the
/// CLI and cron jobs on the aggregator host all find it.
///
/// Writers take an exclusive `flock` for the read-then-append (so two deploy scripts never hand
/// out the same id), append one line in one `write` and sync it; readers take a shared lock, so
/// they never see half a line.
public struct EventFile: Sendable {
    public struct Failure: Error, Sendable, CustomStringConvertible {
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
    public func read() throws(Failure) -> EventJournal.Replay {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return EventJournal.replay("") }
            throw failure("cannot read the events file")
        }
        defer { close(fd) }
        flock(fd, LOCK_SH)
        return EventJournal.replay(try contents(fd))
    }

    /// Appends the event `make` builds from the next free id; returns it.
    public func add(_ make: (Int) -> Event) throws(Failure) -> Event {
        try locked { (fd, replay) throws(Failure) in
            let event = make(replay.nextID)
            if let problem = event.problem() { throw Failure(path: path, reason: problem) }
            try append(fd, .add(event))
            return event
        }
    }

    /// Appends the removal of event `id`; returns the event removed, or nil if there was none.
    public func remove(id: Int, at time: Int64) throws(Failure) -> Event? {
        try locked { (fd, replay) throws(Failure) in
            guard let event = replay.events.first(where: { $0.id == id }) else { return nil }
            try append(fd, .remove(id: id, at: time))
            return event
        }
    }

    private func locked<T>(_ body: (Int32, EventJournal.Replay) throws(Failure) -> T) throws(Failure) -> T {
        let fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("cannot open the events file for writing") }
        defer { close(fd) }
        guard flock(fd, LOCK_EX) == 0 else { throw failure("cannot lock the events file") }
        return try body(fd, EventJournal.replay(try contents(fd)))
    }

    private func contents(_ fd: Int32) throws(Failure) -> String {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        lseek(fd, 0, SEEK_SET)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("cannot read the events file")
            }
            bytes.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func append(_ fd: Int32, _ entry: EventJournal.Entry) throws(Failure) {
        let line = Array(EventJournal.line(entry).utf8)
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == line.count else { throw failure("cannot append to the events file") }
        fdatasync(fd)
    }

    private func failure(_ what: String) -> Failure {
        Failure(path: path, reason: "\(what): \(String(cString: strerror(errno)))")
    }
}
