import Foundation
import PlexusTestSupport

/// `systemd-analyze verify` on one unit file, read for that unit only: on a machine with other
/// packages installed it also warns about their units (a CI machine once failed both unit tests
/// on an unrelated unit's warnings), which is not these tests' subject.
enum SystemdVerify {
    static let path = "/usr/bin/systemd-analyze"

    /// The lines about `unit` (by its file name or path); a failure with no line at all counts.
    static func problems(of unit: URL) async throws -> [String] {
        let (status, text) = try await runCommand(path, ["verify", unit.path])
        let lines = text.split(separator: "\n").map(String.init)
        let ours = lines.filter { $0.contains(unit.lastPathComponent) || $0.contains(unit.path) }
        if status != 0 && lines.isEmpty { return ["systemd-analyze exited \(status) without saying why"] }
        return ours
    }
}
