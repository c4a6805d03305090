import TracebenchRedis

/// The Redis operations of the job queue: submit (HSET + ZADD in one round trip), claim (ZPOPMAX or BZPOPMAX,
/// then HGETALL) and finish (HSET result + PUBLISH progress + INCR the finished counter + XADD to the finished
/// stream, in one round trip).
public struct JobQueue: Sendable {
    public let connection: RedisConnection
    /// The counter ``finish(id:status:fields:)`` increments.
    public let finishedCounter: String
    /// The stream ``finish(id:status:fields:)`` announces each finished job on.
    public let finishedStream: String

    public init(connection: RedisConnection, runID: String = "") {
        self.connection = connection
        finishedCounter = JobKeys.finishedCounter(runID: runID)
        finishedStream = JobKeys.finishedStream(runID: runID)
    }

    /// Stores the job hash and queues its id by priority.
    public func submit(id: String, priority: Int, fields: [(String, String)]) throws(RedisError) {
        var hset = ["HSET", JobKeys.job(id)]
        hset.reserveCapacity(2 + fields.count * 2)
        for (key, value) in fields {
            hset.append(key)
            hset.append(value)
        }
        let replies = try connection.pipeline([hset, ["ZADD", JobKeys.pending, String(priority), id]])
        for reply in replies { try reply.orThrow() }
    }

    /// Takes the highest-priority job: non-blocking ZPOPMAX when `blockSeconds` is 0, else BZPOPMAX waiting up to
    /// that long. Returns the job's fields, or nil when the queue stayed empty.
    public func claim(blockSeconds: Double) throws(RedisError) -> (id: String, fields: [String: String])? {
        let popped: RedisReply
        let id: String?
        if blockSeconds > 0 {
            popped = try connection.command(["BZPOPMAX", JobKeys.pending, String(blockSeconds)]).orThrow()
            // [key, member, score] or null on timeout.
            id = popped.array.flatMap { $0.count == 3 ? $0[1].string : nil }
        } else {
            popped = try connection.command(["ZPOPMAX", JobKeys.pending]).orThrow()
            id = popped.array.flatMap { $0.count == 2 ? $0[0].string : nil }
        }
        guard let id else { return nil }
        let fields = try connection.command(["HGETALL", JobKeys.job(id)]).orThrow().hash ?? [:]
        return (id, fields)
    }

    /// Writes the job's outcome, publishes a progress event, counts it as finished and announces it on the run's
    /// finished stream.
    public func finish(id: String, status: String, fields: [(String, String)]) throws(RedisError) {
        var hset = ["HSET", JobKeys.job(id), JobKeys.Field.status, status]
        for (key, value) in fields {
            hset.append(key)
            hset.append(value)
        }
        let replies = try connection.pipeline([
            hset,
            ["PUBLISH", JobKeys.progressChannel, "\(id) \(status)"],
            ["INCR", finishedCounter],
            ["XADD", finishedStream, "*", "id", id],
        ])
        for reply in replies { try reply.orThrow() }
    }
}
