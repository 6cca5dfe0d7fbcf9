import ServiceLifecycle

/// Every shortest step: the root summary of the alive sources (`__SummaryInfo__`), archived at
/// our clock and exported. Runs only when archives are written or values exported.
final class RootSummarizer: Service, Sendable {
    let store: GridStore

    init(store: GridStore) {
        self.store = store
    }

    func run() async throws {
        let step = Duration.seconds(Int(store.configuration.shortestStep))
        try? await cancelWhenGracefulShutdown {
            while true {
                try await Task.sleep(for: step)
                self.store.archiveRootSummary(now: self.store.clock())
            }
        }
    }
}
