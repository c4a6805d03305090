import Synchronization
import TracebenchRedis

/// An agent's side of one run's liveness: renews its heartbeat every second (with its progress, from which a loss is
/// counted), and watches the coordinator's heartbeat and the run's stop key. The coordinator is lost when its key was
/// missing (or the control Redis unreachable) at ``lostAfter`` looks in a row — longer than its key's 3 s life and
/// than a control Redis restart takes; then, or when the run is stopped, ``runStop`` is raised.
final class AgentHeartbeat: Sendable {
    /// How often the heartbeat is renewed and the coordinator's looked at.
    static let period: Duration = .seconds(1)
    /// Looks in a row without the coordinator's heartbeat before it counts as lost.
    static let lostAfter = 4

    /// Raised when the agent must stop its part: the coordinator lost or the run stopped, or the agent's own stop.
    let runStop = StopSignal()
    /// Raised once the coordinator is found lost.
    private let lost = StopSignal()
    private let task = Mutex<Task<Void, Never>?>(nil)

    /// Starts beating as `agent`; `progress` gives the last interval reported and the arrivals dispatched.
    init(loss: AgentLoss, agent: String, processStop: StopSignal, progress: @escaping @Sendable () -> (lastInterval: Int, dispatched: Int)) {
        let keys = loss.keys, beats = loss.connection, runStop = runStop, lost = lost
        let beating = Task {
            var misses = 0
            while !Task.isCancelled {
                let now = progress()
                try? loss.beat(agent: agent, lastInterval: now.lastInterval, dispatched: now.dispatched)
                let coordinator = (try? beats.command(["EXISTS", keys.coordinator]).orThrow().int) ?? 0
                let stopped = (try? beats.command(["EXISTS", keys.stop]).orThrow().int) ?? 0
                misses = coordinator == 1 ? 0 : misses + 1
                if misses >= Self.lostAfter { lost.raise() }
                if misses >= Self.lostAfter || stopped == 1 || processStop.isRaised { runStop.raise() }
                try? await Task.sleep(for: Self.period)
            }
        }
        task.withLock { $0 = beating }
    }

    /// Whether the coordinator was found lost.
    var coordinatorLost: Bool { lost.isRaised }

    /// Stops beating (a last beat is the caller's).
    func end() async {
        let running = task.withLock { $0 }
        running?.cancel()
        _ = await running?.result
    }
}
