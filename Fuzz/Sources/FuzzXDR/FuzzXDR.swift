import FuzzDriver
import PlexusCore

/// One datagram: decoding never traps, and what decodes encodes back to a datagram that
/// decodes to the same message.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzXDR(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    guard let message = try? GangliaMessage(xdr: bytes) else { return 0 }
    let again = message.xdr
    guard let decoded = try? GangliaMessage(xdr: again), decoded == message else {
        fatalError("a decoded message does not survive encoding: \(message)")
    }
    return 0
}

/// The target's entry point (see `runFuzzer`).
@_cdecl("FuzzXDR_main")
public func fuzzXDRMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzXDR)
}
