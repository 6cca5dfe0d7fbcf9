import Foundation

/// The golden captures from real Ganglia 3.7.2 carried by this test target (`Fixtures/ganglia-3.7.2`,
/// described in its README).
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
