import Testing
import TracebenchPipeline
@testable import TracebenchRedis

/// The auto-pipelining connection and the job queue's batched claims, against a real redis-server.
@Suite("Pipelined Redis and batched claims (real redis-server)", .serialized)
struct PipelinedRedisTests {
    let server: RedisServer

    init() throws {
        server = try RedisServer()
    }

    /// Many concurrent callers: each gets its own replies, in its own order, and they shared round trips.
    @Test func concurrentCallsGetTheirOwnRepliesInOrder() async throws {
        let redis = try PipelinedRedis(url: server.url)
        defer { redis.close() }
        let calls = 500
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<calls {
                group.addTask {
                    let replies = try await redis.pipeline([["INCR", "shared"], ["SET", "own:\(i)", "\(i)"], ["GET", "own:\(i)"]])
                    #expect(replies.count == 3)
                    #expect(replies[1] == .status("OK"))
                    #expect(replies[2].string == "\(i)")
                }
            }
            try await group.waitForAll()
        }
        let total = try await redis.pipeline([["GET", "shared"]])
        #expect(total[0].string == "\(calls)")
        #expect(redis.roundTrips < calls, "500 overlapping calls should share round trips, took \(redis.roundTrips)")
        // Error replies are returned to their caller, not thrown, and do not disturb the others.
        let mixed = try await redis.pipeline([["INCR", "own:1"], ["HGET", "own:1", "x"], ["PING"]])
        #expect(mixed[0] == .integer(2))
        if case .error = mixed[1] {} else { Issue.record("expected WRONGTYPE, got \(mixed[1])") }
        #expect(mixed[2] == .status("PONG"))
    }

    /// A dead server or a closed connection fails calls with an error, never a hang.
    @Test func deadServerAndClosedConnectionThrow() async throws {
        let doomed = try RedisServer()
        let redis = try PipelinedRedis(url: doomed.url)
        _ = try await redis.pipeline([["PING"]])
        doomed.stop()
        await #expect(throws: RedisError.self) { try await redis.pipeline([["PING"]]) }
        await #expect(throws: RedisError.self) { try await redis.pipeline([["PING"]]) }
        redis.close()
        let closed = try PipelinedRedis(url: server.url)
        closed.close()
        await #expect(throws: RedisError.self) { try await closed.pipeline([["PING"]]) }
    }

    /// Claims take up to the free slots in priority order in one ZPOPMAX, block for one when the queue is empty, and
    /// return each job's hash; submit and finish write what the coordinator reads.
    @Test func batchedClaimsTakeUpToTheFreeSlotsInPriorityOrder() async throws {
        let redis = try PipelinedRedis(url: server.url)
        defer { redis.close() }
        let connection = try RedisConnection(url: server.url)
        defer { connection.close() }
        let queue = JobQueue(runID: "claims")
        let other = JobQueue(runID: "another-run")
        try await other.submit(id: "theirs", priority: 100, fields: [(JobKeys.Field.id, "theirs")], on: redis)
        for (index, priority) in [3, 9, 1, 7, 5].enumerated() {
            try await queue.submit(id: "j\(index)", priority: priority, fields: [(JobKeys.Field.id, "j\(index)")], on: redis)
        }
        let first = try queue.claim(upTo: 3, blockSeconds: 0, on: connection)
        #expect(first.map(\.id) == ["j1", "j3", "j4"])
        #expect(first.map { $0.fields[JobKeys.Field.id] } == ["j1", "j3", "j4"])
        let rest = try queue.claim(upTo: 10, blockSeconds: 0, on: connection)
        #expect(rest.map(\.id) == ["j0", "j2"])
        let none = try queue.claim(upTo: 4, blockSeconds: 0.05, on: connection)
        #expect(none.isEmpty, "another run's queued job is never claimed")
        #expect(try other.claim(upTo: 4, blockSeconds: 0, on: connection).map(\.id) == ["theirs"])
        try await queue.finish(id: "j1", status: "completed", fields: [("worker_id", "w")], on: redis)
        #expect(try connection.command(["HGET", JobKeys.job("j1"), JobKeys.Field.status]).string == "completed")
        #expect(try connection.command(["GET", queue.finishedCounter]).string == "1")
        #expect(try connection.command(["XLEN", queue.finishedStream]) == .integer(1))
    }
}
