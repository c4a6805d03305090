import Testing
@testable import TracebenchRedis

/// The libhiredis client against a real redis-server started on a free loopback port.
@Suite("Redis client (real redis-server)", .serialized)
struct RedisClientTests {
    let server: RedisServer

    init() throws {
        server = try RedisServer()
    }

    @Test func pingAndBinarySafeStrings() throws {
        let connection = try RedisConnection(url: server.url)
        #expect(try connection.command(["PING"]) == .status("PONG"))
        let value: [UInt8] = [0, 13, 10, 255, 36, 0, 42]
        #expect(try connection.command(bytes: [Array("SET".utf8), Array("bin".utf8), value]) == .status("OK"))
        #expect(try connection.command(["GET", "bin"]) == .bulk(value))
        #expect(try connection.command(["GET", "missing"]) == .null)
    }

    @Test func pipelineKeepsOrderAndMapsEveryReplyType() throws {
        let connection = try RedisConnection(url: server.url)
        let replies = try connection.pipeline([
            ["DEL", "h", "z"],
            ["HSET", "h", "a", "1", "b", "two"],
            ["ZADD", "z", "5", "low", "9", "high"],
            ["ZPOPMAX", "z"],
            ["HGETALL", "h"],
            ["INCR", "h"],
        ])
        #expect(replies.count == 6)
        #expect(replies[1] == .integer(2))
        #expect(replies[3] == .array([.bulk(Array("high".utf8)), .bulk(Array("9".utf8))]))
        #expect(replies[4].hash == ["a": "1", "b": "two"])
        guard case .error(let message) = replies[5] else {
            Issue.record("expected an error reply, got \(replies[5])")
            return
        }
        #expect(message.contains("WRONGTYPE"))
        #expect(throws: RedisError.self) { try replies[5].orThrow() }
    }

    @Test func blockingPopTimesOutWithNull() throws {
        let connection = try RedisConnection(url: server.url)
        #expect(try connection.command(["BZPOPMAX", "empty-queue", "0.05"]) == .null)
    }

    @Test func passwordIsSentAndNeverPrinted() throws {
        let admin = try RedisConnection(url: server.url)
        try admin.command(["CONFIG", "SET", "requirepass", "s3cret"]).orThrow()
        defer { _ = try? RedisConnection(url: RedisURL(host: "127.0.0.1", port: server.url.port, password: "s3cret")).command(["CONFIG", "SET", "requirepass", ""]) }
        let url = try RedisURL(parsing: "redis://:s3cret@127.0.0.1:\(server.url.port)/2")
        #expect(url.password == "s3cret" && url.database == 2)
        #expect(!url.description.contains("s3cret"))
        #expect(!url.redacted.contains("s3cret"))
        let authed = try RedisConnection(url: url)
        #expect(try authed.command(["PING"]) == .status("PONG"))
        #expect(throws: RedisError.self) { try RedisConnection(url: RedisURL(host: "127.0.0.1", port: server.url.port, password: "wrong")) }
    }

    @Test func connectionErrorsAreThrown() throws {
        let closedPort = FreePort.loopback()
        #expect(throws: RedisError.self) { try RedisConnection(url: RedisURL(host: "127.0.0.1", port: closedPort), timeoutSeconds: 1) }
    }

    @Test func aDeadServerTurnsIntoIOErrors() throws {
        let own = try RedisServer()
        let connection = try RedisConnection(url: own.url)
        #expect(try connection.command(["PING"]) == .status("PONG"))
        own.stop()
        #expect(throws: RedisError.self) { try connection.command(["PING"]) }
        // Once broken, the connection fails fast.
        #expect(throws: RedisError.self) { try connection.command(["PING"]) }
    }

    @Test(arguments: [
        ("redis://127.0.0.1:6380", "127.0.0.1", 6380, 0),
        ("redis://:pw@10.0.0.1:6379/3", "10.0.0.1", 6379, 3),
        ("redis://localhost:1/0", "localhost", 1, 0),
    ])
    func urlsParse(text: String, host: String, port: Int, db: Int) throws {
        let url = try RedisURL(parsing: text)
        #expect(url.host == host && url.port == port && url.database == db)
    }

    @Test func tlsAndGarbageAreRejectedClearly() {
        #expect(throws: RedisError.badURL("rediss:// (TLS) is not supported: hiredis 0.14 has no TLS")) {
            try RedisURL(parsing: "rediss://host:6379")
        }
        #expect(throws: RedisError.self) { try RedisURL(parsing: "http://host:6379") }
        #expect(throws: RedisError.self) { try RedisURL(parsing: "redis://host:99999") }
        #expect(RedisURL.redact("redis://:hunter2@h:1/0") == "redis://:<redacted>@h:1/0")
    }
}
