import PlexusCore
import PlexusSecurity

/// The JSON shape `plexus decode` prints for one datagram (printed with sorted keys).
struct DecodedDatagram: Encodable {
    var file: String
    var message: GangliaMessage
    /// A signed datagram's envelope (`docs/format/signed.md`), and whether its MAC is the named
    /// key's (nil without a keyring, or when the keyring lacks the key).
    var envelope: Envelope.Parsed?
    var authentic: Bool?

    private struct EnvelopeFields: Encodable {
        var keyID: String
        var timestamp: UInt64
        var sender: UInt32
        var counter: UInt32
        var authentic: Bool?

        enum CodingKeys: String, CodingKey {
            case keyID = "key_id", timestamp, sender, counter, authentic
        }
    }

    private enum Key: String, CodingKey {
        case file, kind, id, message, host, name, spoof, envelope
        case type, metadataName = "metadata_name", units, slope, tmax, dmax, extra
        case format, valueType = "value_type", value, rendered
    }

    private struct Extra: Encodable {
        var name: String
        var value: String
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(file, forKey: .file)
        if let envelope {
            try c.encode(
                EnvelopeFields(
                    keyID: envelope.keyID, timestamp: envelope.timestamp, sender: UInt32(envelope.sequence >> 32),
                    counter: UInt32(truncatingIfNeeded: envelope.sequence), authentic: authentic),
                forKey: .envelope)
        }
        let identity = message.identity
        switch message {
        case .metadata: try c.encode("metadata", forKey: .kind)
        case .value: try c.encode("value", forKey: .kind)
        case .metadataRequest: try c.encode("metadata_request", forKey: .kind)
        }
        try c.encode(message.messageID.rawValue, forKey: .id)
        try c.encode(message.messageID.gangliaName, forKey: .message)
        try c.encode(identity.host, forKey: .host)
        try c.encode(identity.name, forKey: .name)
        try c.encode(identity.spoof, forKey: .spoof)
        switch message {
        case .metadata(_, let metadata):
            try c.encode(metadata.type.rawValue, forKey: .type)
            if metadata.name != identity.name { try c.encode(metadata.name, forKey: .metadataName) }
            try c.encode(metadata.units, forKey: .units)
            try c.encode(metadata.slope.name, forKey: .slope)
            try c.encode(metadata.tmax, forKey: .tmax)
            try c.encode(metadata.dmax, forKey: .dmax)
            try c.encode(metadata.extraData.map { Extra(name: $0.name, value: $0.value) }, forKey: .extra)
        case .value(_, let format, let value):
            try c.encode(format, forKey: .format)
            switch value {
            case .ushort(let v):
                try c.encode("ushort", forKey: .valueType)
                try c.encode(v, forKey: .value)
            case .short(let v):
                try c.encode("short", forKey: .valueType)
                try c.encode(v, forKey: .value)
            case .int(let v):
                try c.encode("int", forKey: .valueType)
                try c.encode(v, forKey: .value)
            case .uint(let v):
                try c.encode("uint", forKey: .valueType)
                try c.encode(v, forKey: .value)
            case .string(let v):
                try c.encode("string", forKey: .valueType)
                try c.encode(v, forKey: .value)
            case .float(let v):
                try c.encode("float", forKey: .valueType)
                try c.encode(v, forKey: .value)
            case .double(let v):
                try c.encode("double", forKey: .valueType)
                try c.encode(v, forKey: .value)
            }
            try c.encode(ValueFormat.render(value, format: format), forKey: .rendered)
        case .metadataRequest:
            break
        }
    }
}
