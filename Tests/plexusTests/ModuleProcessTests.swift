import Foundation
import PlexusCore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// gmond Python modules run unchanged by plexus-agent, each in a python3 host process of its own:
/// one in gmond's API shape (params, descriptors, call_back, metric_cleanup), and modules that
/// raise, hang or die, which cost only themselves and are restarted.
@Suite struct ModuleProcessTests {
    /// gmond's example module, as operators write them (tabs, a print to stdout, params).
    static let example = """
        import random

        def value_handler(name):
            print("a module printing on its standard output")
            if name == "example_random":
                return random.randint(0, int(PARAMS["RandomMax"]))
            return float(PARAMS["ConstantValue"])

        def metric_init(params):
            global PARAMS
            PARAMS = params
            return [
                {"name": "example_random", "call_back": value_handler, "time_max": 90, "value_type": "uint", "units": "N",
                 "slope": "both", "format": "%u", "description": "Example module metric (random integer)", "groups": "example"},
                {"name": "example_constant", "call_back": value_handler, "time_max": 90, "value_type": "float", "units": "N",
                 "slope": "zero", "format": "%.1f", "description": "Example module metric (constant)", "groups": "example"},
            ]

        def metric_cleanup():
            open(CLEANED, "w").write("cleaned")
        """

    static let faulty = """
        import os, time

        def handler(name):
            if name == "faulty_raises":
                raise ValueError("no value today")
            if name == "faulty_hangs" and os.path.exists(HANG):
                time.sleep(MARKER)
            return 7

        def metric_init(params):
            return [{"name": n, "call_back": handler, "value_type": "uint", "format": "%u", "groups": "faulty"}
                    for n in ("faulty_raises", "faulty_hangs", "faulty_ok")]
        """

    /// Answers one collection, then its process exits on its own (as an OOM kill would end it).
    static let vanishing = """
        import os, threading

        def handler(name):
            threading.Timer(0.2, lambda: os._exit(0)).start()
            return 1

        def metric_init(params):
            return [{"name": "vanishing_once", "call_back": handler, "value_type": "uint", "format": "%u"}]
        """

    static let failing = """
        def metric_init(params):
            raise RuntimeError("cannot reach the database")
        """

    @Test func modulesRunUnchangedAndFaultyOnesCostOnlyThemselves() async throws {
        let folder = try TemporaryFolder("plexus-modules")
        let modules = folder.url.appendingPathComponent("python_modules")
        try FileManager.default.createDirectory(at: modules, withIntermediateDirectories: true)
        let cleaned = folder.url.appendingPathComponent("cleaned")
        let hang = folder.url.appendingPathComponent("hang")
        let marker = Int.random(in: 100_000...999_999)
        try (Self.example + "\nCLEANED = \"\(cleaned.path)\"\n").write(to: modules.appendingPathComponent("example.py"), atomically: true, encoding: .utf8)
        try (Self.faulty + "\nHANG = \"\(hang.path)\"\nMARKER = \(marker)\n").write(
            to: modules.appendingPathComponent("faulty.py"), atomically: true, encoding: .utf8)
        try Self.failing.write(to: modules.appendingPathComponent("failing.py"), atomically: true, encoding: .utf8)
        try Self.vanishing.write(to: modules.appendingPathComponent("vanishing.py"), atomically: true, encoding: .utf8)
        let xml = Loopback.freePort()
        var body = ""
        for (name, timeout) in [("example", 60), ("faulty", 5), ("failing", 60), ("vanishing", 60)] {
            body += "[[module]]\nname = \"\(name)\"\nlanguage = \"python\"\npath = \"\(modules.path)\"\ninterval = 2\ntimeout = \(timeout)\n"
            if name == "example" { body += "[module.params]\nRandomMax = 600\nConstantValue = \"2.5\"\n" }
        }
        let config = try folder.write("agent.toml", Loopback.agentConfig(xml: xml, body))
        let agent = try LocalProcess(try Executable("plexus-agent").url.path, ["-c", config.path], log: folder.url.appendingPathComponent("agent.log"))
        defer { agent.stop() }
        let first = await PluginProcessTests.metrics(xmlPort: xml, seconds: 90) { m in
            m["example_random"] != nil && m["faulty_ok"] != nil && (Int(m["plugin_failing_failures"]?.value ?? "") ?? 0) >= 2
                && (Int(m["plugin_vanishing_failures"]?.value ?? "") ?? 0) >= 2
        }
        let m = try #require(first, "\(agent.output.suffix(3000))")
        let random = m["example_random"]
        #expect(random?.type == .uint32 && random?.units == "N" && random?.slope == .both && random?.tmax == 90)
        #expect((UInt32(random?.value ?? "") ?? 601) <= 600)
        #expect(PluginProcessTests.extra(random, "GROUP") == "example")
        #expect(PluginProcessTests.extra(random, "DESC") == "Example module metric (random integer)")
        #expect(m["example_constant"]?.type == .float && m["example_constant"]?.value == "2.5" && m["example_constant"]?.slope == .zero)
        // One call_back raising costs its own metric's value only.
        #expect(m["faulty_ok"]?.value == "7" && m["faulty_hangs"]?.value == "7" && m["faulty_raises"]?.value == nil)
        #expect(agent.output.contains("faulty_raises: call_back raised ValueError: no value today"))
        // metric_init raising: counted, logged, the host started again (with back-off).
        #expect(agent.output.contains("metric_init failed") && agent.output.contains("cannot reach the database"))
        #expect(m["plugin_failing_metrics"]?.value == "0")
        // A host gone between collections: the next request fails (no SIGPIPE for the agent),
        // counted, and a new host answers.
        #expect(agent.isRunning && m["vanishing_once"]?.value == "1")
        #expect((Int(m["plugin_vanishing_runs"]?.value ?? "") ?? 0) >= 4)

        // Now a call_back hangs: the host is killed at the timeout, and started again.
        FileManager.default.createFile(atPath: hang.path, contents: nil)
        let hung = await PluginProcessTests.metrics(xmlPort: xml, seconds: 90) { m in (Int(m["plugin_faulty_timeouts"]?.value ?? "") ?? 0) >= 2 }
        #expect(hung != nil, "\(agent.output.suffix(3000))")
        #expect(agent.output.contains("call_back: no reply within 5.0 s"))
        // Killed with what it started: at most the current host's sleep is alive.
        #expect(Self.faultyHosts().count <= 1, "\(Self.faultyHosts())")
        // The other module went on.
        let runs = Int(hung?["plugin_example_runs"]?.value ?? "") ?? 0
        #expect(
            await PluginProcessTests.metrics(xmlPort: xml, seconds: 60) { (Int($0["plugin_example_runs"]?.value ?? "") ?? 0) > runs } != nil)

        // Stopping the agent calls the module's metric_cleanup and leaves no host behind.
        agent.stop(grace: 20)
        #expect((try? String(contentsOf: cleaned, encoding: .utf8)) == "cleaned", "\(agent.output.suffix(2000))")
        #expect(await Loopback.eventually(seconds: 10) { Self.hosts(modules.path).isEmpty })
    }

    /// The faulty module's python3 hosts (one at a time, the hung one killed before the next).
    static func faultyHosts() -> [Int32] { processes { $0.hasPrefix("python3 -c") && $0.contains(" faulty ") } }

    /// The python3 host processes of modules in `path`.
    static func hosts(_ path: String) -> [Int32] { processes { $0.hasPrefix("python3 -c") && $0.contains(path) } }

    static func processes(_ matching: (String) -> Bool) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> Int32? in
            guard let pid = Int32(entry), pid != getpid(), let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return nil }
            return matching(String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)) ? pid : nil
        }
    }
}
