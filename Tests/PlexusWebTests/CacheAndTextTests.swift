import Foundation
import Mustache
import Testing

@testable import PlexusWeb

/// The pieces that make the dashboard fast: the once-a-second cache shared by pages, the API and
/// the grid overview, and the byte writer for long lists.
@Suite struct CacheAndTextTests {
    final class Counter: @unchecked Sendable {
        var makes = 0
    }

    @Test func aValueIsMadeOnceASecondAndRemadeByOneCallerWhileOthersTakeThePrevious() throws {
        let cache = SecondCache<String>(budget: 10)
        let counter = Counter()
        func make(_ text: String) -> String {
            counter.makes += 1
            return text
        }
        #expect(cache.value("a", now: 100) { make("first") } == "first")
        #expect(cache.value("a", now: 100) { make("again") } == "first", "kept for its second")
        #expect(counter.makes == 1)
        // The second turns: this caller remakes; a caller arriving meanwhile (here, from inside
        // the make) gets the previous second's value instead of making it too.
        let remade = cache.value("a", now: 101) { () -> String in
            let meanwhile = cache.value("a", now: 101) { make("stampede") }
            #expect(meanwhile == "first")
            return make("second")
        }
        #expect(remade == "second" && counter.makes == 2)
        #expect(cache.value("a", now: 101) { make("third") } == "second")
        // A make that fails leaves the key free to be made by the next caller.
        struct Broken: Error {}
        #expect(throws: Broken.self) { try cache.value("a", now: 102) { throw Broken() } }
        #expect(cache.value("a", now: 102) { make("after") } == "after")
        #expect(cache.value("b", now: 102) { make("b") } == "b" && cache.usage.keys == 2)
    }

    @Test func whatIsKeptStaysWithinTheBudget() {
        let cache = SecondCache<[UInt8]>(budget: 10, cost: { $0.count })
        let counter = Counter()
        func make(_ count: Int) -> [UInt8] {
            counter.makes += 1
            return [UInt8](repeating: 1, count: count)
        }
        _ = cache.value("x", now: 100) { make(6) }
        _ = cache.value("y", now: 100) { make(6) }
        #expect(cache.usage == (6, 1), "y would pass the budget: handed out, not kept")
        _ = cache.value("y", now: 100) { make(6) }
        #expect(counter.makes == 3)
        // A later second's value makes room by dropping earlier seconds'.
        _ = cache.value("z", now: 101) { make(6) }
        #expect(cache.usage == (6, 1))
        _ = cache.value("z", now: 101) { make(6) }
        #expect(counter.makes == 4)
        // One value bigger than the whole budget is never kept.
        _ = cache.value("big", now: 101) { make(11) }
        _ = cache.value("big", now: 101) { make(11) }
        #expect(counter.makes == 6 && cache.usage == (6, 1))
    }

    static let awkward = [
        "", "web-1", "odd\"host", "<script>alert(1)</script>", "a&b", "it's", "ünïcødé ☃ 𝄞", "tab\there", "line\nbreak", "nul\u{0}byte",
        "back\\slash", "\u{1F}\u{7F}", "<<>>&&\"\"''",
    ]

    @Test func bytesAreEscapedForHTMLAsMustacheEscapes() throws {
        var library = MustacheLibrary()
        try library.register("{{x}}", named: "x")
        for text in Self.awkward {
            var bytes = ByteText()
            bytes.putHTML(text)
            #expect(bytes.string == library.render(["x": text], withTemplate: "x"), "\(text.debugDescription)")
            #expect(bytes.string == HTMLText.escape(text))
        }
    }

    @Test func bytesAreQuotedForJSONAndReadBackTheSame() throws {
        for text in Self.awkward {
            var bytes = ByteText()
            bytes.putJSON(text)
            #expect(!bytes.string.contains("<"), "no answer can close a <script>")
            let read = try JSONSerialization.jsonObject(with: Data(bytes.bytes), options: [.fragmentsAllowed]) as? String
            #expect(read == text, "\(text.debugDescription) was written \(bytes.string)")
        }
        var object = ByteText()
        object.putObject { members in
            members.add("a", 1.5)
            members.add("b", nil)
            members.add("c", Double.nan)
            members.add("d", 3.0)
            members.add("e", UInt32(7))
            members.add("f", "x\"y")
            members.add("g") { $0.put("[1,2]") }
        }
        #expect(object.string == #"{"a":1.5,"d":3,"e":7,"f":"x\"y","g":[1,2]}"#, "absent and non-finite numbers are left out, as JSONEncoder leaves out nil")
    }
}
