import PlexusCore
import Testing

/// Key files and keyrings read with file, key and reason.
@Suite struct KeyringFileTests {
    static let secret = String(repeating: "0f", count: 32)

    @Test func keysAndKeyringsAreRead() throws {
        let key = try KeyringFile.parseKey("id = \"web-1-2026\"\nsecret = \"\(Self.secret)\"\n", file: "web-1.key")
        #expect(key.id == "web-1-2026" && key.secret == Self.secret)
        let ring = try KeyringFile.parseKeyring(
            """
            [[key]]
            id = "web-1-2026"
            secret = "\(Self.secret.uppercased())"
            hosts = ["web-1"]

            [[key]]
            id = "web-1-2027"
            secret_file = "/etc/plexus/web-1.key"
            hosts = ["web-1"]

            [[key]]
            id = "relay"
            secret = "\(Self.secret)"
            spoof = true
            """, file: "keyring.toml")
        #expect(ring.map(\.id) == ["web-1-2026", "web-1-2027", "relay"])
        #expect(ring[1].secretFile == "/etc/plexus/web-1.key" && ring[1].secret == nil && ring[2].spoof && ring[2].hosts.isEmpty)
        // What keygen prints is a keyring.
        let printed = KeyringFile.entryText(id: "db-1-2026", secret: Self.secret, hosts: ["db-1", "db \"one\""], spoof: false)
        #expect(try KeyringFile.parseKeyring(printed, file: "p.toml") == [.init(id: "db-1-2026", secret: Self.secret, hosts: ["db-1", "db \"one\""])])
    }

    @Test(arguments: [
        ("[[key]]\nsecret = \"\(secret)\"\nhosts = [\"a\"]", "k.toml: key key[0].id: every key needs its id"),
        ("[[key]]\nid = \"a b\"\nsecret = \"\(secret)\"\nhosts = [\"a\"]", "k.toml: key key[0].id: a key id is 1 to 64 printable ASCII"),
        ("[[key]]\nid = \"a\"\nsecret = \"abc\"\nhosts = [\"a\"]", "k.toml: key key[0].secret: a secret is 64 hex digits"),
        ("[[key]]\nid = \"a\"\nhosts = [\"a\"]", "k.toml: key key[0].secret: a key needs secret"),
        (
            "[[key]]\nid = \"a\"\nsecret = \"\(secret)\"\nsecret_file = \"/k\"\nhosts = [\"a\"]",
            "k.toml: key key[0].secret_file: a key has secret or secret_file, not both"
        ),
        ("[[key]]\nid = \"a\"\nsecret_file = \"k.key\"\nhosts = [\"a\"]", "k.toml: key key[0].secret_file: must be an absolute path"),
        ("[[key]]\nid = \"a\"\nsecret = \"\(secret)\"", "k.toml: key key[0].hosts: a key speaks for the hosts listed here"),
        (
            "[[key]]\nid = \"a\"\nsecret = \"\(secret)\"\nhosts = [\"a\"]\n[[key]]\nid = \"a\"\nsecret = \"\(secret)\"\nhosts = [\"b\"]",
            "k.toml: key key[1].id: \"a\" is listed twice"
        ),
        ("[[key]]\nid = \"a\"\nsecret = \"\(secret)\"\nhosts = [\"a\"]\nspoofs = true", "k.toml: key key[0].spoofs: unknown key"),
    ])
    func badKeyringsNameFileKeyAndReason(text: String, message: String) {
        do {
            _ = try KeyringFile.parseKeyring(text, file: "k.toml")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description.hasPrefix(message), "\(error.description)")
        }
    }
}
