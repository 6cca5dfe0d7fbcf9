import Foundation
import PlexusCore
import Testing

@testable import PlexusCollectors

/// Collectors against a fake /proc (two snapshots ten seconds apart) and the real one.
@Suite struct CollectorTests {
    static let fixtures = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")

    static let disks: [String: FileSystemStats] = [
        "/": FileSystemStats(blockSize: 4096, blocks: 1_000_000, free: 400_000, available: 350_000),
        "/srv/my data": FileSystemStats(blockSize: 4096, blocks: 2_000_000, free: 1_900_000, available: 1_800_000),
    ]

    static func proc(_ snapshot: String) -> HostSystem {
        HostSystem(
            root: fixtures.appendingPathComponent(snapshot).path,
            fileSystemStats: { disks[$0] },
            systemName: { SystemName(sysname: "Linux", release: "6.1.0-13-amd64", machine: "x86_64") })
    }

    static func float(_ value: MetricValue?) -> Double? {
        if case .float(let f)? = value { return Double(f) }
        if case .double(let d)? = value { return d }
        return nil
    }

    @Test func cpuPercentagesCoverTheTimeBetweenSamples() throws {
        var cpu = CPUCollector()
        let first = try cpu.sample(Self.proc("proc-t0"), now: 0)
        #expect(first["cpu_user"] == nil, "a percentage needs two samples")
        #expect(first["cpu_num"] == .ushort(2))
        #expect(first["boottime"] == .uint(1_795_531_934))
        #expect(first["cpu_speed"] == .uint(2596))
        #expect(abs(Self.float(first["cpu_aidle"])! - 80) < 1e-4)
        let second = try cpu.sample(Self.proc("proc-t1"), now: 10)
        let expected: [String: Double] = [
            "cpu_user": 30, "cpu_nice": 0, "cpu_system": 10, "cpu_idle": 50, "cpu_wio": 5, "cpu_intr": 1, "cpu_sintr": 2, "cpu_steal": 2,
            "cpu_aidle": 8500.0 / 11000 * 100,
        ]
        for (name, value) in expected {
            #expect(abs((Self.float(second[name]) ?? -1) - value) < 1e-4, "\(name)")
        }
    }

    @Test func loadAndProcesses() throws {
        var load = LoadCollector()
        let values = try load.sample(Self.proc("proc-t0"), now: 0)
        #expect(values["load_one"] == .float(0.40) && values["load_five"] == .float(0.38) && values["load_fifteen"] == .float(0.26))
        #expect(values["proc_run"] == .uint(3) && values["proc_total"] == .uint(78))
    }

    @Test func memoryInKB() throws {
        var memory = MemoryCollector()
        let values = try memory.sample(Self.proc("proc-t0"), now: 0)
        #expect(values["mem_total"] == .float(24_684_084))
        #expect(values["mem_free"] == .float(23_558_820))
        #expect(values["mem_shared"] == .float(8872))
        #expect(values["mem_buffers"] == .float(3696))
        #expect(values["mem_cached"] == .float(961_108))
        #expect(values["mem_available"] == .float(24_345_176))
        #expect(values["swap_total"] == .float(2_097_148) && values["swap_free"] == .float(2_000_000))
    }

    @Test func networkRatesSkipLoopbackAndResetCounters() throws {
        var network = NetworkCollector()
        #expect(try network.sample(Self.proc("proc-t0"), now: 100).isEmpty)
        let values = try network.sample(Self.proc("proc-t1"), now: 110)
        #expect(values == ["bytes_in": .float(4096), "bytes_out": .float(2048), "pkts_in": .float(10), "pkts_out": .float(5)])
    }

    @Test func diskSpaceOverLocalFileSystems() throws {
        #expect(DiskCollector.localMounts(try Self.proc("proc-t0").read("proc/mounts")) == ["/", "/srv/my data"])
        var disk = DiskCollector()
        let values = try disk.sample(Self.proc("proc-t0"), now: 0)
        #expect(abs(Self.float(values["disk_total"])! - 12.288) < 1e-9)
        #expect(abs(Self.float(values["disk_free"])! - 8.8064) < 1e-9)
        #expect(abs(Self.float(values["part_max_used"])! - 600_000.0 / 950_000 * 100) < 1e-4)
    }

    @Test func systemFacts() throws {
        var system = SystemCollector()
        #expect(
            try system.sample(Self.proc("proc-t0"), now: 0)
                == ["machine_type": .string("x86_64"), "os_name": .string("Linux"), "os_release": .string("6.1.0-13-amd64")])
    }

    @Test func oneFailingCollectorCostsOnlyItsMetrics() throws {
        let broken = FileManager.default.temporaryDirectory.appendingPathComponent("plexus-proc-\(getpid())")
        try FileManager.default.createDirectory(at: broken.appendingPathComponent("proc"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: broken) }
        for file in ["stat", "meminfo", "mounts"] {
            try FileManager.default.copyItem(
                at: Self.fixtures.appendingPathComponent("proc-t0/proc/\(file)"),
                to: broken.appendingPathComponent("proc/\(file)"))
        }
        try "garbage\n".write(to: broken.appendingPathComponent("proc/loadavg"), atomically: true, encoding: .utf8)
        var proc = Self.proc("proc-t0")
        proc.root = broken.path
        var set = CollectorSet.standard(startTime: 1_795_543_625, location: "rack1,2,0")
        let sample = set.sample(["load_one", "proc_run", "mem_total", "bytes_in", "disk_free", "cpu_num", "heartbeat", "location"], proc: proc, now: 0)
        #expect(Set(sample.values.keys) == ["mem_total", "disk_free", "cpu_num", "heartbeat", "location"])
        #expect(sample.values["heartbeat"] == .uint(1_795_543_625) && sample.values["location"] == .string("rack1,2,0"))
        let failed = sample.failures.map { Set($0.metrics) }
        #expect(failed.contains(["load_one", "proc_run"]) && failed.contains(["bytes_in"]))
        #expect(sample.failures.contains { "\($0.error)" == "cannot read proc/net/dev: No such file or directory" })
    }

    @Test func everyScheduledMetricHasADefinition() {
        let set = CollectorSet.standard(startTime: 0, location: "x")
        for name in AgentConfiguration.defaultCollectionGroups.flatMap(\.metrics).map(\.name) {
            #expect(set.definitions[name] != nil, "\(name)")
        }
        let def = set.definitions["load_one"]!
        #expect(def.metadata(title: "One Minute Load Average").extraData.map(\.name) == ["TITLE", "DESC", "GROUP"])
    }

    /// The real /proc of this machine: two samples give every metric of the default schedule.
    @Test func realProcGivesTheDefaultSet() throws {
        var set = CollectorSet.standard(startTime: 1, location: "here")
        let names = AgentConfiguration.defaultCollectionGroups.flatMap(\.metrics).map(\.name)
        _ = set.sample(names, proc: HostSystem(), now: 0)
        Thread.sleep(forTimeInterval: 0.05)
        let sample = set.sample(names, proc: HostSystem(), now: 0.05)
        #expect(sample.failures.isEmpty, "\(sample.failures.map { "\($0.error)" })")
        #expect(Set(sample.values.keys) == Set(names))
        if case .float(let total)? = sample.values["mem_total"] { #expect(total > 0) }
    }
}
