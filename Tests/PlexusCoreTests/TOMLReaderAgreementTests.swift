import Foundation
import TOMLKit
import Testing

@testable import PlexusCore

/// Our TOML reader against TOMLKit (toml++, the library the daemons used before it) on the same
/// documents: every shipped configuration, the documentation's examples, and documents both must
/// refuse. Values must be equal; dates are compared by kind (TOMLKit keeps them as its own types).
@Suite struct TOMLReaderAgreementTests {
    static func theirs(_ value: any TOMLValueConvertible) -> PlexusCore.TOMLValue {
        switch value.type {
        case .string: .string(value.string ?? "")
        case .int: .integer(value.int ?? 0)
        case .double: .float(value.double ?? 0)
        case .bool: .boolean(value.bool ?? false)
        case .date, .time, .dateTime: .dateTime("")
        case .array: .array((value.array.map { Array($0) } ?? []).map(theirs))
        case .table: .table(theirs(value.table ?? TOMLTable()))
        }
    }

    static func theirs(_ table: TOMLTable) -> [String: PlexusCore.TOMLValue] {
        Dictionary(uniqueKeysWithValues: table.keys.compactMap { key in table[key].map { (key, theirs($0)) } })
    }

    /// Ours, with dates' text dropped as `theirs` does.
    static func ours(_ value: PlexusCore.TOMLValue) -> PlexusCore.TOMLValue {
        switch value {
        case .dateTime: .dateTime("")
        case .array(let elements): .array(elements.map(ours))
        case .table(let table): .table(table.mapValues(ours))
        default: value
        }
    }

    static func documentsInTheRepository() throws -> [(name: String, text: String)] {
        let root = AgentConfigurationTests.repositoryRoot
        var documents = [("agent default", AgentConfiguration.defaultTOML), ("aggregator default", AggregatorConfiguration.defaultTOML)]
        for file in ["config/agent.toml", "config/aggregator.toml"] {
            documents.append((file, try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)))
        }
        // Every ```toml block of the documentation.
        let docs = root.appendingPathComponent("docs")
        for name in try FileManager.default.contentsOfDirectory(atPath: docs.path).sorted() where name.hasSuffix(".md") {
            let text = try String(contentsOf: docs.appendingPathComponent(name), encoding: .utf8)
            for (i, block) in text.components(separatedBy: "```toml\n").dropFirst().enumerated() {
                documents.append(("docs/\(name) block \(i + 1)", block.components(separatedBy: "```").first ?? ""))
            }
        }
        return documents
    }

    static let features = """
        str = "I'm a string. \\"You can quote me\\". Name\\tJos\\u00E9\\nLocation\\tSF."
        multi = \"\"\"
        Roses are red
        Violets are blue\"\"\"
        joined = \"\"\"\\
               The quick brown \\
               fox.\\
               \"\"\"
        winpath = 'C:\\Users\\nodejs\\templates'
        regex = '''I [dw]on't need \\d{2} apples'''
        "quoted key" = 1
        int = [+99, 42, 0, -17, 1_000, 0xDEADBEEF, 0o755, 0b11010110]
        flt = [+1.0, 3.1415, -0.01, 5e+22, 1e06, -2E-2, 6.626e-34, 224_617.445_991_228, inf, -inf]
        bools = [true, false]
        odt = 1979-05-27T07:32:00Z
        ldt = 1979-05-27T07:32:00.999999
        ld = 1979-05-27
        lt = 07:32:00
        mixed = [ [ 1, 2 ], ["a", "b", "c"], { x = 1 } ]
        inline = { first = "Tom", last = "Preston-Werner", point.x = 1 }
        physical.color = "orange"
        physical.shape = "round"
        [dog."tater.man"]
        type.name = "pug"
        [a.b.c]
        [a]
        d = 1
        [[fruits]]
        name = "apple"
        [fruits.physical]
        color = "red"
        [[fruits.varieties]]
        name = "red delicious"
        [[fruits]]
        name = "banana"
        [[fruits.varieties]]
        name = "plantain"
        """

    @Test func bothReadTheSameValues() throws {
        for (name, text) in try Self.documentsInTheRepository() + [("features", Self.features)] {
            let ours = try TOMLReader.read(text)
            let theirs = try TOMLTable(string: text)
            #expect(Self.ours(.table(ours)) == .table(Self.theirs(theirs)), "\(name)")
        }
    }

    @Test func bothRefuseTheSameDocuments() {
        let broken =
            TOMLReaderTests.refusedTables.map(\.document) + [
                "a = 01", "a = 1__0", "a = 1.", "a = .5", "a = +0x1", "a = 9223372036854775808", "a = \"\\q\"", "a = 'x", "a = [1 2]",
                "a = { b = 1, }", "a = { b = 1,\n c = 2 }", "a = 1979-02-29", "a = 07:32", "a = yes", "a = 1 b = 2", "[a", "a",
                "[[a]\n", "a = \"\"\"x\"\"\"\"\"\"", "a = \"\u{1}\"",
            ]
        for document in broken {
            #expect(throws: TOMLError.self, "\(document)") { try TOMLReader.read(document) }
            #expect(throws: (any Error).self, "\(document)") { try TOMLTable(string: document) }
        }
    }
}
