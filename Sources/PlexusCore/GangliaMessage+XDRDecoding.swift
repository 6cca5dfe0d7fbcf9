extension GangliaMessage {
    /// Decodes one datagram. Throws an `XDRError` for anything that is not exactly one
    /// well-formed Ganglia 3.x message (trailing bytes included); never traps.
    public init(xdr bytes: UnsafeRawBufferPointer) throws(XDRError) {
        var reader = XDRReader(bytes)
        let rawID = try reader.uint32("message id")
        guard let id = MessageID(rawValue: rawID) else { throw .unsupportedMessageID(rawID) }
        let identity = MetricIdentity(
            host: try reader.string("host"),
            name: try reader.string("name"),
            spoof: try reader.bool("spoof")
        )
        switch id {
        case .metadata:
            self = .metadata(identity, try Self.decodeMetadata(&reader))
        case .metadataRequest:
            self = .metadataRequest(identity)
        case .ushortValue, .shortValue, .intValue, .uintValue, .stringValue, .floatValue, .doubleValue:
            let format = try reader.string("format")
            self = .value(identity, format: format, value: try Self.decodeValue(id, &reader))
        }
        guard reader.remaining == 0 else { throw .trailingBytes(count: reader.remaining, offset: reader.offset) }
    }

    /// Decodes one datagram held in an array.
    public init(xdr bytes: [UInt8]) throws(XDRError) {
        let result: Result<GangliaMessage, XDRError> = bytes.withUnsafeBytes { raw in
            do throws(XDRError) { return .success(try GangliaMessage(xdr: raw)) } catch { return .failure(error) }
        }
        self = try result.get()
    }

    private static func decodeMetadata(_ reader: inout XDRReader) throws(XDRError) -> MetricMetadata {
        let typeName = try reader.string("type")
        guard let type = MetricType(rawValue: typeName) else { throw .unknownMetricType(typeName) }
        let name = try reader.string("metadata name")
        let units = try reader.string("units")
        let slopeWord = try reader.uint32("slope")
        guard let slope = Slope(rawValue: slopeWord) else { throw .unknownSlope(slopeWord) }
        let tmax = try reader.uint32("tmax")
        let dmax = try reader.uint32("dmax")
        // Each element is two strings: at least 8 bytes.
        let count = try reader.count("extra data count", minimumElementSize: 8)
        var extra: [ExtraElement] = []
        extra.reserveCapacity(count)
        for _ in 0..<count {
            let key = try reader.string("extra data name")
            let value = try reader.string("extra data value")
            extra.append(ExtraElement(name: key, value: value))
        }
        return MetricMetadata(name: name, type: type, units: units, slope: slope, tmax: tmax, dmax: dmax, extraData: extra)
    }

    private static func decodeValue(_ id: MessageID, _ reader: inout XDRReader) throws(XDRError) -> MetricValue {
        switch id {
        case .ushortValue:
            let word = try reader.uint32("value")
            guard let value = UInt16(exactly: word) else { throw .valueOutOfRange(field: "unsigned short value", word: word) }
            return .ushort(value)
        case .shortValue:
            let word = try reader.uint32("value")
            guard let value = Int16(exactly: Int32(bitPattern: word)) else {
                throw .valueOutOfRange(field: "short value", word: word)
            }
            return .short(value)
        case .intValue: return .int(Int32(bitPattern: try reader.uint32("value")))
        case .uintValue: return .uint(try reader.uint32("value"))
        case .stringValue: return .string(try reader.string("value"))
        case .floatValue: return .float(Float(bitPattern: try reader.uint32("value")))
        case .doubleValue: return .double(Double(bitPattern: try reader.uint64("value")))
        case .metadata, .metadataRequest: preconditionFailure("not a value message id: \(id)")
        }
    }
}
