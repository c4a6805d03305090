/// A Redis reply, mapped from hiredis's `redisReply` into plain Swift values.
public enum RedisReply: Sendable, Equatable {
    case status(String)
    case error(String)
    case integer(Int64)
    /// A bulk string, binary-safe.
    case bulk([UInt8])
    case null
    case array([RedisReply])

    /// The reply as text: bulk strings and status replies; nil otherwise.
    public var string: String? {
        switch self {
        case .bulk(let bytes): String(decoding: bytes, as: UTF8.self)
        case .status(let text): text
        default: nil
        }
    }

    /// The reply as an integer: integer replies and bulk strings holding a decimal number.
    public var int: Int64? {
        switch self {
        case .integer(let value): value
        case .bulk: string.flatMap { Int64($0) }
        default: nil
        }
    }

    /// The elements of an array reply (empty for null).
    public var array: [RedisReply]? {
        switch self {
        case .array(let elements): elements
        case .null: []
        default: nil
        }
    }

    /// An `HGETALL` reply as a dictionary of text fields.
    public var hash: [String: String]? {
        guard let elements = array else { return nil }
        var result: [String: String] = [:]
        result.reserveCapacity(elements.count / 2)
        var index = 0
        while index + 1 < elements.count {
            if let key = elements[index].string, let value = elements[index + 1].string { result[key] = value }
            index += 2
        }
        return result
    }

    /// Throws ``RedisError/server(_:)`` when this is an error reply; returns self otherwise.
    @discardableResult
    public func orThrow() throws(RedisError) -> RedisReply {
        if case .error(let message) = self { throw .server(message) }
        return self
    }
}

/// Everything that can go wrong talking to Redis.
public enum RedisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Could not connect (refused, timed out, unknown host).
    case connection(String)
    /// The connection broke during a command (EOF, reset, timeout).
    case io(String)
    /// The server answered with an error reply.
    case server(String)
    /// A `redis://` URL that cannot be used.
    case badURL(String)
    /// Starting a private redis-server failed.
    case launch(String)

    public var description: String {
        switch self {
        case .connection(let m): "cannot connect to Redis: \(m)"
        case .io(let m): "Redis connection failed: \(m)"
        case .server(let m): "Redis error reply: \(m)"
        case .badURL(let m): "bad Redis URL: \(m)"
        case .launch(let m): "cannot start redis-server: \(m)"
        }
    }
}
