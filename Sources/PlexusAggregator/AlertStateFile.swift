import Foundation
import PlexusAlerts

/// The alerts pending and firing, kept across restarts (`docs/alerts.md`): a small JSON file
/// under the RRD root (`.plexus-alerts.json`; hidden, so ganglia-web's directory listings skip
/// it), replaced atomically (written beside, synced, renamed) so a crash leaves the old state or
/// the new, never half of one.
public struct AlertStateFile: Sendable {
    public let path: String

    public init(root: String) {
        path = (root.hasSuffix("/") ? String(root.dropLast()) : root) + "/" + ActiveAlert.stateFileName
    }

    public struct Problem: Error, CustomStringConvertible {
        public var description: String
    }

    struct Contents: Codable {
        var version = 1
        var alerts: [ActiveAlert]
        var undelivered: UndeliveredChanges?
    }

    /// The alerts saved last; none when there is no file yet.
    public func load() throws(Problem) -> [ActiveAlert] {
        try loadAll().alerts
    }

    /// The alerts and the changes not yet delivered, saved last.
    public func loadAll() throws(Problem) -> (alerts: [ActiveAlert], undelivered: UndeliveredChanges) {
        guard let data = FileManager.default.contents(atPath: path) else {
            if FileManager.default.fileExists(atPath: path) { throw Problem(description: "cannot read \(path)") }
            return ([], UndeliveredChanges())
        }
        do {
            let contents = try JSONDecoder().decode(Contents.self, from: data)
            return (contents.alerts, contents.undelivered ?? UndeliveredChanges())
        } catch {
            throw Problem(description: "\(path) is not an alert state file (\(error)); move it aside to start without the saved alerts")
        }
    }

    /// In a stable order, by labels (the board and `/api/v1/alerts` list them so too); each key
    /// made once (a comparison that made both would make them n log n times).
    static func sorted(_ alerts: [ActiveAlert]) -> [ActiveAlert] {
        alerts.map { (key($0), $0) }.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// An alert's labels as one text, to order alerts by.
    static func key(_ alert: ActiveAlert) -> String {
        alert.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\u{0}")
    }

    public func save(_ alerts: [ActiveAlert], undelivered: UndeliveredChanges = UndeliveredChanges()) throws(Problem) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // In a stable order, so that an unchanged state writes the same bytes.
        let sorted = Self.sorted(alerts)
        let data: Data
        do {
            data = try encoder.encode(Contents(alerts: sorted, undelivered: undelivered.isEmpty ? nil : undelivered))
        } catch {
            throw Problem(description: "cannot encode the alerts: \(error)")
        }
        let temporary = path + ".new"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Problem(description: "cannot write \(temporary): \(String(cString: strerror(errno))) (errno \(errno))") }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = written == data.count ? fsync(fd) : -1
        let code = errno
        close(fd)
        guard written == data.count, synced == 0 else {
            unlink(temporary)
            throw Problem(description: "cannot write \(temporary): \(String(cString: strerror(code))) (errno \(code))")
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw Problem(description: "cannot replace \(path): \(String(cString: strerror(code))) (errno \(code))")
        }
        // The rename itself survives a crash once the directory is synced.
        let directory = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }
}
