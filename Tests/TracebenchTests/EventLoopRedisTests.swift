import Foundation
import Testing
import TracebenchPipeline
@testable import TracebenchRedis

/// The event-loop Redis connection (NIO sockets, hiredis's reply reader) and the job queue's batched claims, against a
/// real redis-server.
@Suite("Event-loop Redis and batched claims (real redis-server)", .serialized)
struct EventLoopRedisTests {
    let server: RedisServer

    init() throws {
        server = try RedisServer()
    }

    /// Many concurrent callers: each gets its own replies, in its own order, whatever the loop they run on.
    @Test func concurrentCallsGetTheirOwnRepliesInOrder() async throws {
        let redis = try await EventLoopRedisPool.connect(url: server.url)
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
        // Error replies are returned to their caller, not thrown, and do not disturb the others.
        let mixed = try await redis.pipeline([["INCR", "own:1"], ["HGET", "own:1", "x"], ["PING"]])
        #expect(mixed[0] == .integer(2))
        if case .error = mixed[1] {} else { Issue.record("expected WRONGTYPE, got \(mixed[1])") }
        #expect(mixed[2] == .status("PONG"))
    }

    /// The URL's password and database are applied on every loop's connection; a wrong password is refused.
    @Test func passwordAndDatabaseFromTheURL() async throws {
        let admin = try RedisConnection(url: server.url)
        try admin.command(["CONFIG", "SET", "requirepass", "s3cret"]).orThrow()
        defer { _ = try? RedisConnection(url: RedisURL(host: "127.0.0.1", port: server.url.port, password: "s3cret")).command(["CONFIG", "SET", "requirepass", ""]) }
        let redis = try await EventLoopRedisPool.connect(url: try RedisURL(parsing: "redis://:s3cret@127.0.0.1:\(server.url.port)/3"))
        defer { redis.close() }
        _ = try await redis.pipeline([["SET", "where", "db3"]])
        let check = try RedisConnection(url: try RedisURL(parsing: "redis://:s3cret@127.0.0.1:\(server.url.port)/3"))
        #expect(try check.command(["GET", "where"]).string == "db3")
        await #expect(throws: RedisError.self) {
            try await EventLoopRedisPool.connect(url: RedisURL(host: "127.0.0.1", port: server.url.port, password: "wrong"))
        }
    }

    /// A dead server or a closed connection fails calls with an error, never a hang.
    @Test func deadServerAndClosedConnectionThrow() async throws {
        let doomed = try RedisServer()
        let redis = try await EventLoopRedisPool.connect(url: doomed.url)
        _ = try await redis.pipeline([["PING"]])
        doomed.stop()
        await #expect(throws: RedisError.self) { try await redis.pipeline([["PING"]]) }
        await #expect(throws: RedisError.self) { try await redis.pipeline([["PING"]]) }
        redis.close()
        // A stopped server (SIGSTOP: the socket stays open, nothing answers) fails the call after the reply timeout.
        let frozen = try RedisServer()
        defer { kill(frozen.pid, SIGCONT); frozen.stop() }
        let waiting = try await EventLoopRedisPool.connect(url: frozen.url)
        kill(frozen.pid, SIGSTOP)
        let started = ContinuousClock.now
        await #expect(throws: RedisError.self) { try await waiting.pipeline([["PING"]]) }
        let waited = ContinuousClock.now - started
        #expect(waited >= .seconds(4) && waited < .seconds(8), "\(waited)")
        let closed = try await EventLoopRedisPool.connect(url: server.url)
        closed.close()
        try await Task.sleep(for: .milliseconds(50))
        await #expect(throws: RedisError.self) { try await closed.pipeline([["PING"]]) }
    }

    /// Claims take up to the free slots in priority order in one ZPOPMAX, block for one when the queue is empty, and
    /// return each job's hash; submit and finish write what the coordinator reads.
    @Test func batchedClaimsTakeUpToTheFreeSlotsInPriorityOrder() async throws {
        let redis = try await EventLoopRedisPool.connect(url: server.url)
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
