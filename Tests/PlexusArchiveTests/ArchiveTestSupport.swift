import Foundation
import PlexusCore
import PlexusTestSupport
import Synchronization

@testable import PlexusArchive

/// Fixture captures from real Ganglia 3.7.2, carried by the core tests (`Tests/PlexusCoreTests/Fixtures`).
enum ArchiveFixtures {
    static let rrd = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("PlexusCoreTests/Fixtures/ganglia-3.7.2/rrd")

    /// `key = value` lines of `rrdtool info` output, quotes removed.
    static func parseInfo(_ text: String) -> [String: String] {
        Dictionary(
            text.split(separator: "\n").compactMap { line -> (String, String)? in
                guard let eq = line.range(of: " = ") else { return nil }
                return (String(line[..<eq.lowerBound]), String(line[eq.upperBound...]).trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
            }, uniquingKeysWith: { a, _ in a })
    }

    static func info(_ file: String) throws -> [String: String] {
        parseInfo(try String(contentsOf: rrd.appendingPathComponent(file), encoding: .utf8))
    }
}

/// Runs a command, returns what it printed (throws when it fails).
func run(_ executable: String, _ arguments: [String]) async throws -> String {
    let (status, output) = try await runCommand(executable, arguments)
    guard status == 0 else {
        throw RRDError(.refused, message: "\(executable) \(arguments.joined(separator: " ")) failed: \(output)")
    }
    return output
}

/// `rrdtool info FILE`, parsed: an independent reading of what librrd wrote.
func rrdtoolInfo(_ path: String) async throws -> [String: String] {
    ArchiveFixtures.parseInfo(try await run("/usr/bin/rrdtool", ["info", path]))
}

/// Small archives (a few KB) for tests that read values or draw graphs, not check geometry:
/// full-size ones (630 KB each) only add disk traffic.
let smallArchives = ["RRA:AVERAGE:0.5:1:1000", "RRA:AVERAGE:0.5:4:1000", "RRA:AVERAGE:0.5:40:500"].compactMap(RRDLayout.Archive.init)

/// Records every call instead of touching the disk; `hold` makes updates wait (to fill queues).
final class RecordingRRD: RRDFunctions {
    struct Call: Equatable {
        var function: String
        var path: String
        var values: [String]
    }

    let calls = Mutex<[Call]>([])
    let existing = Mutex<[String: Int64]>([:])
    let gate = Mutex<Bool>(false)
    let failPaths = Mutex<Set<String>>([])

    /// Updates that have begun (counted before a `hold` makes them wait).
    let entered = Mutex<Int>(0)

    func hold() { gate.withLock { $0 = true } }
    func release() { gate.withLock { $0 = false } }

    /// Returns once `count` updates have begun: the writer's thread is inside the last one (an
    /// event to wait on, instead of sleeping a guess).
    func updatesEntered(_ count: Int = 1) async {
        while entered.withLock({ $0 }) < count { await Task.yield() }
    }

    /// Leaves an empty file, as creation would (the store links it into place).
    func create(path: String, step: Int, start: Int64, definitions: [String]) throws(RRDError) {
        let final = path.components(separatedBy: ArchiveStore.creatingSuffix)[0]
        calls.withLock { $0.append(Call(function: "create", path: final, values: ["\(step)", "\(start)"] + definitions)) }
        existing.withLock { $0[final] = start }
        FileManager.default.createFile(atPath: path, contents: Data())
    }

    func tune(path: String, arguments: [String]) throws(RRDError) {
        calls.withLock { $0.append(Call(function: "tune", path: path, values: arguments)) }
    }

    func update(path: String, values: [String]) throws(RRDError) {
        entered.withLock { $0 += 1 }
        while gate.withLock({ $0 }) { usleep(1000) }
        calls.withLock { $0.append(Call(function: "update", path: path, values: values)) }
        if failPaths.withLock({ $0.contains(path) }) { throw RRDError(.library(function: "rrd_update_r"), path: path, message: "fake failure") }
    }

    func fetch(path: String, consolidation: String, start: Int64, end: Int64, resolution: Int) throws(RRDError) -> RRDSeries {
        RRDSeries(start: start, end: end, step: resolution, columns: [], rows: [])
    }

    func info(path: String) throws(RRDError) -> RRDInfo { RRDInfo(entries: []) }

    func lastUpdate(path: String) throws(RRDError) -> RRDLastUpdate {
        RRDLastUpdate(time: existing.withLock { $0[path] } ?? 0, values: [:])
    }

    func graph(arguments: [String]) throws(RRDError) -> RRDInfo { RRDInfo(entries: []) }

    func xport(arguments: [String]) throws(RRDError) -> RRDSeries { RRDSeries(start: 0, end: 0, step: 1, columns: [], rows: []) }

    func updates(of path: String) -> [[String]] {
        calls.withLock { $0.filter { $0.function == "update" && $0.path == path }.map(\.values) }
    }
}

extension ArchiveKey {
    static func host(_ cluster: String, _ host: String, _ metric: String) -> ArchiveKey {
        try! ArchiveKey(cluster: cluster, host: host, metric: metric)
    }
}
