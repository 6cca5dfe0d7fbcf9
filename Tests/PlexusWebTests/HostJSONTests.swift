import Foundation
import Testing

@testable import PlexusViews
@testable import PlexusWeb

/// `/api/v1`'s host rows are written member by member for speed; they must say what
/// `GridOverview.HostRow.columns` (which `plexus query hosts --json` prints) says.
@Suite struct HostJSONTests {
    static let rows = [
        GridOverview.HostRow(
            cluster: "web", host: "web-1", ip: "10.0.0.1", up: true, age: 5, loadOne: 0.25, cpus: 4, cpuUsedPercent: 12.299999999999997,
            memFreeKB: 1024, bytesIn: 1.5e6, bytesOut: 3),
        GridOverview.HostRow(
            cluster: "db \"quoted\" <b>", host: "ü:host", ip: "::1", up: false, age: 4000, loadOne: nil, cpus: nil, cpuUsedPercent: .nan,
            memFreeKB: .infinity, bytesIn: nil, bytesOut: -0.5),
    ]

    /// The row through the columns: a missing or non-finite number is no member, as JSON has none.
    static func fromColumns(_ row: GridOverview.HostRow) -> [String: AnyHashable] {
        var members: [String: AnyHashable] = [:]
        for column in GridOverview.HostRow.columns {
            switch column.cell(row) {
            case .text(let text): members[column.key] = text
            case .integer(let integer): members[column.key] = Double(integer)
            case .number(let number): if let number, number.isFinite { members[column.key] = number }
            }
        }
        return members
    }

    @Test func hostRowsSayWhatTheColumnsSay() throws {
        for row in Self.rows {
            var text = ByteText(capacity: 256)
            HostJSON.write(row, to: &text)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(text.string.utf8)) as? [String: Any])
            let written = object.mapValues { value -> AnyHashable in
                if let number = value as? NSNumber, !(value is String) { return number.doubleValue }
                return value as? String ?? "?"
            }
            // Numbers to 1e-12: Foundation's JSON parser is not exact in the last digit.
            let expected = Self.fromColumns(row)
            #expect(Set(written.keys) == Set(expected.keys), "\(text.string)")
            for (key, value) in expected {
                if let number = value as? Double, let got = written[key] as? Double {
                    #expect(abs(number - got) <= 1e-12 * max(1, abs(number)), "\(key)")
                } else {
                    #expect(written[key] == value, "\(key)")
                }
            }
            // Every column is a member when its value is there: nothing the CLI prints is missing.
            #expect(Set(GridOverview.HostRow.columns.map(\.key)).isSuperset(of: Set(object.keys)))
        }
        #expect(Set(Self.fromColumns(Self.rows[0]).keys) == Set(GridOverview.HostRow.columns.map(\.key)))
    }
}
