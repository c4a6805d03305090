import TracebenchRedis

/// The shares of one schedule as entries of a Redis stream read by a consumer group (issue 15): the coordinator
/// publishes one entry per share, each agent claims one (XREADGROUP), and acknowledges it when the run starts (XACK).
/// A share claimed by an agent that went silent before the start is taken over by another (XAUTOCLAIM of an entry
/// pending longer than a minimum idle time); after the start nothing is reassigned: an acknowledged share is never
/// pending again.
struct ShareQueue: Sendable {
    /// One share as an agent holds it: the stream entry (to acknowledge) and the share's index and weight.
    struct Claim: Sendable, Equatable {
        var entryID: String
        var share: Int
        var weight: Int
    }

    let connection: ControlConnection
    let keys: ControlKeys

    /// The coordinator: creates the stream and its group and adds one entry per share of `weights`.
    func publish(weights: [Int]) throws(RedisError) {
        try connection.command(["XGROUP", "CREATE", keys.shares, keys.group, "0", "MKSTREAM"]).orThrow()
        for (share, weight) in weights.enumerated() {
            try connection.command(["XADD", keys.shares, "*", "share", String(share), "weight", String(weight)]).orThrow()
        }
    }

    /// An agent: claims the next unclaimed share, or nil when every share has been delivered.
    func claim(agent: String) throws(RedisError) -> Claim? {
        let reply = try connection.command(["XREADGROUP", "GROUP", keys.group, agent, "COUNT", "1", "STREAMS", keys.shares, ">"]).orThrow()
        // [[stream, [[id, [field, value, …]]]]] or null.
        guard let stream = reply.array?.first?.array, stream.count == 2, let entry = stream[1].array?.first else { return nil }
        return Self.claim(entry)
    }

    /// An agent: takes over a share another agent claimed and has not acknowledged for `idleMillis` (it died before the
    /// start), or nil when there is none.
    func takeOver(agent: String, idleMillis: Int) throws(RedisError) -> Claim? {
        let reply = try connection.command(["XAUTOCLAIM", keys.shares, keys.group, agent, String(idleMillis), "0", "COUNT", "1"]).orThrow()
        // [next cursor, [[id, fields]], deleted ids]
        guard let entries = reply.array, entries.count >= 2, let entry = entries[1].array?.first else { return nil }
        return Self.claim(entry)
    }

    /// An agent at the start: its share is its own for good.
    func acknowledge(_ claim: Claim) throws(RedisError) {
        try connection.command(["XACK", keys.shares, keys.group, claim.entryID]).orThrow()
    }

    private static func claim(_ entry: RedisReply) -> Claim? {
        guard let (id, values) = ControlConnection.streamEntry(entry), let share = values["share"].flatMap(Int.init),
              let weight = values["weight"].flatMap(Int.init) else { return nil }
        return Claim(entryID: id, share: share, weight: weight)
    }
}
