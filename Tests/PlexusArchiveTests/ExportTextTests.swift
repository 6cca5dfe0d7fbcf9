import Foundation
import PlexusTestSupport
import Testing

@testable import PlexusArchive

/// CSV as `plexus export` prints it and the series API serves it: gaps empty, whole numbers
/// without a fraction, others to twelve significant digits, RFC 4180 line ends.
@Suite struct ExportTextTests {
    static let values: [Double] = [
        0, 1, -5, 42, 0.5, 0.1 + 0.2, -0.001, 1.0 / 3, 123_456.789, 6.02e23, 1e-7, 999_999_999_999_999, 1e15, -1e15, 1e20,
        -9.2e18, .nan, .infinity, -.infinity, 2.5e-300,
    ]

    /// The same text the straightforward way, with Foundation's formatter.
    static func reference(_ data: RRDSeries, columns: [String]) -> String {
        var text = (["time"] + columns).joined(separator: ",") + "\r\n"
        for (i, row) in data.rows.enumerated() {
            let fields = row.map { v -> String in
                guard v.isFinite else { return "" }
                return v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(format: "%.12g", v)
            }
            text += ([String(data.time(ofRow: i))] + fields).joined(separator: ",") + "\r\n"
        }
        return text
    }

    @Test func csvIsTheStraightforwardTextByteForByte() {
        let rows = Self.values.enumerated().map { i, v in [v, Self.values[(i * 7 + 3) % Self.values.count]] }
        let data = RRDSeries(start: 1_795_543_200, end: 1_795_543_200 + 15 * Int64(rows.count), step: 15, columns: ["sum", "num"], rows: rows)
        let csv = ExportText.csv(data, columns: ["load_one", "hosts, up"])
        #expect(csv == Self.reference(data, columns: ["load_one", "\"hosts, up\""]))
        #expect(csv.hasPrefix("time,load_one,\"hosts, up\"\r\n1795543215,0,"))
        #expect(csv.contains("\r\n1795543290,0.3,") && csv.contains(",1e+20,") && csv.contains(",-9.2e+18,") && csv.contains(",999999999999999,"))
        #expect(csv.contains("\r\n1795543455,,"), "a gap is an empty field")
    }

    /// strfromd's `%.12g` is printf's, over every magnitude and sign (a fixed generator: the
    /// same values each run), and the bytes are the string's.
    @Test func numbersAreWhatPrintfWrites() {
        var generator = SeededGenerator(seed: 0x5EED)
        for _ in 0..<20_000 {
            let mantissa = Double(generator.next() % 1_000_000_007) / 1_000_000_007 * (generator.next() % 2 == 0 ? 1 : -1)
            let v = mantissa * pow(10, Double(Int(generator.next() % 61) - 30))
            let expected = v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(format: "%.12g", v)
            #expect(ExportText.number(v) == expected, "\(v)")
        }
        let rows = Self.values.map { [$0] }
        let data = RRDSeries(start: 0, end: 15 * Int64(rows.count), step: 15, columns: ["sum"], rows: rows)
        #expect(ExportText.csvBytes(data, columns: ["x"]) == Array(ExportText.csv(data, columns: ["x"]).utf8))
    }

    @Test func numbersAndTimes() {
        #expect(Self.values.map(ExportText.number).prefix(8) == ["0", "1", "-5", "42", "0.5", "0.3", "-0.001", "0.333333333333"])
        var out: [UInt8] = []
        for n: Int64 in [0, 7, -7, 1_795_543_200, .max, .min] {
            out = []
            ExportText.appendInteger(n, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == String(n))
        }
        let data = RRDSeries(start: 1_795_543_185, end: 1_795_543_200, step: 15, columns: ["sum"], rows: [[1]])
        #expect(ExportText.csv(data, columns: ["x"], time: .iso) == "time,x\r\n2026-11-24T18:00:00Z,1\r\n")
    }
}
