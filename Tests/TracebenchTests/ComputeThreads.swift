import Foundation
import Testing

/// Threads of the test process's own for suites that only compute (parsers, statistics, reports, encoders): their
/// tests run here, not on Swift's cooperative pool.
///
/// That pool has one thread per core — two on the reference machine. Synchronous tests that compute for seconds in a
/// debug build (a report rendered for every fixture, a bootstrap over thousands of resamples, a schema property over
/// every key) held both of its threads for 36–48 s at the start of the parallel phase, and every whole-system run in
/// the same process stood still meanwhile: its readiness polls, drains and deadlines are tasks on that pool, so a
/// black-box target "was not ready within 60 s" without having been polled. On threads of their own, the computing
/// tests share the CPUs with the runs (the kernel is fair to threads) instead of taking the pool from them.
///
/// `@unchecked Sendable`: `jobs` is read and written only under `condition`'s lock.
final class ComputeThreads: TaskExecutor, @unchecked Sendable {
    static let shared = ComputeThreads(count: 4)

    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    private init(count: Int) {
        for index in 0..<count {
            let thread = Thread { self.work() }
            thread.name = "test-compute-\(index)"
            thread.start()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}

/// A suite trait: its tests run on ``ComputeThreads`` (for suites that start no servers and read no clocks — those stay
/// on the cooperative pool, where a run's own tasks are).
struct ComputeOnly: SuiteTrait, TestTrait, TestScoping {
    var isRecursive: Bool { true }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        try await withTaskExecutorPreference(ComputeThreads.shared) { try await function() }
    }
}

extension Trait where Self == ComputeOnly {
    /// Runs the suite's tests on ``ComputeThreads``.
    static var computeOnly: Self { ComputeOnly() }
}
