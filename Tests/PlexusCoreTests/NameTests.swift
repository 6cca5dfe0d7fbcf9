import Testing

@testable import PlexusCore

/// Names that could escape a directory or break a file name are refused by construction.
@Suite struct NameTests {
    static let refused: [(String, NameError.Problem)] = [
        ("", .empty),
        (".", .dotName),
        ("..", .dotName),
        ("../../x", .slash),
        ("a/b", .slash),
        ("/etc", .slash),
        ("nul\u{0}byte", .controlCharacter(0)),
        ("new\nline", .controlCharacter(0x0A)),
        ("del\u{7F}", .controlCharacter(0x7F)),
        ("c1\u{85}", .controlCharacter(0x85)),
        ("esc\u{1B}[31m", .controlCharacter(0x1B)),
        (String(repeating: "a", count: 256), .tooLong(bytes: 256, limit: 255)),
        (String(repeating: "é", count: 128), .tooLong(bytes: 256, limit: 255)),
        ("__SummaryInfo__", .reserved),
        ("__summaryinfo__", .reserved),
    ]

    @Test(arguments: refused.indices)
    func refusedHostNames(_ index: Int) {
        let (raw, problem) = Self.refused[index]
        #expect(throws: NameError(kind: "host", name: raw, problem: problem)) { try HostName(raw) }
        #expect(HostName(validating: raw) == nil)
        #expect(ClusterName(validating: raw) == nil)
    }

    @Test(arguments: [
        "load_one", "web-01.example.com", "10.0.0.9", "a b", "...", ".hidden", "x..y", "café", "漢字", "a:b",
        "name<x>", String(repeating: "a", count: 251),
    ])
    func acceptedNames(_ raw: String) throws {
        #expect(try MetricName(raw).rawValue == raw)
        #expect(try ClusterName(raw).rawValue == raw)
    }

    @Test func metricNamesLeaveRoomForTheRRDSuffix() {
        #expect(MetricName(validating: String(repeating: "m", count: 252)) == nil)
        #expect(HostName(validating: String(repeating: "m", count: 252)) != nil)
        #expect(MetricName(validating: "__SummaryInfo__") != nil, "a metric file can't collide with a directory")
    }

    @Test func errorsSayWhatIsWrong() {
        #expect(NameError(kind: "metric", name: "a/b", problem: .slash).description == #"metric name "a/b" contains '/'"#)
        #expect(
            NameError(kind: "host", name: "x\u{1}", problem: .controlCharacter(1)).description
                == #"host name "x\u{01}" contains control character U+0001"#)
    }
}
