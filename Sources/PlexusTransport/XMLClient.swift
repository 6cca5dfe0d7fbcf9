import CompressNIO
import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Fetches a whole XML document from a gmond-style port (connect, read to EOF), gunzipping it
/// when it starts with the gzip magic bytes (gmond's `gzip_output`), with a deadline and a size
/// cap so a stuck or endless peer can't hold the caller. With a `request` line, it asks an
/// interactive port (gmetad's 8652) for a path first.
public enum XMLClient {
    public struct FetchError: Error, CustomStringConvertible {
        public var description: String
    }

    public static func fetch(
        host: String, port: Int, request: String? = nil, timeout: Duration = .seconds(10), connectTimeout: Duration = .seconds(5),
        maxBytes: Int = 256 << 20, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, tls: TLSContext? = nil
    ) async throws -> [UInt8] {
        let buffer = try await fetchBuffer(
            host: host, port: port, request: request, timeout: timeout, connectTimeout: connectTimeout,
            maxBytes: maxBytes, group: group, tls: tls)
        return Array(buffer.readableBytesView)
    }

    /// Reads of up to 512 KiB: a large document arrives in a few dozen chunks instead of
    /// hundreds of 64 KiB ones (each a hop through the async stream), and each chunk stays
    /// below the allocator's mmap threshold (`HeapTuning`, 4 MiB), so its memory is reused from
    /// read to read instead of being mapped afresh and faulted in page by page.
    static let maxChunk = 512 << 10

    /// The same, as the buffer it was read into (no copy); `expectedBytes` (the size of the
    /// previous document, say) is reserved up front so a large document isn't regrown. With
    /// `reusing`, the document is read into that buffer's memory when nothing else holds it (the
    /// previous poll's document: a poller that keeps it spares each poll a document-sized
    /// allocation and its page faults). With `tls`, the connection speaks TLS; a failed
    /// handshake is a `FetchError` in plain words.
    public static func fetchBuffer(
        host: String, port: Int, request: String? = nil, timeout: Duration = .seconds(10), connectTimeout: Duration = .seconds(5), maxBytes: Int = 256 << 20,
        expectedBytes: Int = 0, reusing previous: consuming ByteBuffer? = nil, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        tls: TLSContext? = nil
    ) async throws -> ByteBuffer {
        // Handed to the reading task through a box, so the task holds the only reference: a
        // captured copy would make the first write copy the whole buffer.
        let handoff = Handoff(previous.take())
        return try await withThrowingTaskGroup(of: ByteBuffer.self) { tasks in
            tasks.addTask {
                let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
                do {
                    channel = try await ClientBootstrap(group: group)
                        .channelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 64 << 10, maximum: maxChunk))
                        .connectTimeout(TimeAmount(connectTimeout))
                        .connect(host: host, port: port) { channel in
                            channel.eventLoop.makeCompletedFuture {
                                if let tls { try channel.pipeline.syncOperations.addHandler(try tls.clientHandler(host: host)) }
                                return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                            }
                        }
                } catch let error as NIOConnectionError {
                    let reason = error.connectionErrors.first.map { ($0.error as? IOError).map { String(cString: strerror($0.errnoCode)) } ?? "\($0.error)" }
                    throw FetchError(description: "cannot connect to \(host):\(port): \(reason ?? "\(error)")")
                }
                var buffer = handoff.take() ?? ByteBuffer()
                buffer.clear()
                buffer.reserveCapacity(min(max(expectedBytes + expectedBytes / 8, 64 << 10), maxBytes))
                do {
                    try await channel.executeThenClose { inbound, outbound in
                        if let request { try await outbound.write(ByteBuffer(string: request + "\n")) }
                        for try await var chunk in inbound {
                            buffer.writeBuffer(&chunk)
                            guard buffer.readableBytes <= maxBytes else {
                                throw FetchError(description: "\(host):\(port) sent more than \(maxBytes) bytes")
                            }
                        }
                    }
                } catch let error where tls != nil && !(error is FetchError) {
                    throw FetchError(description: "TLS with \(host):\(port): \(TLSContext.describe(error))")
                }
                if buffer.readableBytes >= 2, buffer.getBytes(at: buffer.readerIndex, length: 2) == [0x1F, 0x8B] {
                    buffer = try await gunzip(buffer, maxBytes: maxBytes, from: "\(host):\(port)")
                }
                return buffer
            }
            tasks.addTask {
                try await Task.sleep(for: timeout)
                throw FetchError(description: "\(host):\(port) did not send its document within \(timeout)")
            }
            let bytes = try await tasks.next()!
            tasks.cancelAll()
            return bytes
        }
    }

    /// A buffer passed to one task, taken out once.
    final class Handoff: Sendable {
        private let buffer: Mutex<ByteBuffer?>

        init(_ buffer: consuming ByteBuffer?) { self.buffer = Mutex(buffer) }

        func take() -> ByteBuffer? { buffer.withLock { $0.take() } }
    }

    /// Inflates a gzip reply on NIO's thread pool (never on an event loop: 256 MiB of output is
    /// a fraction of a second of CPU), refusing it as soon as the output passes `maxBytes`, the
    /// same cap as a plain document. 2 MB of gzip can otherwise inflate to 2 GiB (a gzip bomb).
    static func gunzip(_ compressed: ByteBuffer, maxBytes: Int, from peer: String) async throws -> ByteBuffer {
        try await NIOThreadPool.singleton.runIfActive { try inflate(compressed, maxBytes: maxBytes, from: peer) }
    }

    /// The inflating itself, a window at a time, so the output never holds more than
    /// `maxBytes` (plus one window) whatever the ratio. A stream cut short gives what it held,
    /// as a cut plain document does.
    static func inflate(_ compressed: ByteBuffer, maxBytes: Int, from peer: String) throws -> ByteBuffer {
        var input = compressed
        let decompressor = CompressionAlgorithm.gzip().decompressor
        var window = ByteBufferAllocator().buffer(capacity: 1 << 20)
        var output = ByteBufferAllocator().buffer(capacity: min(maxBytes, max(64 << 10, compressed.readableBytes * 8)))
        do {
            try decompressor.startStream()
            defer { try? decompressor.finishStream() }
            while true {
                window.clear()
                var finished = true
                do {
                    try input.decompressStream(to: &window, with: decompressor)
                } catch let error as CompressNIOError where error == .bufferOverflow {
                    finished = false
                } catch let error as CompressNIOError where error == .inputBufferOverflow {
                    // The stream was cut short: keep what it held.
                }
                guard output.readableBytes + window.readableBytes <= maxBytes else {
                    throw FetchError(description: "\(peer) sent gzip that inflates to more than \(maxBytes) bytes")
                }
                output.writeBuffer(&window)
                if finished { return output }
            }
        } catch let failure as FetchError {
            throw failure
        } catch {
            throw FetchError(description: "\(peer) sent gzip that does not inflate: \(error)")
        }
    }
}
