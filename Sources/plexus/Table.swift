import ArgumentParser
import Foundation
import PlexusArchive
import PlexusCore
import PlexusViews

/// Rows of typed cells printed three ways: an aligned table for people, CSV for spreadsheets
/// (RFC 4180 quoting), JSON for scripts (an array of objects, keys in column order, numbers as
/// numbers, missing values as null).
struct Table {
    enum Cell {
        case text(String)
        case number(Double)
        case integer(Int64)
        /// Seconds since the epoch: local time for people and spreadsheets, a number in JSON.
        case time(Int64)
        /// Tags and the like: comma-separated for people, an array in JSON.
        case list([String])
        case missing

        static func optional(_ value: Double?) -> Cell { value.map(Cell.number) ?? .missing }

        /// How the table and CSV show it.
        var text: String {
            switch self {
            case .text(let s): s
            case .number(let d): Self.format(d)
            case .integer(let i): String(i)
            case .time(let t): Self.localTime(t)
            case .list(let items): items.joined(separator: ",")
            case .missing: ""
            }
        }

        var json: String {
            switch self {
            case .text(let s): Self.quoted(s)
            case .number(let d): d.isFinite ? Self.format(d, exact: true) : "null"
            case .integer(let i): String(i)
            case .time(let t): String(t)
            case .list(let items): "[" + items.map(Self.quoted).joined(separator: ",") + "]"
            case .missing: "null"
            }
        }

        /// Whole numbers without a fraction; others with two decimals for people, twelve
        /// significant digits for machines (`ExportText.number`).
        static func format(_ d: Double, exact: Bool = false) -> String {
            guard d.isFinite else { return "" }
            if exact || (d == d.rounded() && abs(d) < 1e15) { return ExportText.number(d) }
            return String(format: "%.2f", d)
        }

        /// `2026-11-25 14:30:00`, local time.
        static func localTime(_ t: Int64) -> String {
            var seconds = time_t(t)
            var parts = tm()
            localtime_r(&seconds, &parts)
            return String(
                format: "%04d-%02d-%02d %02d:%02d:%02d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                parts.tm_hour, parts.tm_min, parts.tm_sec)
        }

        static func quoted(_ s: String) -> String { ExportText.quoted(s) }
    }

    struct Column {
        /// The CSV header and JSON key.
        var key: String
        /// The table header.
        var title: String
        var rightAligned: Bool

        init(_ key: String, _ title: String? = nil, right: Bool = false) {
            self.key = key
            self.title = title ?? key.uppercased()
            rightAligned = right
        }
    }

    var columns: [Column]
    var rows: [[Cell]] = []

    func text() -> String {
        let cells = [columns.map(\.title)] + rows.map { $0.map(\.text) }
        let widths = columns.indices.map { i in cells.map { $0[i].count }.max() ?? 0 }
        return cells.map { row in
            row.indices.map { i in
                let pad = String(repeating: " ", count: widths[i] - row[i].count)
                return columns[i].rightAligned ? pad + row[i] : (i == row.count - 1 ? row[i] : row[i] + pad)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    func csv() -> String {
        let field = ExportText.csvField
        return ([columns.map { field($0.key) }] + rows.map { $0.map { field($0.text) } }).map { $0.joined(separator: ",") }
            .joined(separator: "\r\n") + "\r\n"
    }

    func json() -> String {
        let objects = rows.map { row in
            "{" + zip(columns, row).map { "\(Cell.quoted($0.key)):\($1.json)" }.joined(separator: ",") + "}"
        }
        return "[" + objects.joined(separator: ",\n ") + "]\n"
    }
}

/// `--json`, `--csv` (a table otherwise) and `--quiet`, the same on every subcommand.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print JSON (an array of objects; missing values are null).") var json = false
    @Flag(help: "Print CSV with a header line (missing values are empty).") var csv = false
    @Flag(name: .shortAndLong, help: "Print no notes on standard error, only the output and errors.") var quiet = false

    var console: Console { Console(quiet: quiet) }

    func validate() throws {
        if json && csv { throw ValidationError("--json and --csv exclude each other") }
    }

    func render(_ table: Table) -> String {
        json ? table.json() : csv ? table.csv() : table.text()
    }
}

extension Table {
    /// A table of `RowColumn`s (the columns `/api/v1` writes too).
    init<Row>(_ columns: [RowColumn<Row>]) {
        self.init(columns: columns.map { Column($0.key, $0.title, right: $0.alignRight) })
    }

    mutating func append<Row>(_ row: Row, _ columns: [RowColumn<Row>]) {
        rows.append(
            columns.map { column in
                switch column.cell(row) {
                case .text(let text): .text(text)
                case .integer(let integer): .integer(integer)
                case .number(let number): .optional(number)
                }
            })
    }
}
