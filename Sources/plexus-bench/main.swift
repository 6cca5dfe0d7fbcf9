import Foundation
import PlexusArchive
import PlexusCore

// plexus-bench: micro-benchmarks driven by scripts/bench (release build).
//   plexus-bench xml [HOSTS] [METRICS] [ITERATIONS] [OUTFILE]
//   plexus-bench flood HOST PORT HOSTS METRICS [RATE] [TAG] [KEYFILE]   (KEYFILE: every packet signed)
//   plexus-bench envelopes COUNT            (seals and opens of a value message per second)
//   plexus-bench history HOSTS METRICS SECONDS INTERVAL   (memory of an agent's history / a live tail)
//   plexus-bench archive ROOT FILES ROUNDS [RRDCACHED-ADDRESS RRDCACHED-PID]
//   plexus-bench archive-storm ROOT FILES      (until killed; the crash test's writer)
//   plexus-bench source-document HOSTS METRICS PATH   (the aggregator benchmark's source)
//   plexus-bench exports HOSTS METRICS ITERATIONS   (a poll's values as carbon lines and remote-write series)
//   plexus-bench ingest HOSTS METRICS ROUNDS   (an agent's receive loop past the socket: decode, file)
//   plexus-bench poll HOSTS METRICS ITERATIONS   (a source's poll read into state; the held state's heap)
//   plexus-bench alerts HOSTS METRICS RULES [ITERATIONS]   (an evaluation of the rules beside a poll)
//   plexus-bench alert-rules HOSTS METRICS RULES   (those rules as the aggregator's TOML)
// Prints one line per measurement.

let arguments = CommandLine.arguments.dropFirst()
if arguments.first == "archive" || arguments.first == "archive-storm" {
    let a = Array(arguments.dropFirst())
    do {
        if arguments.first == "archive-storm" {
            guard a.count == 2, let files = Int(a[1]) else { throw BenchFailure("usage: plexus-bench archive-storm ROOT FILES") }
            try await ArchiveStorm(root: a[0], files: files).run()
        } else {
            guard a.count >= 3, let files = Int(a[1]), let rounds = Int(a[2]) else {
                throw BenchFailure("usage: plexus-bench archive ROOT FILES ROUNDS [RRDCACHED-ADDRESS RRDCACHED-PID]")
            }
            let rrdcached = a.count > 3 ? RRDCachedAddress(a[3]) : nil
            try await ArchiveBenchmark(root: a[0], files: files, rounds: rounds, rrdcached: rrdcached, rrdcachedPID: a.count > 4 ? Int32(a[4]) : nil).run()
        }
    } catch {
        FileHandle.standardError.write(Data("plexus-bench: \(error)\n".utf8))
        exit(1)
    }
    exit(0)
}
/// Runs one benchmark: its failure is printed and the exit status 1.
func runBenchmark(_ body: () throws -> Void) -> Never {
    do {
        try body()
    } catch {
        FileHandle.standardError.write(Data("plexus-bench: \(error)\n".utf8))
        exit(1)
    }
    exit(0)
}

/// The numbers after the benchmark's name, or its usage and exit status 1 if `valid` says no.
func numbers(usage: String, _ valid: ([Int]) -> Bool) -> [Int] {
    let a = Array(arguments.dropFirst()).compactMap { Int($0) }
    guard valid(a) else {
        FileHandle.standardError.write(Data("usage: plexus-bench \(usage)\n".utf8))
        exit(1)
    }
    return a
}

if arguments.first == "source-document" {
    let a = Array(arguments.dropFirst())
    runBenchmark {
        guard a.count == 3, let hosts = Int(a[0]), let metrics = Int(a[1]) else {
            throw BenchFailure("usage: plexus-bench source-document HOSTS METRICS PATH")
        }
        try SourceDocument(hosts: hosts, metrics: metrics, path: a[2]).run()
    }
}
if arguments.first == "poll" {
    let a = numbers(usage: "poll HOSTS METRICS ITERATIONS") { $0.count == 3 && $0.allSatisfy { $0 > 0 } }
    runBenchmark { try PollBenchmark(hosts: a[0], metrics: a[1], iterations: a[2]).run() }
}
if arguments.first == "exports" {
    let a = numbers(usage: "exports HOSTS METRICS ITERATIONS") { $0.count == 3 && $0.allSatisfy { $0 > 0 } }
    runBenchmark { try ExportBenchmark(hosts: a[0], metrics: a[1], iterations: a[2]).run() }
}
if arguments.first == "ingest" {
    let a = numbers(usage: "ingest HOSTS METRICS ROUNDS") { $0.count == 3 && $0.allSatisfy { $0 > 0 } }
    runBenchmark { IngestBenchmark(hosts: a[0], metrics: a[1], rounds: a[2]).run() }
}
if arguments.first == "alert-rules" {
    let a = numbers(usage: "alert-rules HOSTS METRICS RULES") { $0.count == 3 }
    runBenchmark { try AlertBenchmark.printRules(hosts: a[0], metrics: a[1], rules: a[2]) }
}
if arguments.first == "alerts" {
    let a = numbers(usage: "alerts HOSTS METRICS RULES [ITERATIONS]") { $0.count >= 3 }
    runBenchmark { try AlertBenchmark(hosts: a[0], metrics: a[1], rules: a[2], iterations: a.count > 3 ? a[3] : 20).run() }
}
if arguments.first == "history" {
    let a = numbers(usage: "history HOSTS METRICS SECONDS INTERVAL") { $0.count == 4 && $0.allSatisfy { $0 > 0 } }
    HistoryBenchmark(hosts: a[0], metrics: a[1], seconds: a[2], interval: a[3]).run()
    exit(0)
}
if arguments.first == "envelopes" {
    EnvelopeBenchmark(count: arguments.dropFirst().first.flatMap { Int($0) } ?? 200_000).run()
    exit(0)
}
if arguments.first == "flood" {
    let a = Array(arguments.dropFirst())
    guard a.count >= 4, let port = Int(a[1]), let hosts = Int(a[2]), let metrics = Int(a[3]) else {
        FileHandle.standardError.write(Data("usage: plexus-bench flood HOST PORT HOSTS METRICS [RATE] [TAG] [KEYFILE]\n".utf8))
        exit(1)
    }
    do {
        try Flood(
            host: a[0], port: port, hosts: hosts, metrics: metrics, rate: a.count > 4 ? Int(a[4]) ?? 0 : 0,
            tag: a.count > 5 ? Int(a[5]) ?? 0 : 0, keyFile: a.count > 6 ? a[6] : nil
        ).run()
    } catch {
        FileHandle.standardError.write(Data("plexus-bench: \(error)\n".utf8))
        exit(1)
    }
    exit(0)
}
guard arguments.first == "xml" else {
    FileHandle.standardError.write(
        Data(
            "usage: plexus-bench xml [hosts] [metrics] [iterations] [outfile] | flood HOST PORT HOSTS METRICS [RATE] [TAG] | archive ROOT FILES ROUNDS [RRDCACHED PID] | archive-storm ROOT FILES\n"
                .utf8))
    exit(1)
}
let numbers = arguments.dropFirst().prefix(3).compactMap { Int($0) }
let hosts = numbers.count > 0 ? numbers[0] : 1000
let metrics = numbers.count > 1 ? numbers[1] : 30
let iterations = numbers.count > 2 ? numbers[2] : 30
do {
    try XMLBenchmark(hosts: hosts, metrics: metrics, iterations: iterations, outputFile: arguments.dropFirst(4).first).run()
} catch {
    FileHandle.standardError.write(Data("plexus-bench: \(error)\n".utf8))
    exit(1)
}
