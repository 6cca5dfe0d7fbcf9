import FuzzDriver
import PlexusCore

/// One polled document: the streaming reader never traps whatever the nesting, attributes or
/// entities, a source reader holds what it delivers within its bounds, and the document it
/// builds writes back as XML the reader reads without a fatal error.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzXML(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    var options = SourceAssembler.Options()
    options.maxHosts = 50
    options.maxMetricsPerHost = 20
    var reader = SourceAssembler(options: options, now: 1_795_543_200)
    _ = GangliaXMLReader.read(bytes) { reader.apply($0) }
    let content = reader.finish(previous: nil)
    precondition(content.clusters.reduce(0) { $0 + $1.hosts.count } <= 50, "a source holds more hosts than its bound")
    let result = GangliaDocument.read(bytes)
    if let document = result.document {
        var written: [UInt8] = []
        GangliaXMLWriter(dialect: .gmetad).write(document, into: &written)
        precondition(GangliaDocument.read(written).report.fatal == nil, "what we write does not read back")
    }
    return 0
}

/// The target's entry point (see `runFuzzer`).
@_cdecl("FuzzXML_main")
public func fuzzXMLMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzXML)
}
