import PlexusTestSupport
import Testing

@testable import PlexusCore

/// Rendering values with a sender's printf-style format, parsed by us.
@Suite struct ValueFormatTests {
    static let cases: [(MetricValue, String, String)] = [
        (.float(0.74), "%.2f", "0.74"),
        (.float(24_684_092), "%.0f", "24684092"),
        (.double(83.521646592), "%.3f", "83.522"),
        (.float(2.05041), "%.1f", "2.1"),
        (.ushort(2), "%hu", "2"),
        (.uint(1_795_543_625), "%u", "1795543625"),
        (.int(-42), "%d", "-42"),
        (.short(-7), "%hd", "-7"),
        (.string("Linux"), "%s", "Linux"),
        (.string("v2.14.1-rc1"), "%s", "v2.14.1-rc1"),
        (.uint(255), "%x", "ff"),
        (.uint(255), "%#06X", "0X00FF"),
        (.int(-1), "%u", "4294967295"),
        (.int(5), "%+d", "+5"),
        (.uint(7), "%5u", "    7"),
        (.uint(7), "%-5u|", "7    |"),
        (.float(50), "%.1f%%", "50.0%"),
        (.double(1234.5), "%e", "1.234500e+03"),
        (.double(0.5), "load %g now", "load 0.5 now"),
        (.uint(3), "%.1f", "3.0"),
        (.string("abcdef"), "%.3s", "abc"),
        (.string("ab"), "%4s", "  ab"),
        // Formats that don't fit or aren't safe fall back to the default text.
        (.float(0.25), "%d", "0.25"),
        (.float(24_684_092), "%s", "24684092"),
        (.uint(9), "%s", "9"),
        (.string("x"), "%d", "x"),
        (.uint(1), "%n", "1"),
        (.uint(1), "%s%s", "1"),
        (.uint(1), "%u%u", "1"),
        (.uint(1), "%*d", "1"),
        (.uint(1), "%.*f", "1"),
        (.uint(1), "%99999999999d", "1"),
        (.double(1.5), "%.50f", "1.5"),
        (.uint(1), "", "1"),
        (.uint(1), "%", "1"),
        (.uint(1), "no conversion", "1"),
        (.double(.nan), "%.2f", "nan"),
        (.float(1e20), "%z", "1e+20"),
    ]

    @Test(arguments: cases.indices)
    func renders(_ index: Int) {
        let (value, format, expected) = Self.cases[index]
        #expect(ValueFormat.render(value, format: format) == expected, "\(value) with \(format.debugDescription)")
    }

    @Test func parsesParts() throws {
        let format = try #require(ValueFormat(parsing: "T=%-08.3lf°C"))
        #expect(format.prefix == "T=")
        #expect(format.flags == "-0")
        #expect(format.width == 8)
        #expect(format.precision == 3)
        #expect(format.conversion == .fixed)
        #expect(format.suffix == "°C")
    }

    /// gmond renders gmetric's string values (id 133, `%s`) as the literal text: for every gmetric
    /// capture our rendering equals the VAL the real gmond served in the same run.
    @Test func gmetricValuesRenderAsGmondShowedThem() throws {
        let xml = try #require(GangliaDocument.read(try Fixtures.bytes("xml/gmond-tcp-8649.xml")).document)
        guard case .cluster(let cluster)? = xml.items.first else { throw Failure("no cluster") }
        let shown = Dictionary(cluster.hosts.flatMap(\.metrics).map { ($0.name.rawValue, $0.value) }, uniquingKeysWith: { a, _ in a })
        let files = Fixtures.xdrFiles.filter { $0.hasPrefix("gmetric-") && $0.contains("value-") }
        #expect(files.count == 6)
        for file in files {
            guard case .value(let id, let format, let value) = try GangliaMessage(xdr: try Fixtures.bytes("xdr/\(file)")) else {
                throw Failure("\(file) is not a value")
            }
            #expect(ValueFormat.render(value, format: format) == shown[id.name], "\(file)")
        }
    }

    /// Metrics that don't change during a capture render exactly as gmond showed them too.
    @Test(arguments: ["value-float-mem_total.bin", "value-ushort-cpu_num.bin", "value-string-os_name.bin"])
    func staticModuleValuesRenderAsGmondShowedThem(_ file: String) throws {
        let xml = try #require(GangliaDocument.read(try Fixtures.bytes("xml/gmond-tcp-8649.xml")).document)
        guard case .cluster(let cluster)? = xml.items.first else { throw Failure("no cluster") }
        guard case .value(let id, let format, let value) = try GangliaMessage(xdr: try Fixtures.bytes("xdr/\(file)")) else {
            throw Failure("not a value")
        }
        let shown = cluster.hosts[1].metrics.first { $0.name.rawValue == id.name }?.value
        #expect(ValueFormat.render(value, format: format) == shown)
    }

    @Test func numericValueOfStrings() {
        #expect(MetricValue.string(" -42 ").numericValue == -42)
        #expect(MetricValue.string("87.25").numericValue == 87.25)
        #expect(MetricValue.string("v2").numericValue == nil)
        #expect(MetricValue.ushort(3).numericValue == 3)
    }

    /// Output longer than the stack buffer (128 bytes: 1e300 with 40 decimals is 342) is
    /// formatted again on the heap, whole.
    @Test func longOutputIsWhole() {
        let rendered = ValueFormat.render(.double(1e300), format: "%.40f")
        #expect(rendered.count == 342)
        #expect(rendered.hasPrefix("10000000000000000525"))
        #expect(rendered.hasSuffix("." + String(repeating: "0", count: 40)))
    }

    /// Parsed formats are kept (the same result as parsing anew) and bounded: a sender inventing
    /// formats can't grow the cache past its limit.
    @Test func parsedFormatsAreCachedWithinABound() {
        for i in 0..<(ValueFormat.maxCached * 2) {
            let format = "%.\(i % 40)f unit\(i)"
            #expect(ValueFormat.parsed(format).format == ValueFormat(parsing: format))
            #expect(ValueFormat.parsed(format).format == ValueFormat(parsing: format))
            #expect(ValueFormat.cachedCount <= ValueFormat.maxCached)
        }
        #expect(ValueFormat.parsed("%n").format == nil)
    }
}

/// Plain formats (no flags, no width) skip the variadic `vsnprintf`: floating conversions go
/// through `strfromd`, decimal integers through Swift's own text. Both must give exactly what
/// printf gives, which the general path still calls.
@Suite struct ValueFormatDirectPathTests {
    static let floating: [Double] = [
        0, -0.0, 0.5, 0.125, 2.675, 1.005, -1.5, 0.74, 83.521646592, 1e-7, 123_456_789.987654321, 1e300, -1e-300,
        .greatestFiniteMagnitude, .leastNonzeroMagnitude, .infinity, -.infinity, .nan,
    ]

    @Test(arguments: ["f", "F", "e", "E", "g", "G", "a", "A"])
    func floatingConversionsMatchPrintf(_ conversion: String) {
        var generator = SeededGenerator(seed: 20)
        let values = Self.floating + (0..<200).map { _ in Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &generator)) }
        for precision in [nil, 0, 1, 2, 3, 6, 17, 40] as [Int?] {
            let format = "%" + (precision.map { ".\($0)" } ?? "") + conversion
            for value in values {
                #expect(ValueFormat.render(.double(value), format: format) == ValueFormat.cFormat(format, value), "\(value) \(format)")
            }
        }
    }

    @Test func integersMatchPrintf() {
        let values: [Int64] = [0, 1, -1, 42, -42, Int64(Int32.max), Int64(Int32.min), Int64(UInt32.max), 65_535, -32_768]
        for value in values {
            let metric: MetricValue = Int32(exactly: value).map(MetricValue.int) ?? .uint(UInt32(truncatingIfNeeded: value))
            let signed = metric.integerValue
            #expect(ValueFormat.render(metric, format: "%d") == ValueFormat.cFormat("%lld", signed))
            #expect(ValueFormat.render(metric, format: "%i") == ValueFormat.cFormat("%lli", signed))
            #expect(ValueFormat.render(metric, format: "%u") == ValueFormat.cFormat("%llu", UInt64(UInt32(truncatingIfNeeded: signed))))
            #expect(ValueFormat.render(metric, format: "%.3d") == ValueFormat.cFormat("%.3lld", signed))
        }
    }
}
