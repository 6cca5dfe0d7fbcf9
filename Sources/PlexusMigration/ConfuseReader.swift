/// gmond.conf as libconfuse reads it (`docs/migrating.md`): sections `name { … }` and titled
/// sections `param NAME { … }`, options `key = value` and `key = { a, b }`, values quoted
/// (`"…"` with C escapes, `'…'` as written) or bare (`239.2.11.71`, `yes`), `#`, `//` and
/// `/* … */` comments, names case-insensitive, and `include ("glob")` read in place. Pure: the
/// files an include names come from `Includer`.
public enum ConfuseReader {
    /// The files `pattern` names, read, in glob(3)'s order; `from` is the including file. A
    /// pattern without wildcards that names no file throws; one with wildcards may name none.
    public typealias Includer = (_ pattern: String, _ from: String) throws -> [(file: String, text: String)]

    /// How deep includes may nest (a file including itself stops here, with its chain).
    public static let maxIncludeDepth = 8

    public static func read(_ text: String, file: String, include: @escaping Includer) throws(MigrationError) -> ConfuseSection {
        var root = ConfuseSection(name: "", place: .init(file: file, line: 1))
        let parser = Parser(include: include)
        try parser.body(into: &root, text: text, file: file, depth: 0)
        return root
    }

    struct Parser {
        let include: Includer

        /// Reads `text`'s statements into `section` (the whole file: includes are at any level).
        func body(into section: inout ConfuseSection, text: String, file: String, depth: Int) throws(MigrationError) {
            var lexer = ConfuseLexer(text: text, file: file)
            try statements(into: &section, lexer: &lexer, depth: depth, closing: false)
        }

        private func statements(into section: inout ConfuseSection, lexer: inout ConfuseLexer, depth: Int, closing: Bool) throws(MigrationError) {
            while let token = try lexer.next() {
                switch token.kind {
                case .close:
                    guard closing else { throw lexer.error(token, "\"}\" closes no section") }
                    return
                case .word(let word, quoted: false):
                    try statement(word, at: token, into: &section, lexer: &lexer, depth: depth)
                default:
                    throw lexer.error(token, "expected an option or section name, found \(token.kind)")
                }
            }
            if closing { throw MigrationError(file: lexer.file, line: lexer.line, reason: "section \(section.name) is not closed: \"}\" missing") }
        }

        private func statement(
            _ word: String, at token: ConfuseLexer.Token, into section: inout ConfuseSection, lexer: inout ConfuseLexer, depth: Int
        ) throws(MigrationError) {
            let name = word.lowercased()
            let place = ConfusePlace(file: lexer.file, line: token.line)
            guard let next = try lexer.next() else { throw lexer.error(token, "\(word) ends the file without a value or section") }
            switch next.kind {
            case .equals, .plusEquals:
                let values = try self.values(lexer: &lexer, after: next)
                if case .plusEquals = next.kind, let i = section.options.lastIndex(where: { $0.name == name }) {
                    section.options[i].values += values
                } else {
                    section.options.append(ConfuseOption(name: name, values: values, place: place))
                }
            case .open:
                var child = ConfuseSection(name: name, place: place)
                try statements(into: &child, lexer: &lexer, depth: depth, closing: true)
                section.sections.append(child)
            case .word(let title, _):
                guard let open = try lexer.next(), case .open = open.kind else { throw lexer.error(next, "expected \"{\" after section \(word) \(title)") }
                var child = ConfuseSection(name: name, title: title, place: place)
                try statements(into: &child, lexer: &lexer, depth: depth, closing: true)
                section.sections.append(child)
            case .openParenthesis where name == "include":
                let arguments = try self.arguments(lexer: &lexer, after: next)
                guard arguments.count == 1 else { throw lexer.error(next, "include takes one file name or glob") }
                try included(arguments[0], at: next, into: &section, lexer: lexer, depth: depth)
            case .openParenthesis:
                throw lexer.error(token, "unknown function \(word)(): only include() exists")
            default:
                throw lexer.error(next, "expected \"=\" or \"{\" after \(word), found \(next.kind)")
            }
        }

        private func included(_ pattern: String, at token: ConfuseLexer.Token, into section: inout ConfuseSection, lexer: ConfuseLexer, depth: Int)
            throws(MigrationError)
        {
            guard depth < ConfuseReader.maxIncludeDepth else {
                throw lexer.error(token, "includes nest deeper than \(ConfuseReader.maxIncludeDepth) (does a file include itself?)")
            }
            let files: [(file: String, text: String)]
            do {
                files = try include(pattern, lexer.file)
            } catch let error as MigrationError {
                throw error
            } catch {
                throw lexer.error(token, "include \(pattern.debugDescription): \(error)")
            }
            for (file, text) in files {
                try body(into: &section, text: text, file: file, depth: depth + 1)
            }
        }

        /// A value, or `{ a, b, … }` (a list option).
        private func values(lexer: inout ConfuseLexer, after token: ConfuseLexer.Token) throws(MigrationError) -> [ConfuseValue] {
            guard let first = try lexer.next() else { throw lexer.error(token, "a value must follow \"=\"") }
            switch first.kind {
            case .word(let text, let quoted):
                return [ConfuseValue(text: text, quoted: quoted)]
            case .open:
                var values: [ConfuseValue] = []
                while let item = try lexer.next() {
                    switch item.kind {
                    case .close: return values
                    case .comma where !values.isEmpty: continue
                    case .word(let text, let quoted): values.append(ConfuseValue(text: text, quoted: quoted))
                    default: throw lexer.error(item, "expected a list value, \",\" or \"}\", found \(item.kind)")
                    }
                }
                throw lexer.error(first, "the list is not closed: \"}\" missing")
            default:
                throw lexer.error(first, "expected a value after \"=\", found \(first.kind)")
            }
        }

        /// `( a, b )`'s arguments.
        private func arguments(lexer: inout ConfuseLexer, after token: ConfuseLexer.Token) throws(MigrationError) -> [String] {
            var arguments: [String] = []
            while let item = try lexer.next() {
                switch item.kind {
                case .closeParenthesis: return arguments
                case .comma where !arguments.isEmpty: continue
                case .word(let text, _): arguments.append(text)
                default: throw lexer.error(item, "expected an argument, \",\" or \")\", found \(item.kind)")
                }
            }
            throw lexer.error(token, "\"(\" is not closed: \")\" missing")
        }
    }
}

/// Where an option or section was written.
public struct ConfusePlace: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int

    public var description: String { "\(file):\(line)" }
}

/// One value as written; `quoted` tells `"yes"` (a string) from `yes` (a word).
public struct ConfuseValue: Sendable, Equatable {
    public var text: String
    public var quoted: Bool
}

/// `name = value`, `name = { a, b }`; the name lower-cased (libconfuse's are case-insensitive).
public struct ConfuseOption: Sendable, Equatable {
    public var name: String
    public var values: [ConfuseValue]
    public var place: ConfusePlace
}

/// A section, the file's top level included (name ""); names lower-cased.
public struct ConfuseSection: Sendable, Equatable {
    public var name: String
    public var title: String?
    public var options: [ConfuseOption] = []
    public var sections: [ConfuseSection] = []
    public var place: ConfusePlace

    public init(name: String, title: String? = nil, place: ConfusePlace) {
        self.name = name
        self.title = title
        self.place = place
    }

    /// The last setting of `name` (libconfuse keeps the last), nil when unset.
    public func option(_ name: String) -> ConfuseOption? { options.last { $0.name == name } }

    public func sections(_ name: String) -> [ConfuseSection] { sections.filter { $0.name == name } }
}

/// A configuration that can't be read, with its file and line.
public struct MigrationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var reason: String

    public init(file: String, line: Int?, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    public var description: String { line.map { "\(file):\($0): \(reason)" } ?? "\(file): \(reason)" }
}
