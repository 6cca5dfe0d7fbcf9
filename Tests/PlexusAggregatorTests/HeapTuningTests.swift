import CGlibc
import Testing

@testable import PlexusAggregator

/// The allocator settings the aggregator starts with, and the operator's environment winning.
@Suite struct HeapTuningTests {
    @Test func withoutTheEnvironmentAllThreeAreSet() {
        let settings = HeapTuning.settings(environment: ["PATH": "/usr/bin"])
        #expect(settings.map(\.option) == [M_ARENA_MAX, M_MMAP_THRESHOLD, M_TRIM_THRESHOLD])
        #expect(settings.map(\.value) == [4, 4 << 20, 8 << 20])
    }

    @Test func aVariableTheOperatorSetIsLeftToGlibc() {
        let settings = HeapTuning.settings(environment: ["MALLOC_ARENA_MAX": "8", "MALLOC_TRIM_THRESHOLD_": "0"])
        #expect(settings.map(\.variable) == ["MALLOC_MMAP_THRESHOLD_"])
    }
}
