import Synchronization
import Testing

@testable import PlexusArchive

/// The archive's job thread: started by its first job, jobs in order, queued jobs finished by
/// a stop, nothing accepted after it.
@Suite struct ArchiveThreadTests {
    @Test func aThreadWithoutJobsIsNeverStartedAndStopsAtOnce() async {
        let thread = ArchiveThread(name: "idle")
        #expect(!thread.isStarted)
        await thread.stop()
        #expect(!thread.isStarted)
        #expect(!thread.submit {}, "a stopped thread takes no job")
        #expect(!thread.isStarted)
    }

    @Test func theFirstJobStartsItAndAStopFinishesWhatIsQueued() async throws {
        let thread = ArchiveThread(name: "jobs")
        let order = Mutex<[Int]>([])
        #expect(try await thread.run { 0 } == 0)
        #expect(thread.isStarted)
        for i in 1...100 { #expect(thread.submit { order.withLock { $0.append(i) } }) }
        await thread.stop()
        #expect(order.withLock { $0 } == Array(1...100))
        await #expect(throws: RRDError.self) { try await thread.run { 1 } }
    }
}
