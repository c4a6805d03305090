import Synchronization
import TracebenchMeasure
import TracebenchProcess
import TracebenchRedis
import TracebenchResults

/// Redis watched during the load: every 250 ms it reads the run's finished-jobs counter (for the progress line and
/// thresholds, which read ``finished`` instead of asking Redis themselves); the first failed read stops the load
/// generator — load offered into a dead Redis measures nothing — and fails the run with a `component_failed` problem.
/// Each read runs on a thread of its own: a frozen Redis holds it for the connection's 5 s timeout, never a thread of
/// the cooperative pool the sink answers from.
final class RedisWatch: Sendable {
    let control: RedisConnection
    let counter: String
    private let finishedCount = Mutex(0)

    init(control: RedisConnection, counter: String) {
        self.control = control
        self.counter = counter
    }

    /// Jobs finished at the last read.
    var finished: Int { finishedCount.withLock { $0 } }

    func run(startMicros: Int64, stop: StopSignal) async {
        while !Task.isCancelled, !stop.isRaised {
            try? await Task.sleep(for: .milliseconds(250))
            if Task.isCancelled { return }
            do {
                let count = try await Self.finished(control, counter)
                finishedCount.withLock { $0 = count }
            } catch {
                let elapsed = Double(WallClock.nowMicros() - startMicros) / 1e6
                stop.abort(.componentFailed, because: String(format: "Redis stopped answering %.1f s into the load (%@): the load was stopped", elapsed, "\(error)"))
                return
            }
        }
    }

    /// The counter's value (0 before the first job finished), read on a thread of its own.
    static func finished(_ control: RedisConnection, _ counter: String) async throws(RedisError) -> Int {
        try await OwnThread.run(throwing: { () throws(RedisError) -> Int in Int(try control.command(["GET", counter]).orThrow().int ?? 0) })
    }
}
