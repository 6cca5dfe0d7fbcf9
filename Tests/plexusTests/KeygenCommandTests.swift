import Foundation
import PlexusCore
import Testing

/// `plexus keygen`: a 0600 key file, never overwritten, and a keyring entry that reads back.
@Suite struct KeygenCommandTests {
    @Test func aKeyFileAndItsKeyringEntry() async throws {
        let folder = try TemporaryFolder("plexus-keygen")
        let file = folder.url.appendingPathComponent("web-1.key").path
        let made = try await CLIArchiveTests.plexus(["keygen", "--host", "web-1", "--host", "web-1b", "--id", "web-1-test", "-o", file])
        #expect(made.status == 0, "\(made.stderr)")
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
        let key = try KeyringFile.parseKey(try String(contentsOfFile: file, encoding: .utf8), file: file)
        let ring = try KeyringFile.parseKeyring(made.stdout, file: "stdout")
        #expect(ring == [.init(id: "web-1-test", secret: key.secret, hosts: ["web-1", "web-1b"])] && key.id == "web-1-test")
        // Never overwritten; a second key is another secret.
        let again = try await CLIArchiveTests.plexus(["keygen", "--host", "web-1", "-o", file])
        #expect(again.status == 1 && again.stderr.contains("never overwrites"))
        let other = folder.url.appendingPathComponent("relay.key").path
        let relay = try await CLIArchiveTests.plexus(["keygen", "--spoof", "-o", other])
        #expect(relay.status == 0)
        #expect(try KeyringFile.parseKey(try String(contentsOfFile: other, encoding: .utf8), file: other).secret != key.secret)
        #expect(try await CLIArchiveTests.plexus(["keygen", "-o", folder.url.appendingPathComponent("x.key").path]).status != 0, "no host, no spoof")
    }
}
