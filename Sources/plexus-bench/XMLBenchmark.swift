import Foundation
import PlexusCore
import PlexusTestSupport

/// Times the XML writer, the streaming reader and the tree builder on a generated document.
struct XMLBenchmark {
    var hosts: Int
    var metrics: Int
    var iterations: Int
    /// Where to save the generated document (for comparing other parsers on the same bytes).
    var outputFile: String?

    func run() throws {
        let document = try SyntheticGrid(hosts: hosts, metricsPerHost: metrics).document()
        var bytes: [UInt8] = []
        let writer = GangliaXMLWriter(dialect: .gmetad)
        writer.write(document, into: &bytes)
        if let outputFile { _ = FileManager.default.createFile(atPath: outputFile, contents: Data(bytes)) }
        let megabytes = Double(bytes.count) / 1_000_000
        print("document: \(hosts) hosts x \(metrics) metrics, \(bytes.count) bytes")

        report("write", megabytes) {
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count)
            writer.write(document, into: &out)
            precondition(out.count == bytes.count)
        }
        report("read (events)", megabytes) {
            var seen = 0
            let r = GangliaXMLReader.read(bytes) { if case .host(let h) = $0 { seen += h.metrics.count } }
            precondition(r.isClean && seen == hosts * metrics)
        }
        report("read (document)", megabytes) {
            let result = GangliaDocument.read(bytes)
            precondition(result.report.isClean && result.report.metrics == hosts * metrics)
        }
    }

    private func report(_ name: String, _ megabytes: Double, _ body: () -> Void) {
        body()  // warm-up
        var times: [Double] = []
        for _ in 0..<iterations {
            let start = ContinuousClock.now
            body()
            let elapsed = ContinuousClock.now - start
            times.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
        }
        times.sort()
        let median = times[times.count / 2]
        print(
            String(
                format: "%-16@ best %7.2f ms  median %7.2f ms  %7.1f MB/s", name as NSString, times[0], median,
                megabytes / (median / 1000)))
    }
}
