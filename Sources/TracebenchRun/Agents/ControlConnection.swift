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

    private func connected() throws(RedisError) -> RedisConnection {
        if let connection = current.withLock({ $0 }) { return connection }
        let fresh = try RedisConnection(url: url)
        current.withLock { $0 = fresh }
        return fresh
    }
}
