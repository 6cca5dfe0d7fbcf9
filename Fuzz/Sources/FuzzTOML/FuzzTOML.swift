import FuzzDriver
import PlexusCore

/// One configuration file: the TOML reader never traps (nesting, escapes, numbers, the rules on
/// tables), its errors point into the text, and the daemons' configurations read whatever it
/// accepts into a configuration or an error.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTOML(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard let text = String(validating: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self) else { return 0 }
    do {
        _ = try TOMLReader.read(text)
        _ = try? AgentConfiguration.parse(text, file: "fuzz.toml")
        _ = try? AggregatorConfiguration.parse(text, file: "fuzz.toml")
    } catch {
        let lines = text.utf8.count { $0 == UInt8(ascii: "\n") } + 1
        precondition(error.line >= 1 && error.line <= lines && error.column >= 1, "an error outside the text: \(error)")
    }
    return 0
}

/// The target's entry point (see `runFuzzer`).
@_cdecl("FuzzTOML_main")
public func fuzzTOMLMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzTOML)
}
