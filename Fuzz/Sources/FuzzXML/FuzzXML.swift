import FuzzDriver
import PlexusCore

/// One polled document: the streaming reader never traps whatever the nesting, attributes or
/// entities, a source reader holds what it delivers within its bounds, reading with a text
/// table gives the same document, and the document it builds writes back as XML the reader
/// reads without a fatal error.
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
    // Sharing texts changes nothing read, on a first read and on one that finds them shared (a
    // tiny table, so filling it and starting over are exercised too).
    var texts = TextTable(maxEntries: 8, maxBytes: 256)
    for _ in 0..<2 {
        precondition(GangliaDocument.read(bytes, texts: &texts).document == result.document, "a text table changed what was read")
    }
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
