import Testing

@testable import PlexusMigration

/// `body` throws a MigrationError whose text starts with `message` (file, line and reason).
func expectError(_ message: String, _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        try body()
        Issue.record("no error; expected \(message)", sourceLocation: sourceLocation)
    } catch let error as MigrationError {
        #expect("\(error)".hasPrefix(message), "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("not a MigrationError: \(error)", sourceLocation: sourceLocation)
    }
}
