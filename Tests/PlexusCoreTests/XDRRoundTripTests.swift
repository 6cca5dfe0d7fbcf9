import PlexusTestSupport
import Testing

@testable import PlexusCore

/// Generated messages of every kind survive encode → decode unchanged.
@Suite struct XDRRoundTripTests {
    static func randomString(_ rng: inout SeededGenerator, maxLength: Int = 24) -> String {
        let alphabet = Array("abcXYZ019_-.:/ %<&\"é漢🙂\u{7}")
        return String((0..<Int.random(in: 0...maxLength, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
    }

    static func randomMessage(_ rng: inout SeededGenerator, id: MessageID) -> GangliaMessage {
        let identity = MetricIdentity(host: randomString(&rng), name: randomString(&rng), spoof: Bool.random(using: &rng))
        let format = randomString(&rng, maxLength: 6)
        switch id {
        case .metadata:
            let extra = (0..<Int.random(in: 0...5, using: &rng)).map { _ in
                ExtraElement(name: randomString(&rng, maxLength: 8), value: randomString(&rng))
            }
            return .metadata(
                identity,
                MetricMetadata(
                    name: randomString(&rng), type: MetricType.allCases.randomElement(using: &rng)!, units: randomString(&rng),
                    slope: Slope.allCases.randomElement(using: &rng)!, tmax: UInt32.random(in: 0...UInt32.max, using: &rng),
                    dmax: UInt32.random(in: 0...UInt32.max, using: &rng), extraData: extra))
        case .metadataRequest:
            return .metadataRequest(identity)
        case .ushortValue: return .value(identity, format: format, value: .ushort(.random(in: 0...UInt16.max, using: &rng)))
        case .shortValue: return .value(identity, format: format, value: .short(.random(in: Int16.min...Int16.max, using: &rng)))
        case .intValue: return .value(identity, format: format, value: .int(.random(in: Int32.min...Int32.max, using: &rng)))
        case .uintValue: return .value(identity, format: format, value: .uint(.random(in: 0...UInt32.max, using: &rng)))
        case .stringValue: return .value(identity, format: format, value: .string(randomString(&rng, maxLength: 40)))
        case .floatValue:
            return .value(identity, format: format, value: .float(Float(bitPattern: .random(in: 0...UInt32.max, using: &rng))))
        case .doubleValue:
            return .value(identity, format: format, value: .double(Double(bitPattern: .random(in: 0...UInt64.max, using: &rng))))
        }
    }

    @Test(arguments: MessageID.allCases)
    func roundTrip(_ id: MessageID) throws {
        var rng = SeededGenerator(seed: UInt64(id.rawValue))
        for _ in 0..<500 {
            let message = Self.randomMessage(&rng, id: id)
            let bytes = message.xdr
            #expect(bytes.count % 4 == 0)
            #expect(message.messageID == id)
            let decoded = try GangliaMessage(xdr: bytes)
            #expect(decoded == message)
            #expect(decoded.xdr == bytes)
        }
    }

    @Test func specialFloatsKeepTheirBits() throws {
        for value in [Float.nan, -.nan, .infinity, -.infinity, -0.0, .leastNonzeroMagnitude] {
            let message = GangliaMessage.value(MetricIdentity(host: "h", name: "f"), format: "%f", value: .float(value))
            guard case .value(_, _, .float(let back)) = try GangliaMessage(xdr: message.xdr) else { throw Failure("kind") }
            #expect(back.bitPattern == value.bitPattern)
        }
    }
}
