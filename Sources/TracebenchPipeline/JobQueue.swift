import TracebenchRedis

/// The Redis operations of the job queue: submit (HSET + ZADD), claim (ZPOPMAX of up to the free slots, or BZPOPMAX
/// when the queue is empty, then one HGETALL per job, pipelined) and finish (HSET result + PUBLISH progress + INCR
/// the finished counter + XADD to the finished stream). Submit and finish go through an ``EventLoopRedisPool`` (NIO writes
/// and reads; no thread blocks); claims run on the worker's own claiming thread.
public struct JobQueue: Sendable {
    /// A claimed job: its id and its hash's fields.
    public struct Claimed: Sendable {
        public let id: String
        public let fields: [String: String]
    }

    /// The run's pending queue.
    public let pending: String
    /// The counter ``finish(id:status:fields:on:)`` increments.
    public let finishedCounter: String
    /// The stream ``finish(id:status:fields:on:)`` announces each finished job on.
    public let finishedStream: String

    public init(runID: String = "") {
        pending = JobKeys.pending(runID: runID)
        finishedCounter = JobKeys.finishedCounter(runID: runID)
        finishedStream = JobKeys.finishedStream(runID: runID)
    }

    /// Stores the job hash and queues its id by priority.
    public func submit(id: String, priority: Int, fields: [(String, String)], on redis: EventLoopRedisPool) async throws(RedisError) {
        var hset = ["HSET", JobKeys.job(id)]
        hset.reserveCapacity(2 + fields.count * 2)
        for (key, value) in fields {
            hset.append(key)
            hset.append(value)
        }
        for reply in try await redis.pipeline([hset, ["ZADD", pending, String(priority), id]]) { try reply.orThrow() }
    }

    /// Takes up to `count` of the highest-priority jobs: a non-blocking ZPOPMAX, and when that finds the queue empty
    /// and `blockSeconds` > 0, a BZPOPMAX waiting up to that long for one. Returns the jobs with their fields (empty
    /// when the queue stayed empty), in priority order.
    public func claim(upTo count: Int, blockSeconds: Double, on connection: RedisConnection) throws(RedisError) -> [Claimed] {
        var ids: [String] = []
        // ZPOPMAX key count → [member, score, member, score, …].
        let popped = try connection.command(["ZPOPMAX", pending, String(max(1, count))]).orThrow().array ?? []
        for pair in stride(from: 0, to: popped.count - 1, by: 2) {
            if let id = popped[pair].string { ids.append(id) }
        }
        if ids.isEmpty && blockSeconds > 0 {
            // [key, member, score], or null on timeout.
            let blocked = try connection.command(["BZPOPMAX", pending, String(blockSeconds)]).orThrow()
            if let entry = blocked.array, entry.count == 3, let id = entry[1].string { ids.append(id) }
        }
        if ids.isEmpty { return [] }
        let hashes = try connection.pipeline(ids.map { ["HGETALL", JobKeys.job($0)] })
        var claimed: [Claimed] = []
        claimed.reserveCapacity(ids.count)
        for (id, reply) in zip(ids, hashes) {
            claimed.append(Claimed(id: id, fields: try reply.orThrow().hash ?? [:]))
        }
        return claimed
    }

    /// Writes the job's outcome, publishes a progress event, counts it as finished and announces it on the run's
    /// finished stream.
    public func finish(id: String, status: String, fields: [(String, String)], on redis: EventLoopRedisPool) async throws(RedisError) {
        var hset = ["HSET", JobKeys.job(id), JobKeys.Field.status, status]
        for (key, value) in fields {
            hset.append(key)
            hset.append(value)
        }
        let replies = try await redis.pipeline([
            hset,
            ["PUBLISH", JobKeys.progressChannel, "\(id) \(status)"],
            ["INCR", finishedCounter],
            ["XADD", finishedStream, "*", "id", id],
        ])
        for reply in replies { try reply.orThrow() }
    }
}
