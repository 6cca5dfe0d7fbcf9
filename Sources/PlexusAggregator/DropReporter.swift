import Logging
import PlexusCore

/// Counts what a source's deliveries lost (malformed elements, cut-short documents, shadowed
/// clusters, samples the archive queue refused) and logs it at most once a minute per source.
struct DropReporter {
    private var malformed = 0
    private var truncated = 0
    private var shadowed: Set<String> = []
    private var duplicates = 0
    private var refused = 0
    private var example: String?
    private var lastLogged: ContinuousClock.Instant?
    static let interval = Duration.seconds(60)

    mutating func note(_ delivery: Delivery, _ published: GridStore.Published) {
        malformed += delivery.report.skippedCount
        if let fatal = delivery.report.fatal {
            truncated += 1
            example = example ?? "\(fatal)"
        }
        if example == nil, let first = delivery.report.skipped.first { example = "\(first)" }
        shadowed.formUnion(published.shadowed)
        duplicates += delivery.anomalies.duplicates
        refused += published.refusedSamples
    }

    /// The report's fields, when one is due at `now` (then the counts start again).
    mutating func due(now: ContinuousClock.Instant) -> Logger.Metadata? {
        guard malformed + truncated + duplicates + refused > 0 || !shadowed.isEmpty else { return nil }
        if let last = lastLogged, now - last < Self.interval { return nil }
        var metadata: Logger.Metadata = [:]
        if malformed > 0 { metadata["malformed"] = "\(malformed)" }
        if truncated > 0 { metadata["truncated"] = "\(truncated)" }
        if duplicates > 0 { metadata["duplicates"] = "\(duplicates)" }
        if refused > 0 { metadata["samples_refused"] = "\(refused)" }
        if !shadowed.isEmpty { metadata["shadowed"] = "\(shadowed.sorted().joined(separator: ","))" }
        if let example { metadata["first"] = "\(example)" }
        self = DropReporter()
        lastLogged = now
        return metadata
    }

    mutating func logIfDue(source: String, logger: Logger, now: ContinuousClock.Instant = .now) {
        guard var metadata = due(now: now) else { return }
        metadata["source"] = "\(source)"
        logger.warning("data dropped since the last report", metadata: metadata)
    }
}
