import Synchronization
import TracebenchMeasure
import TracebenchProcess
import TracebenchRedis
import TracebenchResults

/// Redis watched during the load: every 250 ms it reads the run's finished-jobs counter (for the progress line and
/// thresholds, which read ``finished`` instead of asking Redis themselves; the drain's reads keep it current after the
/// load); the first failed read during the load stops the load generator — load offered into a dead Redis measures nothing — and fails the run with a `component_failed` problem.
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
                _ = try await refresh()
            } catch {
                let elapsed = Double(WallClock.nowMicros() - startMicros) / 1e6
                stop.abort(.componentFailed, because: String(format: "Redis stopped answering %.1f s into the load (%@): the load was stopped", elapsed, "\(error)"))
                return
            }
        }
    }

    /// Reads the counter (0 before the first job finished) on a thread of its own, keeps it as ``finished`` and
    /// returns it.
    func refresh() async throws(RedisError) -> Int {
        let control = control, counter = counter
        let count = try await OwnThread.run(throwing: { () throws(RedisError) -> Int in Int(try control.command(["GET", counter]).orThrow().int ?? 0) })
        finishedCount.withLock { $0 = count }
        return count
    }
}
