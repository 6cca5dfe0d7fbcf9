import CompressNIO
import NIOCore

/// A decoded PNG (8-bit RGB or RGBA, not interlaced: what rrdtool's cairo writes), so tests can
/// check a graph's size and that it really shows something, not just that bytes came back.
public struct PNGImage: Sendable {
    public let width: Int
    public let height: Int
    /// Channels per pixel (3 or 4).
    public let channels: Int
    /// Unfiltered rows, `width × channels` bytes each.
    public let pixels: [UInt8]

    public struct DecodeError: Error, CustomStringConvertible {
        public var description: String
    }

    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    public init(_ bytes: [UInt8]) throws {
        guard bytes.starts(with: Self.signature) else { throw DecodeError(description: "no PNG signature") }
        var offset = 8, idat: [UInt8] = []
        var width = 0, height = 0, depth = 0, colorType = 0, interlace = 0
        while offset + 8 <= bytes.count {
            let length = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            let type = String(decoding: bytes[offset + 4..<offset + 8], as: UTF8.self)
            let body = offset + 8
            guard body + length + 4 <= bytes.count else { throw DecodeError(description: "chunk \(type) runs past the end") }
            let data = bytes[body..<body + length]
            if type == "IHDR" {
                let d = Array(data)
                width = d[0..<4].reduce(0) { $0 << 8 | Int($1) }
                height = d[4..<8].reduce(0) { $0 << 8 | Int($1) }
                depth = Int(d[8])
                colorType = Int(d[9])
                interlace = Int(d[12])
            } else if type == "IDAT" {
                idat += data
            }
            offset = body + length + 4
            if type == "IEND" { break }
        }
        guard depth == 8, colorType == 2 || colorType == 6, interlace == 0 else {
            throw DecodeError(description: "unsupported PNG: depth \(depth), colour type \(colorType), interlace \(interlace)")
        }
        let channels = colorType == 6 ? 4 : 3
        var buffer = ByteBuffer(bytes: idat)
        let raw = Array(try buffer.decompress(with: .zlib()).readableBytesView)
        let stride = width * channels
        guard raw.count == height * (stride + 1) else { throw DecodeError(description: "image data has \(raw.count) bytes, expected \(height * (stride + 1))") }
        var pixels = [UInt8](repeating: 0, count: height * stride)
        for y in 0..<height {
            let filter = raw[y * (stride + 1)]
            for x in 0..<stride {
                let value = Int(raw[y * (stride + 1) + 1 + x])
                let a = x >= channels ? Int(pixels[y * stride + x - channels]) : 0
                let b = y > 0 ? Int(pixels[(y - 1) * stride + x]) : 0
                let c = x >= channels && y > 0 ? Int(pixels[(y - 1) * stride + x - channels]) : 0
                let predictor: Int
                switch filter {
                case 0: predictor = 0
                case 1: predictor = a
                case 2: predictor = b
                case 3: predictor = (a + b) / 2
                case 4:
                    let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                    predictor = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
                default: throw DecodeError(description: "unknown filter \(filter) in row \(y)")
                }
                pixels[y * stride + x] = UInt8((value + predictor) & 0xFF)
            }
        }
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// How many pixels have exactly this RGB colour.
    public func count(red: UInt8, green: UInt8, blue: UInt8) -> Int {
        var n = 0
        for i in stride(from: 0, to: pixels.count, by: channels) where pixels[i] == red && pixels[i + 1] == green && pixels[i + 2] == blue {
            n += 1
        }
        return n
    }

    /// Distinct RGB colours in the image.
    public var colorCount: Int {
        var seen = Set<UInt32>()
        for i in stride(from: 0, to: pixels.count, by: channels) {
            seen.insert(UInt32(pixels[i]) << 16 | UInt32(pixels[i + 1]) << 8 | UInt32(pixels[i + 2]))
        }
        return seen.count
    }
}
