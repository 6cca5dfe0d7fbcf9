import Foundation

/// The golden captures from real Ganglia 3.7.2 carried by this test target (copied from
/// `shared/fixtures/ganglia-3.7.2`).
enum Fixtures {
    static var root: URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures/ganglia-3.7.2")
    }

    static func bytes(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: root.appendingPathComponent(path)))
    }

    static func names(in folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path).sorted()
    }

    /// Every XDR capture, by file name.
    static var xdrFiles: [String] {
        (try? names(in: "xdr").filter { $0.hasSuffix(".bin") }) ?? []
    }

    /// Every XML capture, by file name.
    static var xmlFiles: [String] {
        (try? names(in: "xml")) ?? []
    }
}

/// A small deterministic generator (SplitMix64) so generated tests are repeatable.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
