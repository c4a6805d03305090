import Synchronization

/// A fixed set of connections handed out round-robin, so concurrent callers rarely wait on one connection's lock.
public final class RedisPool: Sendable {
    private let connections: [RedisConnection]
    private let nextIndex = Atomic<Int>(0)

    /// Opens `size` connections to `url`.
    public init(url: RedisURL, size: Int) throws(RedisError) {
        var opened: [RedisConnection] = []
        for _ in 0..<max(1, size) { opened.append(try RedisConnection(url: url)) }
        connections = opened
    }

    /// The next connection in turn.
    public func connection() -> RedisConnection {
        let index = nextIndex.add(1, ordering: .relaxed).oldValue
        return connections[index % connections.count]
    }

    /// Closes every connection.
    public func close() {
        connections.forEach { $0.close() }
    }
}
