import TracebenchMeasure

/// The load generator's own precision: how far behind its schedule it dispatched each arrival (`load.lag`). A
/// generator that cannot keep its schedule measures itself, not the system; this says whether it did.
public struct LoadFigures: Codable, Sendable, Equatable {
    /// Intended instant → the send dispatched, per admitted arrival (µs; HdrHistogram summary and encoding). Arrivals
    /// dispatched more than 1 ms late are also counted in `jobs.late_starts`.
    public var lag: LatencySummary
    /// A multi-host run's agents (nil: this host offered the whole schedule).
    public var agents: AgentFigures?

    public init(lag: LatencySummary, agents: AgentFigures? = nil) {
        self.lag = lag
        self.agents = agents
    }

    enum CodingKeys: String, CodingKey { case lag, agents }

    /// Reads any schema version; absent keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        lag = try c(.lag, LatencyHistogram().summary())
        agents = try c.decodeIfPresent(AgentFigures.self, forKey: .agents)
    }
}
