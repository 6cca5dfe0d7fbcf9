extension GangliaMessage {
    /// gmond's encode buffer for metadata and gmetric packets (1500 − 28 − 8 bytes).
    public static let maxMessageLength = 1464

    /// The XDR bytes of this message: exactly what gmond 3.7 puts in one datagram.
    public var xdr: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(128)
        encode(into: &bytes)
        return bytes
    }

    /// Appends the XDR bytes of this message to `buffer`.
    public func encode(into buffer: inout [UInt8]) {
        buffer.appendXDR(messageID.rawValue)
        let id = identity
        buffer.appendXDR(id.host)
        buffer.appendXDR(id.name)
        buffer.appendXDR(id.spoof ? 1 : 0)
        switch self {
        case .metadata(_, let metadata):
            buffer.appendXDR(metadata.type.rawValue)
            buffer.appendXDR(metadata.name)
            buffer.appendXDR(metadata.units)
            buffer.appendXDR(metadata.slope.rawValue)
            buffer.appendXDR(metadata.tmax)
            buffer.appendXDR(metadata.dmax)
            buffer.appendXDR(UInt32(metadata.extraData.count))
            for element in metadata.extraData {
                buffer.appendXDR(element.name)
                buffer.appendXDR(element.value)
            }
        case .value(_, let format, let value):
            buffer.appendXDR(format)
            switch value {
            // XDR has no 16-bit type: shorts are widened to a 4-byte word (sign-extended).
            case .ushort(let v): buffer.appendXDR(UInt32(v))
            case .short(let v): buffer.appendXDR(UInt32(bitPattern: Int32(v)))
            case .int(let v): buffer.appendXDR(UInt32(bitPattern: v))
            case .uint(let v): buffer.appendXDR(v)
            case .string(let v): buffer.appendXDR(v)
            case .float(let v): buffer.appendXDR(v.bitPattern)
            case .double(let v):
                buffer.appendXDR(UInt32(truncatingIfNeeded: v.bitPattern >> 32))
                buffer.appendXDR(UInt32(truncatingIfNeeded: v.bitPattern))
            }
        case .metadataRequest:
            break
        }
    }
}

extension [UInt8] {
    /// Appends a big-endian 4-byte word.
    mutating func appendXDR(_ word: UInt32) {
        append(UInt8(truncatingIfNeeded: word >> 24))
        append(UInt8(truncatingIfNeeded: word >> 16))
        append(UInt8(truncatingIfNeeded: word >> 8))
        append(UInt8(truncatingIfNeeded: word))
    }

    /// Appends an XDR string: length, UTF-8 bytes, zero padding to a 4-byte boundary.
    mutating func appendXDR(_ string: String) {
        let utf8 = string.utf8
        appendXDR(UInt32(utf8.count))
        append(contentsOf: utf8)
        let pad = (4 - utf8.count % 4) % 4
        append(contentsOf: repeatElement(0, count: pad))
    }
}
