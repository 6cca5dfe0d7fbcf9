import Foundation
import Glibc
import Testing

@testable import PlexusMigration

@Suite struct ConfuseReaderTests {
    /// Includes from a dictionary of files, in sorted order (fnmatch for globs).
    static func files(_ files: [String: String]) -> ConfuseReader.Includer {
        { pattern, _ in
            if pattern.contains("*") {
                return files.keys.filter { fnmatch(pattern, $0, 0) == 0 }.sorted().map { ($0, files[$0]!) }
            }
            guard let text = files[pattern] else { throw MigrationError(file: pattern, line: nil, reason: "no such file") }
            return [(pattern, text)]
        }
    }

    static func read(_ text: String, files: [String: String] = [:]) throws -> ConfuseSection {
        try ConfuseReader.read(text, file: "gmond.conf", include: Self.files(files))
    }

    @Test func optionsSectionsCommentsAndQuotesAsLibconfuseReadsThem() throws {
        let root = try Self.read(
            """
            /* a comment
               over lines */ GLOBALS { daemonize = yes  Host_Dmax = 0 /*secs */ # to the end
              override_hostname = "web \\"1\\"\\n" // also to the end
            }
            udp_send_channel { mcast_join = 239.2.11.71 port = 8649 ttl=1 }
            modules { module { name = 'ex"ample' language = "python"
                param RandomMax { value = 600 }
                param "Const Value" { value = "25" } } }
            tags = { "a", b, "c d" }
            tags += { e }
            """)
        let globals = try #require(root.sections("globals").first)
        #expect(globals.option("daemonize")?.values == [ConfuseValue(text: "yes", quoted: false)])
        #expect(globals.option("host_dmax")?.text == "0")
        #expect(globals.option("override_hostname")?.values == [ConfuseValue(text: "web \"1\"\n", quoted: true)])
        #expect(globals.option("host_dmax")?.place == ConfusePlace(file: "gmond.conf", line: 2))
        let send = try #require(root.sections("udp_send_channel").first)
        #expect(send.options.map(\.name) == ["mcast_join", "port", "ttl"])
        #expect(send.option("mcast_join")?.text == "239.2.11.71" && send.option("ttl")?.text == "1")
        let module = try #require(root.sections("modules").first?.sections("module").first)
        #expect(module.option("name")?.text == "ex\"ample")
        #expect(module.sections("param").map(\.title) == ["RandomMax", "Const Value"])
        #expect(module.sections("param").map { $0.option("value")?.text } == ["600", "25"])
        #expect(root.option("tags")?.values.map(\.text) == ["a", "b", "c d", "e"])
    }

    @Test func includesAreReadInPlaceInGlobOrderAndNested() throws {
        let root = try Self.read(
            """
            cluster { name = "first" }
            include ('/etc/ganglia/conf.d/*')
            host { location = "1,2,3" }
            """,
            files: [
                "/etc/ganglia/conf.d/b.conf": "udp_send_channel { host = b port = 2 }",
                "/etc/ganglia/conf.d/a.conf": "udp_send_channel { host = a port = 1 }\ninclude(\"/etc/ganglia/extra.pyconf\")",
                "/etc/ganglia/extra.pyconf": "modules { module { name = \"x\" language = \"python\" } }",
            ])
        #expect(root.sections.map(\.name) == ["cluster", "udp_send_channel", "modules", "udp_send_channel", "host"])
        #expect(root.sections("udp_send_channel").map { $0.option("host")?.text } == ["a", "b"])
        #expect(root.sections("modules").first?.place == ConfusePlace(file: "/etc/ganglia/extra.pyconf", line: 1))
        // A glob that names nothing includes nothing, as in gmond.
        #expect(try Self.read("include ('/nowhere/*')").sections.isEmpty)
    }

    @Test func mistakesAreErrorsWithFileAndLine() throws {
        let cases: [(String, String)] = [
            ("globals {\n daemonize = yes\n", "gmond.conf:3: section globals is not closed"),
            ("globals { }\n}", "gmond.conf:2: \"}\" closes no section"),
            ("/* never\nclosed", "gmond.conf:1: the comment \"/*\" is never closed"),
            ("cluster {\n name = \"open\n}", "gmond.conf:2: the string opened here is never closed"),
            ("cluster { name }", "gmond.conf:1: expected \"=\" or \"{\" after name"),
            ("exec(\"rm\")", "gmond.conf:1: unknown function exec()"),
            ("include ('/missing.conf')", "/missing.conf: no such file"),
            ("tags = { a, b", "gmond.conf:1: the list is not closed"),
        ]
        for (text, message) in cases {
            expectError(message) { _ = try Self.read(text) }
        }
    }

    @Test func anIncludeLoopStopsAtTheDepthBound() throws {
        let loop = ["/a.conf": "include('/a.conf')"]
        #expect(throws: MigrationError.self) { try Self.read("include('/a.conf')", files: loop) }
        do {
            _ = try Self.read("include('/a.conf')", files: loop)
        } catch {
            #expect("\(error)".contains("includes nest deeper than \(ConfuseReader.maxIncludeDepth)"))
            #expect((error as? MigrationError)?.file == "/a.conf")
        }
    }
}

@Suite struct DotconfReaderTests {
    @Test func directivesQuotesCommentsContinuationsAndIncludes() throws {
        let directives = try DotconfReader.read(
            """
            # a comment
            Data_Source "my box" 15 localhost  my.machine.edu:8655 # trailing
            gridname "a # b"
            RRAs "RRA:AVERAGE:0.5:1:5856" \\
                 "RRA:AVERAGE:0.5:4:20160"
            Include "/etc/ganglia/gmetad.d/*"
            xml_port 8651
            """, file: "gmetad.conf",
            include: ConfuseReaderTests.files(["/etc/ganglia/gmetad.d/x.conf": "trusted_hosts 10.0.0.1 \"10.0.0.2\""]))
        #expect(directives.map(\.name) == ["data_source", "gridname", "rras", "trusted_hosts", "xml_port"])
        #expect(directives[0].arguments == ["my box", "15", "localhost", "my.machine.edu:8655"])
        #expect(directives[1].arguments == ["a # b"])
        #expect(directives[2].arguments == ["RRA:AVERAGE:0.5:1:5856", "RRA:AVERAGE:0.5:4:20160"] && directives[2].place.line == 4)
        #expect(directives[3].arguments == ["10.0.0.1", "10.0.0.2"] && directives[3].place.file == "/etc/ganglia/gmetad.d/x.conf")
        #expect(directives[4].place.line == 7)
        #expect(throws: MigrationError.self) { try DotconfReader.read("gridname \"open", file: "g", include: ConfuseReaderTests.files([:])) }
    }
}
