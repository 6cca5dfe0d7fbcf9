import PlexusCore
import Testing

@testable import PlexusSecurity

/// The signed envelope on values given to it: a golden vector computed independently (Python's
/// `hmac`), every refusal reason, the time window's edges, replays, sequence carry, rotation.
@Suite struct EnvelopeTests {
    static let key = SigningKey(id: "web-1-2026", secret: Array(0..<32))
    static let t0: UInt64 = 1_795_543_200
    /// gmond's value message for web-1's load_one = 0.5 (`docs/format/signed.md`).
    static let payload = hex("00000086000000057765622d31000000000000086c6f61645f6f6e650000000000000004252e32663f000000")
    static let golden = hex(
        "504c5853000000010000000a7765622d312d323032360000000000006b05d0a06b05cfd8000000070000002c00000086000000057765622d31"
            + "000000000000086c6f61645f6f6e650000000000000004252e32663f00000059b691c2bbfe8ca602bcfa71a67e74cb22c3233ef0fed04177b2766eaad6bac0")

    static func hex(_ text: String) -> [UInt8] {
        let digits = Array(text.utf8)
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
    }

    static func verifier(window: UInt64 = 60) -> EnvelopeVerifier {
        EnvelopeVerifier(keyring: Keyring([.init(key: key, hosts: ["WEB-1"])]), window: window)
    }

    @Test func sealingGivesTheGoldenBytesAndTheyOpen() throws {
        let sealed = Envelope.seal(Self.payload, key: Self.key, timestamp: Self.t0, sequence: 1_795_543_000 << 32 | 7)
        #expect(sealed == Self.golden)
        let parsed = try Envelope.parse(sealed)
        #expect(parsed.keyID == "web-1-2026" && parsed.timestamp == Self.t0 && parsed.sequence == 1_795_543_000 << 32 | 7)
        #expect(parsed.payload == Self.payload && Envelope.authentic(parsed, key: Self.key))
        // The payload is an ordinary Ganglia message.
        guard case .value(let id, _, let value)? = try? GangliaMessage(xdr: parsed.payload) else {
            Issue.record("the payload is not a Ganglia value message")
            return
        }
        #expect(id.host == "web-1" && id.name == "load_one" && value == .float(0.5))
        var verifier = Self.verifier()
        let opened = try verifier.open(sealed, now: Int64(Self.t0)).get()
        #expect(opened.payload == Self.payload && verifier.allows(opened, host: "web-1"))
    }

    @Test func everyRefusalHasItsReason() {
        var verifier = Self.verifier()
        let now = Int64(Self.t0)
        func seal(_ key: SigningKey = Self.key, at t: UInt64 = Self.t0, sequence: UInt64) -> [UInt8] {
            Envelope.seal(Self.payload, key: key, timestamp: t, sequence: sequence)
        }
        #expect(verifier.open(Self.payload, now: now) == .failure(.malformed), "a plain Ganglia message is not an envelope")
        #expect(verifier.open(Array(Self.golden.dropLast()), now: now) == .failure(.malformed))
        #expect(verifier.open(Self.golden + [0, 0, 0, 0], now: now) == .failure(.malformed))
        #expect(verifier.open(seal(SigningKey(id: "other", secret: Self.key.secret), sequence: 1), now: now) == .failure(.unknownKey))
        var tampered = seal(sequence: 2)
        tampered[60] ^= 0x01
        #expect(verifier.open(tampered, now: now) == .failure(.badMAC))
        #expect(verifier.open(seal(SigningKey(id: Self.key.id, secret: Array(repeating: 7, count: 32)), sequence: 3), now: now) == .failure(.badMAC))
        // The window's edges, both ways.
        #expect(verifier.open(seal(at: Self.t0 - 60, sequence: 4), now: now).isSuccess)
        #expect(verifier.open(seal(at: Self.t0 + 60, sequence: 5), now: now).isSuccess)
        #expect(verifier.open(seal(at: Self.t0 - 61, sequence: 6), now: now) == .failure(.stale))
        #expect(verifier.open(seal(at: Self.t0 + 61, sequence: 7), now: now) == .failure(.stale))
        // A replay, even within the window.
        let once = seal(sequence: 8)
        #expect(verifier.open(once, now: now).isSuccess && verifier.open(once, now: now + 1) == .failure(.replay))
        // The host check.
        var fresh = Self.verifier()
        let opened = try! fresh.open(seal(sequence: 9), now: now).get()
        #expect(verifier.allows(opened, host: "Web-1") && !verifier.allows(opened, host: "web-2"))
        #expect(Set(EnvelopeVerifier.Refusal.allCases.map(\.rawValue)).count == 7)
    }

    @Test func theReplayWindowTakesLateArrivalsOnceAndNothingOlderThanSixtyFour() {
        var window = ReplayWindow()
        #expect(window.accept(100) && window.accept(103) && window.accept(101))
        #expect(!window.accept(101) && !window.accept(103) && window.accept(102))
        #expect(window.accept(200) && window.accept(137) && !window.accept(136), "64 back from 200 is the edge")
        #expect(window.accept(1_000) && !window.accept(200))
    }

    @Test func sequencesCarryPastTheirCounterIntoANewSender() {
        var counter = SequenceCounter(sender: 5)
        for _ in 0..<3 { _ = counter.take() }
        #expect(counter.next == 5 << 32 | 3)
        // Past 2^32 messages the counter carries into the sender half: receivers see a new
        // sender (with a fresh window), never a wrap back to numbers already seen.
        var windows = SenderWindows()
        func take(_ sequence: UInt64, _ timestamp: UInt64) -> Bool { windows.accept(sequence, timestamp: timestamp) }
        let below = UInt64(5) << 32 | 0xFFFF_FFFF
        #expect(take(below, 10) && take(below + 1, 10) && (below + 1) >> 32 == 6)
        #expect(!take(below, 10) && windows.count == 2)
    }

    @Test func sendersSharingAKeyKeepTheirOwnWindows() {
        // An agent (sender 7, counting since long ago) and a plexus send (sender 3, counter 0)
        // sign with the same key: neither makes the other's numbers look old.
        var windows = SenderWindows()
        func take(_ sequence: UInt64, _ timestamp: UInt64) -> Bool { windows.accept(sequence, timestamp: timestamp) }
        #expect(take(7 << 32 | 5_000, 100) && take(3 << 32 | 0, 100))
        #expect(take(7 << 32 | 5_001, 101) && take(3 << 32 | 1, 101))
        #expect(!take(7 << 32 | 5_001, 102) && !take(3 << 32 | 0, 102))
    }

    @Test func forgottenSendersCannotBeReplayedAndTheBusyOneIsKept() {
        var windows = SenderWindows()
        func take(_ sequence: UInt64, _ timestamp: UInt64) -> Bool { windows.accept(sequence, timestamp: timestamp) }
        #expect(take(1 << 32, 1_000), "the agent, heard first")
        // Cron's plexus sends, one new sender a minute; the agent keeps talking in between.
        for minute in 1...UInt64(SenderWindows.maxSenders + 4) {
            #expect(take((100 + minute) << 32, 1_000 + minute * 60))
            #expect(take(1 << 32 | minute, 1_000 + minute * 60 + 1))
        }
        #expect(windows.count == SenderWindows.maxSenders)
        // The first sends were forgotten: replaying one is refused, though its sender is unknown now.
        #expect(!take(101 << 32, 1_060))
        #expect(windows.forgottenThrough == 1_000 + 5 * 60, "five sends forgotten, the fifth last heard at minute 5")
        // The agent was never forgotten: its old numbers are still replays, new ones still taken.
        #expect(!take(1 << 32 | 3, 1_500) && take(1 << 32 | 100, 9_000))
        // A sender starting now is welcome.
        #expect(take(999 << 32, 9_000))
    }

    @Test func twoKeysForOneHostBothWorkSoKeysRotateWithoutAGap() throws {
        let new = SigningKey.generate(id: "web-1-2027")
        #expect(new.secret.count == 32 && new.secret != Self.key.secret && SigningKey.secret(hex: new.hex) == new.secret)
        var verifier = EnvelopeVerifier(keyring: Keyring([.init(key: Self.key, hosts: ["web-1"]), .init(key: new, hosts: ["web-1"])]))
        let now = Int64(Self.t0)
        let old = try verifier.open(Envelope.seal(Self.payload, key: Self.key, timestamp: Self.t0, sequence: 1), now: now).get()
        let rotated = try verifier.open(Envelope.seal(Self.payload, key: new, timestamp: Self.t0, sequence: 1), now: now).get()
        #expect(verifier.allows(old, host: "web-1") && verifier.allows(rotated, host: "web-1"))
        #expect(SigningKey.secret(hex: "zz") == nil && SigningKey.secret(hex: String(repeating: "g", count: 64)) == nil)
        // A relay's key may speak for anyone.
        let relay = SigningKey(id: "bmc-relay", secret: Array(repeating: 1, count: 32))
        var relays = EnvelopeVerifier(keyring: Keyring([.init(key: relay, hosts: [], spoof: true)]))
        let opened = try relays.open(Envelope.seal(Self.payload, key: relay, timestamp: Self.t0, sequence: 1), now: now).get()
        #expect(relays.allows(opened, host: "switch-9") && relays.allows(opened, host: "anything"))
    }
}

extension Result {
    var isSuccess: Bool {
        if case .success = self { true } else { false }
    }
}
