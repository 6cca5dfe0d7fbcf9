extension ConfuseOption {
    /// The value as written (the first of a list).
    var text: String { values.first?.text ?? "" }

    /// As it stood in the file, for the comments that carry it over: `name = value`.
    var written: String {
        let shown = values.map { $0.quoted ? TOMLText.string($0.text) : $0.text }
        return "\(name) = " + (values.count == 1 ? shown[0] : "{ " + shown.joined(separator: ", ") + " }")
    }

    func error(_ reason: String) -> MigrationError {
        MigrationError(file: place.file, line: place.line, reason: "\(name): \(reason)")
    }

    /// libconfuse's booleans: yes/no, true/false, on/off, any case.
    func bool() throws(MigrationError) -> Bool {
        switch text.lowercased() {
        case "yes", "true", "on", "1": return true
        case "no", "false", "off", "0": return false
        default: throw error("expected yes or no, found \(text.debugDescription)")
        }
    }

    func integer() throws(MigrationError) -> Int {
        guard let value = Int(text.trimmingBlanks) ?? Double(text.trimmingBlanks).flatMap({ $0 == $0.rounded() ? Int(exactly: $0) : nil }) else {
            throw error("expected an integer, found \(text.debugDescription)")
        }
        return value
    }

    func number() throws(MigrationError) -> Double {
        guard let value = Double(text.trimmingBlanks), value.isFinite else { throw error("expected a number, found \(text.debugDescription)") }
        return value
    }
}

extension String {
    var trimmingBlanks: Substring {
        let start = firstIndex { $0 != " " && $0 != "\t" } ?? endIndex
        let end = lastIndex { $0 != " " && $0 != "\t" }.map { index(after: $0) } ?? start
        return self[start..<max(start, end)]
    }
}
