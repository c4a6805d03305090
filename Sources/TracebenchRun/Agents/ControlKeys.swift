/// The control Redis's keys for one multi-host run (issue 15), all under the hash tag `{tb:<run>}` so that on a Redis
/// Cluster they live in one slot and a transaction or script may touch several. Never the system under test's keys.
struct ControlKeys: Sendable, Equatable {
    /// The run id (braces, which would end the hash tag early, are replaced).
    let run: String

    init(run: String) {
        self.run = String(run.map { $0 == "{" || $0 == "}" ? "_" : $0 })
    }

    var tag: String { "{tb:\(run)}" }
    /// The stream of shares (one entry each), read by the ``group`` consumer group.
    var shares: String { "\(tag):shares" }
    /// The consumer group of agents on ``shares``.
    var group: String { "agents" }
    /// The stream of per-interval reports from every agent.
    var intervals: String { "\(tag):intervals" }
    /// The armed agents: name → "offset uncertainty samples" (µs).
    var armed: String { "\(tag):armed" }
    /// Where each agent ran: name → "share hostname cores offset uncertainty" (µs), written when it starts.
    var hosts: String { "\(tag):hosts" }
    /// The run's start on the control clock (µs since the epoch), once every agent armed.
    var start: String { "\(tag):t0" }
    /// What the run is (``AgentRunSpec`` as JSON), written by the coordinator before anything else.
    var spec: String { "\(tag):spec" }
    /// Set by the coordinator when the run is stopped (SIGINT, a threshold's abort): agents stop offering.
    var stop: String { "\(tag):stop" }
    /// The coordinator's own heartbeat: agents stop when it expires.
    var coordinator: String { heartbeat(agent: "~coordinator") }
    /// The run's keys that stay until they expire (heartbeats expire by themselves).
    var runKeys: [String] { [spec, shares, intervals, armed, start, hosts, stop] }
    /// The run agents should join now (its id), outside any run's tag: where an idle agent looks.
    static let current = "{tb}:current"
    /// An agent's heartbeat (a key with a short expiry, renewed every second).
    func heartbeat(agent: String) -> String { "\(tag):hb:\(agent)" }
}
