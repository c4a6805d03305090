import TracebenchRedis
import TracebenchScenario

/// The Redis a jobs run uses: the one named (`--redis`, `REDIS_URL`, `redis.url`), else a private server.
struct RedisHandle: Sendable {
    let url: RedisURL
    let server: RedisServer?
    let control: RedisConnection

    static func open(scenario: Scenario, options: RunOptions) throws(RunFailure) -> RedisHandle {
        let text = options.redisURL ?? (scenario.redis.url.isEmpty ? nil : scenario.redis.url)
        let url: RedisURL
        let server: RedisServer?
        if let text {
            // A URL that does not parse is bad input (exit 2), not a missing dependency.
            do {
                url = try RedisURL(parsing: text)
            } catch {
                throw .scenario("--redis / REDIS_URL / redis.url: \(error.description)")
            }
            server = nil
        } else {
            do {
                // Through `tracebench spawn`: the private server dies with the coordinator, even if it crashes.
                server = try RedisServer(launcher: [options.executablePath, "spawn", "--"])
            } catch {
                throw .environment(error.description)
            }
            url = server!.url
        }
        do {
            let control = try RedisConnection(url: url)
            try control.command(["PING"]).orThrow()
            return RedisHandle(url: url, server: server, control: control)
        } catch {
            server?.stop()
            throw .environment("Redis at \(url.redacted): \(error)")
        }
    }
}
