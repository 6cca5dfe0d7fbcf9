import Foundation
import PlexusCore
import PlexusSecurity

#if canImport(Glibc)
    import Glibc
#endif

/// `plexus-bench flood HOST PORT HOSTS METRICS [RATE] [TAG]`: sends metadata and a value for
/// every metric of `HOSTS` spoofed hosts named `TAG<n>.example` (addresses 10.T.x.y), at `RATE`
/// packets per second (0: as fast as one socket allows), so an agent or a gmond ends up holding
/// HOSTS × METRICS metrics. With a key file every packet is sealed first (the receiver's cost
/// is what is measured). Prints packets, seconds and the achieved rate.
struct Flood {
    var host: String
    var port: Int
    var hosts: Int
    var metrics: Int
    var rate: Int
    var tag: Int
    /// A key file (`plexus keygen --spoof`): every packet goes out signed with it.
    var keyFile: String?

    /// Metadata and a value for every metric of `hosts` spoofed hosts `bench<tag>-<n>.example`
    /// at 10.tag.x.y (also what `IngestBenchmark` files).
    static func packets(hosts: Int, metrics: Int, tag: Int) -> [[UInt8]] {
        var packets: [[UInt8]] = []
        for h in 0..<hosts {
            let identity = "10.\(tag % 256).\((h / 256) % 256).\(h % 256):bench\(tag)-\(h).example"
            for m in 0..<metrics {
                let name = "bench_metric_\(m)"
                let id = MetricIdentity(host: identity, name: name, spoof: true)
                let extra = [ExtraElement(name: "GROUP", value: "bench"), ExtraElement(name: "SPOOF_HOST", value: identity)]
                packets.append(GangliaMessage.metadata(id, MetricMetadata(name: name, type: .float, units: "u", tmax: 60, extraData: extra)).xdr)
                packets.append(GangliaMessage.value(id, format: "%.2f", value: .float(Float(h * metrics + m))).xdr)
            }
        }
        return packets
    }

    func run() throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw FloodError("socket failed") }
        defer { close(fd) }
        var size: Int32 = 8 << 20
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr(host)
        var packets = Self.packets(hosts: hosts, metrics: metrics, tag: tag)
        if let keyFile {
            var signer = Signer(key: try SecurityMaterial.signingKey(file: keyFile), sender: UInt32.random(in: 0...UInt32.max))
            let now = Int64(Date().timeIntervalSince1970)
            packets = packets.map { signer.seal($0, now: now) }
        }
        let start = ContinuousClock.now
        var sent = 0
        for (i, packet) in packets.enumerated() {
            // Pace in batches of 500: sleep until the batch is due.
            if rate > 0, i % 500 == 0 {
                let due = Double(i) / Double(rate)
                let now = ContinuousClock.now - start
                let ahead = due - (Double(now.components.seconds) + Double(now.components.attoseconds) / 1e18)
                if ahead > 0 { usleep(UInt32(ahead * 1e6)) }
            }
            let n = packet.withUnsafeBytes { raw in
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
            if n > 0 { sent += 1 }
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(String(format: "flood: %d packets in %.3f s (%.0f packets/s)", sent, seconds, Double(sent) / seconds))
    }

    struct FloodError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
