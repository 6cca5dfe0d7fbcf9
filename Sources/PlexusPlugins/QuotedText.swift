/// A double-quoted piece of a plugin's line (a Prometheus label value, a gmetric string): read
/// from just after the opening quote to the closing one, backslash escapes taken from `escapes`.
enum QuotedText {
    enum Failure: Error, Equatable {
        /// No closing quote.
        case notClosed
        /// A backslash before a character `escapes` doesn't name (when unknown ones are refused).
        case unknownEscape
    }

    /// Reads the rest of a quoted text from `rest` (just past its opening quote), moving past
    /// its closing quote. An escape not in `escapes` is refused (`strict`) or kept as written.
    static func read(_ rest: inout Substring, escapes: [Character: Character], strict: Bool) -> Result<String, Failure> {
        var text = ""
        while let c = rest.first {
            rest = rest.dropFirst()
            if c == "\"" { return .success(text) }
            guard c == "\\", let next = rest.first else {
                text.append(c)
                continue
            }
            if let meaning = escapes[next] {
                text.append(meaning)
                rest = rest.dropFirst()
            } else if strict {
                return .failure(.unknownEscape)
            } else {
                text.append(c)
            }
        }
        return .failure(.notClosed)
    }
}
