import TracebenchPipeline
import TracebenchScenario

/// What the coordinator tells every agent of one multi-host run, stored as JSON under ``ControlKeys/spec``: the
/// scenario (every agent computes the same schedule from it), the system's placeholder values the coordinator filled
/// in, and the shares' weights. Agents never read the scenario file: they run what the coordinator runs.
struct AgentRunSpec: Codable, Sendable {
    var runID: String
    var scenario: Scenario
    var values: [String: String]
    /// With roles [workers]: the configuration the coordinator's own workers read (the pipeline's Redis, the endpoint
    /// its spans go to); each agent's workers read the same.
    var child: ChildConfiguration?

    var agents: AgentsSpec { scenario.agents ?? AgentsSpec(count: 1, control: "") }
    /// Whether agents run workers (else they offer load).
    var runsWorkers: Bool { agents.roles.contains(.workers) }

    /// The worker index of an agent's `worker`-th worker process (worker ids stay unique across hosts: the
    /// coordinator's are 0, 1, …; share `s`'s start at 1000 · (s + 1)).
    static func workerIndex(share: Int, worker: Int) -> Int { 1000 * (share + 1) + worker }

    /// The schedule, its shares and every share's intervals, as every host computes them.
    var schedule: ArrivalSchedule { ArrivalSchedule(load: scenario.load, durationSeconds: scenario.durationSeconds, seed: scenario.seed) }
    var shares: ScheduleShares? { ScheduleShares(weights: agents.weights) }
    var intervalCount: Int { max(1, Int((scenario.durationSeconds / agents.intervalSeconds).rounded(.up))) }

    /// Share `share` of `schedule` accounted by interval.
    func intervals(of share: Int, in schedule: ArrivalSchedule) -> ShareIntervals {
        ShareIntervals(share: shares?.indices(of: share, in: schedule) ?? [], offsetsNanos: schedule.offsetsNanos,
                       widthSeconds: agents.intervalSeconds, intervals: intervalCount)
    }
}
