import Testing

@testable import PlexusCore

/// Our TOML 1.0 reader: values in all their forms, the rules on tables, errors with positions.
/// `TOMLReaderAgreementTests` reads the same documents with TOMLKit (toml++) too.
@Suite struct TOMLReaderTests {
    static func read(_ text: String) throws(TOMLError) -> [String: TOMLValue] { try TOMLReader.read(text) }

    static func value(_ text: String) throws -> TOMLValue {
        try #require(try read("v = \(text)")["v"])
    }

    static func refusal(_ text: String) -> TOMLError? {
        do {
            _ = try read(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func theSpecificationsExample() throws {
        let document = try Self.read(
            """
            # This is a TOML document

            title = "TOML Example"

            [owner]
            name = "Tom Preston-Werner"
            dob = 1979-05-27T07:32:00-08:00

            [database]
            enabled = true
            ports = [ 8000, 8001, 8002 ]
            data = [ ["delta", "phi"], [3.14] ]
            temp_targets = { cpu = 79.5, case = 72.0 }

            [servers]

            [servers.alpha]
            ip = "10.0.0.1"
            role = "frontend"

            [servers.beta]
            ip = "10.0.0.2"
            role = "backend"
            """)
        #expect(
            document == [
                "title": .string("TOML Example"),
                "owner": .table(["name": .string("Tom Preston-Werner"), "dob": .dateTime("1979-05-27T07:32:00-08:00")]),
                "database": .table([
                    "enabled": .boolean(true), "ports": .array([.integer(8000), .integer(8001), .integer(8002)]),
                    "data": .array([.array([.string("delta"), .string("phi")]), .array([.float(3.14)])]),
                    "temp_targets": .table(["cpu": .float(79.5), "case": .float(72)]),
                ]),
                "servers": .table([
                    "alpha": .table(["ip": .string("10.0.0.1"), "role": .string("frontend")]),
                    "beta": .table(["ip": .string("10.0.0.2"), "role": .string("backend")]),
                ]),
            ])
    }

    @Test func strings() throws {
        #expect(try Self.value(#""tab\there \"quoted\" \\ \u00E9 \U0001F600""#) == .string("tab\there \"quoted\" \\ é 😀"))
        #expect(try Self.value(#"'C:\Users\nodejs\templates'"#) == .string(#"C:\Users\nodejs\templates"#))
        #expect(try Self.value("\"\"\"\nRoses are red\r\nViolets are blue\"\"\"") == .string("Roses are red\nViolets are blue"))
        #expect(try Self.value("\"\"\"\nThe quick brown \\\n\n    fox jumps \\   \n    over.\"\"\"") == .string("The quick brown fox jumps over."))
        #expect(
            try Self.value("\"\"\"Here are two quotation marks: \"\". Simple enough.\"\"\"") == .string(#"Here are two quotation marks: "". Simple enough."#))
        #expect(try Self.value(#""""She said "hello"""""#) == .string(#"She said "hello""#))
        #expect(
            try Self.value("'''\nThe first newline is\ntrimmed in raw strings.\n   \\n stays'''")
                == .string("The first newline is\ntrimmed in raw strings.\n   \\n stays"))
        #expect(try Self.value("''''That,' she said, 'is still pointless.''''") == .string("'That,' she said, 'is still pointless.'"))
        #expect(try Self.value(#""""#) == .string(""))
        #expect(try Self.read(#""quoted key" = 1"#) == ["quoted key": .integer(1)])
        #expect(try Self.read(#"'' = 1"#) == ["": .integer(1)])
    }

    @Test func badStrings() {
        #expect(Self.refusal("v = \"no end\nw = 1")?.reason == "unterminated string: no closing \" on its line")
        #expect(Self.refusal(#"v = "bad \q escape""#)?.reason == #"invalid escape \q"#)
        #expect(Self.refusal(#"v = "\uD800""#)?.reason == #"\u names no Unicode scalar value"#)
        #expect(Self.refusal(#"v = "\u12""#)?.reason == #"\u takes 4 hexadecimal digits"#)
        #expect(Self.refusal("v = \"a\u{1}b\"")?.reason == "the byte 0x1 must be escaped in a string")
        #expect(Self.refusal("v = '''abc") != nil)
        #expect(Self.refusal(#"v = """abc"""""""#)?.reason == "too many quotes at the end of a multi-line string")
    }

    @Test func numbers() throws {
        #expect(try Self.value("+99") == .integer(99))
        #expect(try Self.value("-17") == .integer(-17))
        #expect(try Self.value("0") == .integer(0))
        #expect(try Self.value("1_000_000") == .integer(1_000_000))
        #expect(try Self.value("0xDEAD_beef") == .integer(0xDEAD_BEEF))
        #expect(try Self.value("0o755") == .integer(0o755))
        #expect(try Self.value("0b1101") == .integer(13))
        #expect(try Self.value("9223372036854775807") == .integer(Int.max))
        #expect(try Self.value("-9223372036854775808") == .integer(Int.min))
        #expect(try Self.value("+1.0") == .float(1))
        #expect(try Self.value("-0.01") == .float(-0.01))
        #expect(try Self.value("5e+22") == .float(5e22))
        #expect(try Self.value("6.626e-34") == .float(6.626e-34))
        #expect(try Self.value("224_617.445_991") == .float(224_617.445_991))
        #expect(try Self.value("0e0") == .float(0))
        #expect(try Self.value("-inf") == .float(-.infinity))
        #expect(try Self.value("nan").float?.isNaN == true)
        for bad in ["01", "1__0", "_1", "1_", "1.", ".5", "1e", "1.e5", "+0x10", "0x", "0xG", "1e_5", "infinity", "abc", "1,5"] {
            #expect(Self.refusal("v = \(bad)") != nil, "\(bad)")
        }
        #expect(Self.refusal("v = 9223372036854775808")?.reason == "9223372036854775808 is out of the 64-bit integer range")
        #expect(Self.refusal("v = 07")?.reason == "07: a decimal number has no leading zeros")
        #expect(Self.refusal("v = yes")?.reason == "yes is not a valid value (a string needs quotes)")
    }

    @Test func datesAndTimes() throws {
        for text in [
            "1979-05-27T07:32:00Z", "1979-05-27T00:32:00.999999-07:00", "1979-05-27 07:32:00Z", "1979-05-27t07:32:00",
            "1979-05-27", "07:32:00", "00:32:00.999999", "2000-02-29", "1990-12-31T23:59:60Z",
        ] {
            #expect(try Self.value(text) == .dateTime(text), "\(text)")
        }
        for bad in ["1979-13-01", "1979-02-29", "1979-05-27T25:00:00", "07:32", "1979-05-27T07:32:00+7:00", "1979-5-27", "07:32:00Z"] {
            #expect(Self.refusal("v = \(bad)") != nil, "\(bad)")
        }
        #expect(try Self.read("d = 1979-05-27 # a date, then a comment") == ["d": .dateTime("1979-05-27")])
    }

    @Test func arraysAndInlineTables() throws {
        #expect(
            try Self.value("[\n  1, # one\n  'two',\n  [3.0],\n  { four = 4 },\n]")
                == .array([.integer(1), .string("two"), .array([.float(3)]), .table(["four": .integer(4)])]))
        #expect(try Self.value("[]") == .array([]))
        #expect(try Self.value("{}") == .table([:]))
        #expect(try Self.value("{ a.b = 1, a.c = 2, \"d e\" = true }") == .table(["a": .table(["b": .integer(1), "c": .integer(2)]), "d e": .boolean(true)]))
        #expect(Self.refusal("v = [1 2]")?.reason == "expected , or ] in the array, found '2'")
        #expect(Self.refusal("v = [,]") != nil)
        #expect(Self.refusal("v = { a = 1, }")?.reason == "expected a key, found '}'")
        #expect(Self.refusal("v = { a = 1,\n b = 2 }") != nil)
        #expect(Self.refusal("v = { a = 1, a = 2 }")?.reason == "key a is defined twice")
        #expect(Self.refusal("v = [1,")?.reason == "unterminated array: no closing ]")
    }

    @Test func tablesAndKeys() throws {
        // Dotted keys, super-tables after sub-tables, arrays of tables with their own sub-tables.
        let document = try Self.read(
            """
            site."google.com" = true
            fruit . color = "red"
            [x.y.z.w]
            [x]
            a = 1
            [[products]]
            name = "Hammer"
            [products.maker]
            name = "ACME"
            [[products]]
            [[products]]
            name = "Nail"
            [fruits.apple]
            colour = "green"
            [fruits.apple.texture]
            smooth = true
            """)
        #expect(document["site"] == .table(["google.com": .boolean(true)]))
        #expect(document["fruit"] == .table(["color": .string("red")]))
        #expect(document["x"] == .table(["a": .integer(1), "y": .table(["z": .table(["w": .table([:])])])]))
        #expect(
            document["products"]
                == .array([
                    .table(["name": .string("Hammer"), "maker": .table(["name": .string("ACME")])]), .table([:]), .table(["name": .string("Nail")]),
                ]))
        #expect(document["fruits"] == .table(["apple": .table(["colour": .string("green"), "texture": .table(["smooth": .boolean(true)])])]))
        // Dotted keys may define sub-tables of a table whose header is still open, and a header
        // may then name a table below a dotted one.
        #expect(try Self.read("[fruit]\napple.color = 'red'\napple.taste.sweet = true\n[fruit.apple.texture]\nsmooth = true").count == 1)
    }

    /// Documents that break the rules on tables, and why (TOMLReaderAgreementTests reads them too).
    static let refusedTables: [(document: String, reason: String)] = [
        ("a = 1\na = 2", "key a is defined twice"),
        ("[a]\n[a]", "table [a] is defined twice"),
        ("[a]\nb = 1\n[a.b]", "a.b is already a value, not a table"),
        ("a.b = 1\n[a]", "table a is already defined by dotted keys"),
        ("[fruit]\napple.color = 'red'\n[fruit.apple]", "table fruit.apple is already defined by dotted keys"),
        ("[a.b.c]\n[a]\nb.c.t = 1", "b is already defined: dotted keys cannot extend it"),
        ("a = { b = 1 }\n[a.c]", "a is already a value, not a table"),
        ("a = { b = 1 }\na.c = 2", "a is already defined: dotted keys cannot extend it"),
        ("a = []\n[[a]]", "a is already defined, not as an array of tables"),
        ("[[a]]\n[a]", "a is an array of tables: write [[a]]"),
        ("[a]\n[[a]]", "a is already defined, not as an array of tables"),
        ("a = 1\n[a.b]", "a is already a value, not a table"),
    ]

    @Test func tablesAreDefinedOnce() {
        for (document, reason) in Self.refusedTables {
            #expect(Self.refusal(document)?.reason == reason, "\(document)")
        }
    }

    @Test func errorsSayWhere() {
        #expect(Self.refusal("a = 1\n\nb = \"x\" junk") == TOMLError(line: 3, column: 9, reason: "expected the end of the line, found 'j'"))
        #expect(Self.refusal("é = 1") == TOMLError(line: 1, column: 1, reason: "expected a key, found the byte 0xC3"))
        #expect(Self.refusal("name = \"é\" x") == TOMLError(line: 1, column: 12, reason: "expected the end of the line, found 'x'"))
        #expect(Self.refusal("[a\nb = 1") == TOMLError(line: 1, column: 3, reason: "expected ] to close the table header"))
        #expect(Self.refusal("a = 1\r\nb = 2\rc = 3")?.line == 2)
        #expect(Self.refusal("a")?.reason == "expected = after the key")
        #expect(Self.refusal("a = ")?.reason == "expected a value, found the end of the file")
        #expect(Self.refusal("a = 1 # bell \u{7}")?.reason == "the byte 0x7 is not allowed in a comment")
    }

    @Test func layoutAndLineEndings() throws {
        #expect(try Self.read("\u{FEFF}a = 1\r\n\t[b]  # header\r\n  c = 'd'\r\n") == ["a": .integer(1), "b": .table(["c": .string("d")])])
        #expect(try Self.read("") == [:])
        #expect(try Self.read("# only a comment") == [:])
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(Self.refusal("v = \(deep)")?.reason == "arrays and inline tables nested deeper than 64")
        let inline = String(repeating: "{ a = ", count: 65) + "1" + String(repeating: " }", count: 65)
        #expect(Self.refusal("v = \(inline)") != nil)
        let allowed = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(Self.refusal("v = \(allowed)") == nil)
    }
}
