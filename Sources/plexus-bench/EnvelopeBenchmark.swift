import Foundation
import PlexusCore
import PlexusSecurity

/// `plexus-bench envelopes COUNT`: how many gmond value messages one core seals, and opens
/// (parse, HMAC check, window, replay), per second, and the bytes an envelope adds.
struct EnvelopeBenchmark {
    var count: Int

    func run() {
        let key = SigningKey.generate(id: "bench-key-2026")
        let payload = GangliaMessage.value(
            MetricIdentity(host: "10.0.0.1:bench-1.example", name: "bench_metric_1", spoof: true), format: "%.2f", value: .float(0.5)
        ).xdr
        var signer = Signer(key: key, sender: 1)
        let now: Int64 = 1_795_543_200
        var sealed: [[UInt8]] = []
        sealed.reserveCapacity(count)
        let sealStart = ContinuousClock.now
        for _ in 0..<count { sealed.append(signer.seal(payload, now: now)) }
        let sealSeconds = Self.seconds(ContinuousClock.now - sealStart)
        let receiver = SignedReceiver(keyring: Keyring([.init(key: key, hosts: [], spoof: true)]), requireSigned: true)
        let address = IPAddress("127.0.0.1")!
        var opened = 0
        let openStart = ContinuousClock.now
        for datagram in sealed {
            if case .message = datagram.withUnsafeBytes({ receiver.receive($0, from: address, now: now) }) { opened += 1 }
        }
        let openSeconds = Self.seconds(ContinuousClock.now - openStart)
        let plain = SignedReceiver(keyring: Keyring())
        let plainStart = ContinuousClock.now
        var decoded = 0
        for _ in 0..<count {
            if case .message = payload.withUnsafeBytes({ plain.receive($0, from: address, now: now) }) { decoded += 1 }
        }
        let plainSeconds = Self.seconds(ContinuousClock.now - plainStart)
        print(
            String(
                format: "envelopes: seal %.0f/s, open+decode %.0f/s (%d of %d taken), plain decode %.0f/s (%d); %d-byte message, +%d bytes signed",
                Double(count) / sealSeconds, Double(count) / openSeconds, opened, count, Double(count) / plainSeconds, decoded, payload.count,
                sealed[0].count - payload.count))
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
