import CSnappy

/// Snappy's block format through libsnappy: what remote-write bodies are (not the framed
/// stream format).
public enum Snappy {
    public struct Failure: Error, Sendable, Equatable {
        public var description: String
    }

    public static func compress(_ input: [UInt8]) -> [UInt8] { compress(input[...]) }

    public static func compress(_ input: ArraySlice<UInt8>) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: maxCompressedLength(input.count)) { output, count in
            count = input.withUnsafeBytes { compress($0, into: UnsafeMutableRawBufferPointer(output)) }
        }
    }

    /// The most `compress` writes for `count` bytes.
    public static func maxCompressedLength(_ count: Int) -> Int { snappy_max_compressed_length(count) }

    /// Compresses `input` into `output`, which has room for `maxCompressedLength(input.count)`
    /// bytes (a request's buffer, written in place); returns the bytes written.
    public static func compress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int {
        var length = output.count
        precondition(length >= maxCompressedLength(input.count), "snappy needs room for its worst case")
        // Nothing compresses to its length, 0, as a varint.
        guard let source = input.baseAddress, input.count > 0 else {
            output[0] = 0
            return 1
        }
        let status = snappy_compress(
            source.assumingMemoryBound(to: CChar.self), input.count, output.baseAddress!.assumingMemoryBound(to: CChar.self), &length)
        // snappy_compress fails only on a buffer too small, and this one is its maximum.
        precondition(status == SNAPPY_OK, "snappy_compress: \(status)")
        return length
    }

    /// The block's content; refuses one that isn't valid snappy or would be longer than `limit`.
    public static func uncompress(_ input: [UInt8], limit: Int = 64 << 20) throws(Failure) -> [UInt8] {
        var length = 0
        let known = withCString(input) { snappy_uncompressed_length($0, input.count, &length) }
        guard known == SNAPPY_OK else { throw Failure(description: "not a snappy block") }
        guard length <= limit else { throw Failure(description: "the block would be \(length) bytes, more than \(limit)") }
        var output = [UInt8](repeating: 0, count: max(length, 1))
        let status = withCString(input) { source in
            output.withUnsafeMutableBytes { target in
                snappy_uncompress(source, input.count, target.baseAddress!.assumingMemoryBound(to: CChar.self), &length)
            }
        }
        guard status == SNAPPY_OK else { throw Failure(description: "a damaged snappy block") }
        output.removeSubrange(length...)
        return output
    }

    /// The bytes as libsnappy's `const char *` (a valid pointer even for none).
    private static func withCString<R>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) -> R) -> R {
        (bytes.isEmpty ? [0] : bytes).withUnsafeBytes { body($0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
    }
}
