import TracebenchMeasure

/// The load generator's own precision: how far behind its schedule it dispatched each arrival (`load.lag`). A
/// generator that cannot keep its schedule measures itself, not the system; this says whether it did.
public struct LoadFigures: Codable, Sendable, Equatable {
    /// Intended instant → the send dispatched, per admitted arrival (µs; HdrHistogram summary and encoding). Arrivals
    /// dispatched more than 1 ms late are also counted in `jobs.late_starts`.
    public var lag: LatencySummary
    /// The machine's own pauses while the lanes ran: each 1 ms sleep of a thread of tracebench's own, how much longer it
    /// took, corrected for the sleeps a pause swallowed (µs), so it reads like `lag` at 1,000 arrivals a second. A lag
    /// tail the hiccups share is the machine's, not the generator's. Nil (null): not measured (an earlier version; a
    /// host that offered no arrivals itself).
    public var hiccups: LatencySummary?
    /// The kernel's steal time over the same span (s, every CPU summed): time this virtual machine was ready to run and
    /// its hypervisor ran something else. Null where the kernel does not account it.
    public var stealSeconds: Double?
    /// A multi-host run's agents (nil: this host offered the whole schedule).
    public var agents: AgentFigures?

    public init(lag: LatencySummary, hiccups: LatencySummary? = nil, stealSeconds: Double? = nil, agents: AgentFigures? = nil) {
        self.lag = lag
        self.hiccups = hiccups
        self.stealSeconds = stealSeconds
        self.agents = agents
    }

    enum CodingKeys: String, CodingKey { case lag, hiccups, stealSeconds = "steal_seconds", agents }

    /// Reads any schema version; absent keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        lag = try c(.lag, LatencyHistogram().summary())
        hiccups = try c.decodeIfPresent(LatencySummary.self, forKey: .hiccups)
        stealSeconds = try c.decodeIfPresent(Double.self, forKey: .stealSeconds)
        agents = try c.decodeIfPresent(AgentFigures.self, forKey: .agents)
    }

    /// Writes every key but `agents` (absent on a single host): `hiccups` and `steal_seconds` as null when not measured.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(lag, forKey: .lag)
        try c.encode(hiccups, forKey: .hiccups)
        try c.encode(stealSeconds, forKey: .stealSeconds)
        try c.encodeIfPresent(agents, forKey: .agents)
    }
}
