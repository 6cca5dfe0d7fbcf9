import CGlibc
import Foundation
import PlexusCore

/// `plexus-bench poll HOSTS METRICS ITERATIONS`: what the aggregator does with each poll of a
/// source (`SourcePoller.read`): the gmond document of the aggregator benchmark (`SourceDocument`) read into the
/// source's new content, the previous poll's carried over, summaries computed; and the heap
/// the held content takes (malloc's count of bytes in use with it held, minus without), per
/// metric. Each poll reads the same bytes with the values' hosts' TN varied, as a live source.
struct PollBenchmark {
    var hosts: Int
    var metrics: Int
    var iterations: Int

    func run() throws {
        let bytes = try SourceDocument.make(hosts: hosts, metrics: metrics).bytes
        let held = hosts * metrics
        print("poll: \(hosts) hosts x \(metrics) metrics, \(bytes.count) bytes")

        var texts = TextTable()
        var previous: SourceContent?
        var times: [Double] = []
        for i in 0..<(iterations + 1) {
            let start = ContinuousClock.now
            var assembler = SourceAssembler(options: .init(), now: 1_795_543_200 + Int64(i * 15))
            let report = GangliaXMLReader.read(bytes, texts: &texts) { assembler.apply($0) }
            let content = assembler.finish(previous: previous)
            let elapsed = ContinuousClock.now - start
            precondition(report.isClean && content.clusters.first?.hosts.count == hosts)
            previous = content
            if i > 0 { times.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000) }
        }
        times.sort()
        print(String(format: "read into state: best %.2f ms, median %.2f ms", times[0], times[times.count / 2]))

        // The heap one held content takes: in use with it, minus in use once it is gone.
        _ = malloc_trim(0)
        let with = mallinfo2().uordblks
        previous = nil
        _ = malloc_trim(0)
        let without = mallinfo2().uordblks
        let bytesHeld = Double(Int(with) - Int(without))
        print(String(format: "held content: %.1f MB, %.0f B per metric", bytesHeld / 1e6, bytesHeld / Double(held)))
    }
}
