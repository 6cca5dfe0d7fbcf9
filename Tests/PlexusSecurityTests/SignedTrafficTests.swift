import Foundation
import PlexusCore
import Testing

@testable import PlexusSecurity

/// The receive path's policy (`SignedReceiver`), the signer, and reading keys from files.
@Suite struct SignedTrafficTests {
    static let web1 = SigningKey(id: "web-1-2026", secret: Array(0..<32))
    static let now: Int64 = 1_795_543_200
    static let here = IPAddress("10.0.0.1")!

    static func value(_ host: String, spoof: Bool = false, _ v: Float = 0.5) -> GangliaMessage {
        .value(MetricIdentity(host: host, name: "load_one", spoof: spoof), format: "%.2f", value: .float(v))
    }

    static func receive(_ receiver: SignedReceiver, _ bytes: [UInt8], from: IPAddress = here, at now: Int64 = now) -> SignedReceiver.Outcome {
        bytes.withUnsafeBytes { receiver.receive($0, from: from, now: now) }
    }

    static func refusal(_ outcome: SignedReceiver.Outcome) -> EnvelopeVerifier.Refusal? {
        if case .refused(let reason) = outcome { reason } else { nil }
    }

    static func keyID(_ outcome: SignedReceiver.Outcome) -> String?? {
        if case .message(_, let keyID) = outcome { keyID } else { nil }
    }

    @Test func plainDatagramsPassUntilSignaturesAreRequiredThenOnlyFromListedAddresses() {
        let plain = Self.value("web-1").xdr
        let open = SignedReceiver(keyring: Keyring([.init(key: Self.web1, hosts: ["web-1"])]))
        #expect(Self.keyID(Self.receive(open, plain)) == .some(nil))
        let strict = SignedReceiver(
            keyring: open.keyring, requireSigned: true, acceptUnsignedFrom: [CIDRBlock("192.0.2.0/24")!])
        #expect(Self.refusal(Self.receive(strict, plain)) == .unsigned)
        #expect(Self.keyID(Self.receive(strict, plain, from: IPAddress("192.0.2.9")!)) == .some(nil))
        // Signed ones pass either way; the key is named.
        var signer = Signer(key: Self.web1, sender: 9)
        #expect(Self.keyID(Self.receive(strict, signer.seal(plain, now: Self.now))) == "web-1-2026")
        // Garbage that is not an envelope is undecodable, not a refusal.
        if case .undecodable = Self.receive(open, [1, 2, 3, 4, 5]) {} else { Issue.record("garbage should be undecodable") }
    }

    @Test func eachRefusalReasonComesBackFromTheReceiver() {
        let receiver = SignedReceiver(keyring: Keyring([.init(key: Self.web1, hosts: ["web-1"])]), window: 30)
        var signer = Signer(key: Self.web1, sender: 1)
        let payload = Self.value("web-1").xdr
        let good = signer.seal(payload, now: Self.now)
        #expect(Self.keyID(Self.receive(receiver, good)) == "web-1-2026")
        #expect(Self.refusal(Self.receive(receiver, good)) == .replay)
        var tampered = signer.seal(payload, now: Self.now)
        tampered[tampered.count - 40] ^= 0x20
        #expect(Self.refusal(Self.receive(receiver, tampered)) == .badMAC)
        #expect(Self.refusal(Self.receive(receiver, signer.seal(payload, now: Self.now - 31))) == .stale)
        var stranger = Signer(key: SigningKey(id: "db-1", secret: Array(repeating: 3, count: 32)), sender: 1)
        #expect(Self.refusal(Self.receive(receiver, stranger.seal(payload, now: Self.now))) == .unknownKey)
        #expect(Self.refusal(Self.receive(receiver, Array(good.prefix(20)))) == .malformed)
        #expect(signer.overhead(payload: payload.count) == good.count - payload.count)
    }

    @Test func aKeySpeaksOnlyForTheHostAValueWouldBeFiledUnder() {
        let receiver = SignedReceiver(
            keyring: Keyring([
                .init(key: Self.web1, hosts: ["web-1"]), .init(key: SigningKey(id: "relay", secret: Array(repeating: 2, count: 32)), hosts: [], spoof: true),
            ]))
        var state = ClusterState()
        let web3 = ClusterState.Sender(address: "10.0.0.3")
        _ = state.apply(Self.value("web-3"), from: web3, now: Self.now)
        func may(_ message: GangliaMessage, key: String?, from sender: ClusterState.Sender) -> Bool {
            receiver.mayFile(message, keyID: key, in: state, from: sender)
        }
        let fresh = ClusterState.Sender(address: "10.0.0.1")
        #expect(may(Self.value("web-1"), key: "web-1-2026", from: fresh))
        #expect(may(Self.value("WEB-1"), key: "web-1-2026", from: fresh), "host names compare without case")
        #expect(!may(Self.value("web-2"), key: "web-1-2026", from: fresh), "another host's name")
        // From web-3's address the value would land on web-3, whatever name it carries.
        #expect(!may(Self.value("web-1"), key: "web-1-2026", from: web3))
        // Spoofed: the spoofed host is the one spoken for (override_hostname), and an address
        // already known keeps its name.
        #expect(may(Self.value("10.9.9.9:web-1", spoof: true), key: "web-1-2026", from: fresh))
        #expect(!may(Self.value("10.0.0.3:web-1", spoof: true), key: "web-1-2026", from: fresh))
        #expect(may(Self.value("10.0.0.3:anything", spoof: true), key: "relay", from: fresh))
        // Plain messages and metadata requests (which name the host asked about) are not bound.
        #expect(may(Self.value("web-2"), key: nil, from: fresh))
        #expect(may(.metadataRequest(MetricIdentity(host: "web-3", name: "load_one")), key: "web-1-2026", from: fresh))
    }

    @Test func keysAreReadFromTheirFilesWithFileKeyAndReason() throws {
        let other = SigningKey(id: "web-2-2026", secret: Array(repeating: 9, count: 32))
        var files = [
            "/etc/plexus/web-1.key": "id = \"web-1-2026\"\nsecret = \"\(Self.web1.hex)\"\n",
            "/etc/plexus/web-2.key": "id = \"web-2-2026\"\nsecret = \"\(other.hex)\"\n",
            "/etc/plexus/keyring.toml": """
            [[key]]
            id = "web-2-2026"
            secret_file = "/etc/plexus/web-2.key"
            hosts = ["web-2"]
            [[key]]
            id = "relay"
            secret = "\(String(repeating: "ab", count: 32))"
            spoof = true
            """,
        ]
        let read = { (path: String) throws(ConfigError) -> String in
            guard let text = files[path] else { throw ConfigError(file: path, reason: "cannot read: No such file or directory") }
            return text
        }
        var security = AgentConfiguration.Security()
        security.keyFile = "/etc/plexus/web-1.key"
        security.keyring = "/etc/plexus/keyring.toml"
        let material = try SecurityMaterial.load(security, section: "security", file: "agent.toml", ownHosts: ["web-1"], read: read)
        #expect(material.signingKey == Self.web1)
        #expect(material.keyring.entries.keys.sorted() == ["relay", "web-1-2026", "web-2-2026"])
        #expect(material.keyring.allows("web-1-2026", host: "web-1") && material.keyring.allows("web-2-2026", host: "web-2"))
        #expect(material.keyring.entries["web-2-2026"]?.key == other && material.keyring.allows("relay", host: "x"))

        func problem() -> String {
            do {
                _ = try SecurityMaterial.load(security, section: "security", file: "agent.toml", ownHosts: ["web-1"], read: read)
                return "no error"
            } catch { return "\(error)" }
        }
        files["/etc/plexus/web-2.key"] = "id = \"web-9\"\nsecret = \"\(other.hex)\"\n"
        #expect(problem() == "/etc/plexus/keyring.toml: key key[0].secret_file: /etc/plexus/web-2.key holds key \"web-9\", not \"web-2-2026\"")
        files["/etc/plexus/web-2.key"] = nil
        #expect(problem() == "/etc/plexus/web-2.key: cannot read: No such file or directory")
        files["/etc/plexus/keyring.toml"] = "[[key]]\nid = \"web-1-2026\"\nsecret = \"\(other.hex)\"\nhosts = [\"web-1\"]\n"
        #expect(problem() == "agent.toml: key security.key_file: key \"web-1-2026\" is in the keyring with another secret")
        files["/etc/plexus/web-1.key"] = "id = \"web-1-2026\"\nsecret = \"short\"\n"
        #expect(problem().hasPrefix("/etc/plexus/web-1.key: key secret: a secret is 64 hex digits"))
    }

    @Test func aSecretOthersCanReadIsRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("plexus-key-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        defer { unlink(path) }
        #expect(FileManager.default.createFile(atPath: path, contents: Data("id = \"a\"\n".utf8), attributes: [.posixPermissions: 0o644]))
        #expect(throws: ConfigError(file: path, reason: "every user may read it (mode 644); keys are secret: chmod o-r \(path)")) {
            try SecurityMaterial.readSecret(path)
        }
        chmod(path, 0o640)
        #expect(try SecurityMaterial.readSecret(path) == "id = \"a\"\n")
        #expect(throws: ConfigError(file: path + ".missing", reason: "cannot read: No such file or directory")) {
            try SecurityMaterial.readSecret(path + ".missing")
        }
    }
}
