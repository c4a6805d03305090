import Synchronization
import TracebenchRedis

/// A connection to a multi-host run's control Redis that survives the server's restart: a command that fails on a
/// broken connection opens a new one and is sent once more. Commands the control plane repeats are harmless twice
/// (SET, HSET, reads) or refused the second time by the coordinator (an interval report, by share and interval).
final class ControlConnection: Sendable {
    let url: RedisURL
    private let current: Mutex<RedisConnection?>

    /// Connects now: a control Redis unreachable at the start is an error to report, not to retry.
    init(url: RedisURL) throws(RedisError) {
        self.url = url
        current = Mutex(try RedisConnection(url: url))
    }

    /// Sends one command (reconnecting once if the connection broke) and returns its reply.
    func command(_ arguments: [String]) throws(RedisError) -> RedisReply {
        let connection = try connected()
        do {
            return try connection.command(arguments)
        } catch {
            current.withLock { if $0 === connection { $0 = nil } }
            return try connected().command(arguments)
        }
    }

    /// The server's clock (`TIME`), µs since the epoch.
    func serverTimeMicros() throws(RedisError) -> Int64 {
        let reply = try command(["TIME"]).orThrow()
        guard let parts = reply.array, parts.count == 2, let seconds = parts[0].int, let micros = parts[1].int else {
            throw .server("TIME answered \(reply), not [seconds, microseconds]")
        }
        return seconds * 1_000_000 + micros
    }

    /// One stream entry of an XREAD, XREADGROUP or XAUTOCLAIM reply (`[id, [field, value, …]]`) as its id and fields.
    static func streamEntry(_ entry: RedisReply) -> (id: String, fields: [String: String])? {
        guard let parts = entry.array, parts.count == 2, let id = parts[0].string, let values = parts[1].array else { return nil }
        var fields: [String: String] = [:]
        for pair in stride(from: 0, to: values.count - 1, by: 2) {
            if let key = values[pair].string, let value = values[pair + 1].string { fields[key] = value }
        }
        return (id, fields)
    }

    private func connected() throws(RedisError) -> RedisConnection {
        if let connection = current.withLock({ $0 }) { return connection }
        let fresh = try RedisConnection(url: url)
        current.withLock { $0 = fresh }
        return fresh
    }
}
