/// gmetad.conf as dotconf reads it: one directive a line (`name arg arg …`), arguments bare or
/// in double quotes, `#` comments outside quotes, a line ending in `\` continued on the next,
/// names case-insensitive, `Include "file or glob"` read in place. Pure: included files come
/// from `ConfuseReader.Includer`'s kind of closure.
public enum DotconfReader {
    public struct Directive: Sendable, Equatable {
        /// Lower-cased.
        public var name: String
        public var arguments: [String]
        public var place: ConfusePlace
    }

    public static func read(_ text: String, file: String, include: ConfuseReader.Includer) throws(MigrationError) -> [Directive] {
        var directives: [Directive] = []
        try read(text, file: file, include: include, depth: 0, into: &directives)
        return directives
    }

    static func read(_ text: String, file: String, include: ConfuseReader.Includer, depth: Int, into directives: inout [Directive]) throws(MigrationError) {
        var pending = ""
        var pendingLine = 1
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = String(raw)
            if line.hasSuffix("\r") { line.removeLast() }
            if pending.isEmpty { pendingLine = i + 1 }
            if line.hasSuffix("\\") {
                pending += line.dropLast() + " "
                continue
            }
            let whole = pending + line
            pending = ""
            let place = ConfusePlace(file: file, line: pendingLine)
            let words = try self.words(whole, place: place)
            guard let first = words.first else { continue }
            let directive = Directive(name: first.lowercased(), arguments: Array(words.dropFirst()), place: place)
            guard directive.name == "include" else {
                directives.append(directive)
                continue
            }
            guard directive.arguments.count == 1 else { throw MigrationError(file: file, line: place.line, reason: "Include takes one file name or glob") }
            guard depth < ConfuseReader.maxIncludeDepth else {
                throw MigrationError(
                    file: file, line: place.line, reason: "includes nest deeper than \(ConfuseReader.maxIncludeDepth) (does a file include itself?)")
            }
            let files: [(file: String, text: String)]
            do {
                files = try include(directive.arguments[0], file)
            } catch let error as MigrationError {
                throw error
            } catch {
                throw MigrationError(file: file, line: place.line, reason: "Include \(directive.arguments[0].debugDescription): \(error)")
            }
            for (included, text) in files { try read(text, file: included, include: include, depth: depth + 1, into: &directives) }
        }
    }

    /// A line's words: blanks separate them, double quotes hold blanks and `#`, `\"` is a quote.
    static func words(_ line: String, place: ConfusePlace) throws(MigrationError) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quoted = false
        var escaped = false
        for character in line {
            if quoted {
                if escaped {
                    current.append(character)
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    quoted = false
                } else {
                    current.append(character)
                }
                continue
            }
            switch character {
            case "#":
                if inWord { words.append(current) }
                return words
            case " ", "\t":
                if inWord { words.append(current) }
                current = ""
                inWord = false
            case "\"":
                quoted = true
                inWord = true
            default:
                current.append(character)
                inWord = true
            }
        }
        guard !quoted else { throw MigrationError(file: place.file, line: place.line, reason: "a quote is never closed") }
        if inWord { words.append(current) }
        return words
    }
}
