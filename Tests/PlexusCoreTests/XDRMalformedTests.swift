import PlexusTestSupport
import Testing

@testable import PlexusCore

/// Hostile and broken datagrams: each gives a typed error, none traps.
@Suite struct XDRMalformedTests {
    /// A value packet for `load_one` from host `vm`, built by hand (not by our encoder).
    static let loadOne: [UInt8] =
        [
            0, 0, 0, 0x86, 0, 0, 0, 2, 0x76, 0x6D, 0, 0, 0, 0, 0, 8,
        ] + Array("load_one".utf8) + [
            0, 0, 0, 0, 0, 0, 0, 4,
        ] + Array("%.2f".utf8) + [0x3F, 0x3D, 0x70, 0xA4]

    @Test func handBuiltPacketDecodes() throws {
        #expect(
            try GangliaMessage(xdr: Self.loadOne)
                == .value(
                    MetricIdentity(host: "vm", name: "load_one"), format: "%.2f", value: .float(Float(bitPattern: 0x3F3D_70A4))))
    }

    @Test(arguments: [UInt32(0), 1, 30, 127, 137, 200, 0x8000_0000, UInt32.max])
    func unsupportedIDs(_ id: UInt32) {
        var bytes = Self.loadOne
        bytes.replaceSubrange(0..<4, with: [UInt8(id >> 24), UInt8((id >> 16) & 0xFF), UInt8((id >> 8) & 0xFF), UInt8(id & 0xFF)])
        #expect(throws: XDRError.unsupportedMessageID(id)) { try GangliaMessage(xdr: bytes) }
        #expect(XDRError.unsupportedMessageID(id).description.contains(id < 128 ? "2.5" : "unknown"))
    }

    @Test(arguments: [UInt32(100), 1 << 20, UInt32.max])
    func lengthPrefixBeyondDatagram(_ length: UInt32) {
        var bytes = Self.loadOne
        // The host length word at offset 4.
        bytes.replaceSubrange(4..<8, with: [UInt8(length >> 24), UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF)])
        #expect {
            try GangliaMessage(xdr: bytes)
        } throws: { error in
            error as? XDRError == .lengthBeyondDatagram(field: "host", offset: 4, length: length, available: bytes.count - 8)
        }
    }

    @Test func hugeExtraDataCountIsRefusedBeforeAllocating() throws {
        var metadata = try Fixtures.bytes("xdr/metadata-heartbeat.bin")
        // extra data count at 0x4c (see the annotated capture in the spec).
        metadata.replaceSubrange(0x4C..<0x50, with: [0x7F, 0xFF, 0xFF, 0xFF])
        #expect(throws: XDRError.lengthBeyondDatagram(field: "extra data count", offset: 0x4C, length: 0x7FFF_FFFF, available: 76)) {
            try GangliaMessage(xdr: metadata)
        }
    }

    @Test func invalidUTF8InAString() {
        var bytes = Self.loadOne
        bytes[8] = 0xFF  // first byte of "vm"
        #expect(throws: XDRError.invalidUTF8(field: "host", offset: 4)) { try GangliaMessage(xdr: bytes) }
    }

    @Test func invalidBoolean() {
        var bytes = Self.loadOne
        bytes[27] = 2  // spoof word
        #expect(throws: XDRError.invalidBool(field: "spoof", value: 2)) { try GangliaMessage(xdr: bytes) }
    }

    @Test func unknownSlopeAndType() throws {
        var slope = try Fixtures.bytes("xdr/metadata-heartbeat.bin")
        slope[0x43] = 9
        #expect(throws: XDRError.unknownSlope(9)) { try GangliaMessage(xdr: slope) }
        var type = try Fixtures.bytes("xdr/metadata-heartbeat.bin")
        type[0x24] = UInt8(ascii: "x")  // "uint32" → "xint32"
        #expect(throws: XDRError.unknownMetricType("xint32")) { try GangliaMessage(xdr: type) }
    }

    @Test func shortWordsMustFitSixteenBits() throws {
        var ushort = try Fixtures.bytes("xdr/value-ushort-cpu_num.bin")
        ushort[ushort.count - 3] = 1  // 0x00010002
        #expect(throws: XDRError.valueOutOfRange(field: "unsigned short value", word: 0x0001_0002)) {
            try GangliaMessage(xdr: ushort)
        }
        let short = GangliaMessage.value(MetricIdentity(host: "h", name: "n"), format: "%hd", value: .short(-5))
        var bytes = short.xdr
        #expect(Array(bytes.suffix(4)) == [0xFF, 0xFF, 0xFF, 0xFB])  // sign-extended
        bytes[bytes.count - 4] = 0x00  // 0x00FFFFFB: not a sign-extended short
        #expect(throws: XDRError.self) { try GangliaMessage(xdr: bytes) }
    }

    @Test func randomBytesNeverTrap() {
        var rng = SeededGenerator(seed: 0x9E1A)
        var outcomes: [String: Int] = [:]
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...96, using: &rng)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            // Half of them start with a valid id so the decoder gets past the first word.
            if length >= 4, Bool.random(using: &rng) {
                bytes[0] = 0
                bytes[1] = 0
                bytes[2] = 0
                bytes[3] = UInt8.random(in: 128...136, using: &rng)
            }
            do {
                _ = try GangliaMessage(xdr: bytes)
                outcomes["decoded", default: 0] += 1
            } catch {
                outcomes[Mirror(reflecting: error).children.first?.label ?? "\(error)", default: 0] += 1
            }
        }
        #expect(outcomes.values.reduce(0, +) == 20_000)
        #expect(outcomes["unsupportedMessageID"] != nil && outcomes["lengthBeyondDatagram"] != nil, "\(outcomes)")
    }

    @Test func mutatedFixturesNeverTrap() throws {
        var rng = SeededGenerator(seed: 7)
        for file in Fixtures.xdrFiles {
            let original = try Fixtures.bytes("xdr/\(file)")
            for _ in 0..<300 {
                var bytes = original
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
                if let message = try? GangliaMessage(xdr: bytes) {
                    // Whatever decodes re-encodes to something that decodes to the same message.
                    #expect(try GangliaMessage(xdr: message.xdr) == message)
                }
            }
        }
    }
}
