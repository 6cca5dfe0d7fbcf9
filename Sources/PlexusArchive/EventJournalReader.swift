import Foundation
import PlexusCore
import Synchronization

/// The events journal as a long-running reader keeps it: replayed once, then only the lines
/// appended since are read (a graph asks for the events on every render; with 30,000 events a
/// full replay cost a second). A journal replaced or cut shorter (another file at the path, an
/// operator's edit) is replayed whole again.
///
/// Adds and removes go through it too, so a writer reads only what is new as well, under the
/// file's exclusive lock (`EventFile`).
public final class EventJournalReader: Sendable {
    private struct Kept {
        /// The file read: device and inode.
        var identity: (dev: UInt64, ino: UInt64)?
        /// Bytes of whole lines applied.
        var consumed = 0
        var replay = EventJournal.Replay()
        var bytesRead = 0
    }

    public let file: EventFile
    private let kept = Mutex(Kept())

    public init(file: EventFile) {
        self.file = file
    }

    /// Bytes read from the journal so far: what keeping it up to date has cost.
    public var bytesRead: Int { kept.withLock { $0.bytesRead } }

    /// The journal's events now. Costs one `stat` when nothing was appended.
    public func current() throws(EventFile.WriteError) -> EventJournal.Replay {
        if let unchanged = unchangedReplay() { return unchanged }
        let fd = open(file.path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT {
                return kept.withLock {
                    $0 = Kept(bytesRead: $0.bytesRead)
                    return $0.replay
                }
            }
            throw file.failure("cannot read the events file")
        }
        defer { close(fd) }
        flock(fd, LOCK_SH)
        return try refresh(fd)
    }

    /// The kept replay, if the file is the one read and no longer than what was read.
    public func unchangedReplay() -> EventJournal.Replay? {
        var status = stat()
        let found = stat(file.path, &status) == 0
        let missing = !found && errno == ENOENT
        return kept.withLock { kept in
            if !found { return missing && kept.identity == nil ? kept.replay : nil }
            guard let identity = kept.identity, identity == (UInt64(status.st_dev), UInt64(status.st_ino)),
                Int(status.st_size) == kept.consumed
            else { return nil }
            return kept.replay
        }
    }

    public func add(_ make: (Int) -> Event) throws(EventFile.WriteError) -> Event {
        try file.add(make, replay: { fd throws(EventFile.WriteError) in try self.refresh(fd) })
    }

    public func remove(id: Int, at time: Int64) throws(EventFile.WriteError) -> Event? {
        try file.remove(id: id, at: time, replay: { fd throws(EventFile.WriteError) in try self.refresh(fd) })
    }

    /// Applies what `fd` (locked by the caller) holds beyond what was read: whole lines only,
    /// a line still being written waits for the next call.
    private func refresh(_ fd: Int32) throws(EventFile.WriteError) -> EventJournal.Replay {
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw file.failure("cannot read the events file's size") }
        let identity = (dev: UInt64(status.st_dev), ino: UInt64(status.st_ino))
        return try kept.withLock { (kept: inout Kept) throws(EventFile.WriteError) -> EventJournal.Replay in
            if kept.identity.map({ $0 != identity }) ?? true || Int(status.st_size) < kept.consumed {
                kept = Kept(identity: identity, bytesRead: kept.bytesRead)
            }
            let bytes = try file.bytes(fd, from: kept.consumed)
            kept.bytesRead += bytes.count
            guard let end = bytes.lastIndex(of: UInt8(ascii: "\n")) else { return kept.replay }
            kept.replay.apply(String(decoding: bytes[...end], as: UTF8.self)[...])
            kept.consumed += end + 1
            return kept.replay
        }
    }
}
