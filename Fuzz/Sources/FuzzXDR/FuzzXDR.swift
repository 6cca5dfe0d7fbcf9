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

/// SwiftPM links an executable's entry point as `FuzzXDR_main` (so that tests can link it);
/// under libFuzzer that entry point hands over to libFuzzer's driver.
@_cdecl("FuzzXDR_main")
public func fuzzXDRMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return runFuzzerDriver(&argc, &argv, fuzzXDR)
}

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafeRawPointer, Int) -> CInt
) -> CInt
