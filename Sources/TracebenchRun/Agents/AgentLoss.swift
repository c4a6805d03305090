import TracebenchRedis
import TracebenchScenario

/// Agent loss in a multi-host run (issue 15): every agent renews a heartbeat key with a short expiry every second,
/// holding the last interval it reported; an agent whose key expired is lost. Its share's arrivals after its last
/// reported interval were not offered — counted exactly from the schedule, since every host computes the same one —
/// and the ones it sent without reporting an outcome are unknown.
struct AgentLoss: Sendable {
    let connection: ControlConnection
    let keys: ControlKeys
    /// How long a heartbeat lives without renewal (3 s: three missed beats).
    var expiry: Duration = .seconds(3)

    /// An agent: renews its heartbeat, saying which interval it reported last (-1: none yet) and how many of its
    /// share's arrivals it had dispatched or dropped.
    func beat(agent: String, lastInterval: Int, dispatched: Int = 0) throws(RedisError) {
        try connection.command(["SET", keys.heartbeat(agent: agent), "\(lastInterval) \(dispatched)", "PX", String(Int64(expiry / .milliseconds(1)))]).orThrow()
    }

    /// The coordinator: an agent's last heartbeat (nil: expired, or never beat).
    func lastBeat(agent: String) throws(RedisError) -> (lastInterval: Int, dispatched: Int)? {
        guard let text = try connection.command(["GET", keys.heartbeat(agent: agent)]).orThrow().string else { return nil }
        let parts = text.split(separator: " ").compactMap { Int($0) }
        return (parts.first ?? -1, parts.count > 1 ? parts[1] : 0)
    }

    /// The coordinator: the agents among `agents` whose heartbeat expired.
    func lost(among agents: [String]) throws(RedisError) -> [String] {
        var lost: [String] = []
        for agent in agents where try connection.command(["EXISTS", keys.heartbeat(agent: agent)]).orThrow().int != 1 {
            lost.append(agent)
        }
        return lost
    }

    /// The arrivals of `share` intended after interval `lastReported` (intervals of `intervalSeconds` from the start):
    /// what a share lost after that interval did not offer.
    static func notOffered(share: Int, of shares: ScheduleShares, in schedule: ArrivalSchedule, lastReported: Int, intervalSeconds: Double) -> Int {
        let cut = UInt64(max(0, Double(lastReported + 1) * intervalSeconds * 1e9))
        return shares.indices(of: share, in: schedule).count { schedule.offsetsNanos[$0] >= cut }
    }
}
