import Logging
import PlexusArchive
import PlexusTransport

/// The archive writer's reports as log lines, rate-limited by kind (`ThrottledLog`): a full
/// disk failing 100,000 writes a minute is one line a minute per kind of failure, with the
/// file, the system's reason and errno, and how many more there were; and one line when writes
/// succeed again.
public enum ArchiveLog {
    public static func reporter(_ log: ThrottledLog) -> @Sendable (ArchiveWriter.Report) -> Void {
        { report in
            switch report {
            case .failed(let error, let values):
                log.log(
                    .error, "archive writes failing (\(error.source))", detail: error.message,
                    metadata: ["file": "\(ThrottledLog.cut(error.path ?? "-"))", "values": "\(values)"])
            case .recovered(let failures, let since):
                log.log(.notice, "archive writes succeed again", detail: "\(failures) values failed since \(since) (unix time)")
            case .seriesRefused(let subject, let reason):
                log.log(.warning, "new series refused a file", detail: reason, metadata: ["series": "\(ThrottledLog.cut(subject))"])
            case .rrdcachedUnreachable(let error):
                log.log(.warning, "rrdcached unreachable; samples wait for it", detail: error.description)
            case .rrdcachedBack:
                log.log(.notice, "rrdcached answers again", detail: "")
            }
        }
    }
}
