import Foundation
import TracebenchRun
import TracebenchScenario

/// How many whole systems the test suite runs at once.
///
/// Every run a test starts (a Redis, an API, workers, a sink, perhaps a collector or a Python pipeline, and the
/// coordinator inside the test process) takes a permit first. Without a bound, each `.serialized` suite ran one at the
/// same time as every other (some fifteen on 2 cores): processes got a fraction of a core, exporters and sinks fell
/// seconds behind, and known answers about "nothing late, nothing lost" failed for the machine, not the code.
/// `TRACEBENCH_TEST_SYSTEMS` sets the bound (default 3: the cores plus one, as runs also sleep).
actor SystemRunGate {
    static let shared = SystemRunGate(permits: ProcessInfo.processInfo.environment["TRACEBENCH_TEST_SYSTEMS"].flatMap { Int($0) }.map { max(1, $0) } ?? 3)

    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(permits: Int) { free = permits }

    /// Runs `body` holding a permit (waiting, first come first served, until one is free).
    nonisolated func withPermit<T: Sendable, E: Error>(_ body: () async throws(E) -> T) async throws(E) -> T {
        await acquire()
        let result: Result<T, E>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        await release()
        return try result.get()
    }

    private func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
    }
}

extension TestSupport {
    /// `RunCoordinator.run` holding a ``SystemRunGate`` permit: how every test runs a whole system.
    static func runSystem(scenario: Scenario, options: RunOptions) async throws(RunFailure) -> RunOutcome {
        try await SystemRunGate.shared.withPermit { () async throws(RunFailure) -> RunOutcome in try await RunCoordinator.run(scenario: scenario, options: options) }
    }
}
