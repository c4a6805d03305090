/// Several hosts offering one schedule (`agents:`, issue 15): `tracebench agent` runs on each host, the run's
/// coordinator (`tracebench run`) and the agents meet on a control Redis every host can reach, each agent offers its
/// share of the one schedule (``ScheduleShares``) from a start synchronized through that Redis's clock, and streams
/// per-interval figures the coordinator merges exactly.
public struct AgentsSpec: Codable, Sendable, Equatable {
    /// What agents do: offer their share of a target's load, or run the built-in pipeline's workers (claiming from
    /// its one queue) beside the coordinator's own, optionally each host with its own collector.
    public enum Role: String, Codable, Sendable, CaseIterable {
        case load
        case workers
        /// With `workers`: each agent host launches the scenario's `collector.launch` for its own workers, exporting to
        /// the coordinator's sink (the design document's sidecar topology).
        case collector
    }

    /// How many agents take part (each takes one share).
    public var count: Int
    /// The control Redis (`redis://[:password@]host[:port][/db]`), never the system under test's queue keys.
    public var control: String
    /// Each share's weight (`count` positive integers; default equal shares).
    public var weights: [Int]
    public var roles: [Role] = [.load]
    /// `workers` role: worker processes each agent host runs.
    public var workers = 2
    /// How long the coordinator waits for every agent to arm before the run fails.
    public var armTimeoutSeconds = 30.0
    /// Width of one reported interval (from the start, on every host's monotonic clock).
    public var intervalSeconds = 1.0
    /// The most an agent's start may be off — its clock offset's uncertainty plus its first arrival's lateness — before
    /// the run fails.
    public var startToleranceMillis = 50.0

    public init(count: Int, control: String, weights: [Int]? = nil) {
        self.count = count
        self.control = control
        self.weights = weights ?? Array(repeating: 1, count: count)
    }
}
