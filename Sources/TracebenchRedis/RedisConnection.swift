import CHiredis
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One synchronous connection to Redis through libhiredis.
///
/// Commands are binary-safe (`redisCommandArgv`/`redisAppendCommandArgv` with explicit lengths). A connection
/// serves one caller at a time (a mutex guards the hiredis context), so share it only where commands are short;
/// open more connections for parallel work. Calls block the calling thread for one round trip.
public final class RedisConnection: Sendable {
    /// The hiredis context, only ever touched while `context`'s lock is held.
    private struct Context: ~Copyable {
        var pointer: UnsafeMutablePointer<redisContext>?
    }

    private let context: Mutex<Context>
    public let url: RedisURL

    /// Connects, authenticates and selects the database named by `url`.
    public init(url: RedisURL, timeoutSeconds: Double = 5) throws(RedisError) {
        self.url = url
        let timeout = timeval(tv_sec: Int(timeoutSeconds), tv_usec: Int((timeoutSeconds - timeoutSeconds.rounded(.down)) * 1e6))
        guard let pointer = redisConnectWithTimeout(url.host, Int32(url.port), timeout) else {
            throw .connection("out of memory creating a hiredis context")
        }
        if pointer.pointee.err != 0 {
            let message = Self.errorString(pointer)
            redisFree(pointer)
            throw .connection("\(url.host):\(url.port): \(message)")
        }
        redisSetTimeout(pointer, timeout)
        context = Mutex(Context(pointer: pointer))
        if let password = url.password {
            try command(["AUTH", password]).orThrow()
        }
        if url.database != 0 {
            try command(["SELECT", String(url.database)]).orThrow()
        }
    }

    deinit {
        context.withLock { state in
            if let pointer = state.pointer { redisFree(pointer) }
            state.pointer = nil
        }
    }

    /// Sends one command and waits for its reply. Error replies are returned, not thrown.
    public func command(_ arguments: [String]) throws(RedisError) -> RedisReply {
        try pipeline([arguments])[0]
    }

    /// Sends one binary command and waits for its reply.
    public func command(bytes arguments: [[UInt8]]) throws(RedisError) -> RedisReply {
        try pipelineBytes([arguments])[0]
    }

    /// Sends every command in one write and reads all replies in order: one round trip for the batch.
    public func pipeline(_ commands: [[String]]) throws(RedisError) -> [RedisReply] {
        try pipelineBytes(commands.map { $0.map { Array($0.utf8) } })
    }

    /// Binary-safe ``pipeline(_:)``.
    public func pipelineBytes(_ commands: [[[UInt8]]]) throws(RedisError) -> [RedisReply] {
        let result: Result<[RedisReply], RedisError> = context.withLock { state in
            guard let pointer = state.pointer else { return .failure(.io("connection is closed")) }
            for arguments in commands {
                let status = Self.append(pointer, arguments)
                if status != REDIS_OK { return .failure(.io(Self.errorString(pointer))) }
            }
            var replies: [RedisReply] = []
            replies.reserveCapacity(commands.count)
            for _ in commands {
                var raw: UnsafeMutableRawPointer?
                if redisGetReply(pointer, &raw) != REDIS_OK || raw == nil {
                    let message = Self.errorString(pointer)
                    // The connection is unusable after an I/O error: close it so later calls fail fast.
                    redisFree(pointer)
                    state.pointer = nil
                    return .failure(.io(message))
                }
                let reply = raw!.assumingMemoryBound(to: redisReply.self)
                replies.append(Self.convert(reply))
                freeReplyObject(raw)
            }
            return .success(replies)
        }
        return try result.get()
    }

    /// Closes the connection; later commands throw ``RedisError/io(_:)``.
    public func close() {
        context.withLock { state in
            if let pointer = state.pointer { redisFree(pointer) }
            state.pointer = nil
        }
    }

    private static func append(_ pointer: UnsafeMutablePointer<redisContext>, _ arguments: [[UInt8]]) -> Int32 {
        var lengths = arguments.map { $0.count }
        // Keep every argument's buffer alive for the duration of the call.
        let buffers = arguments.map { bytes -> UnsafeMutablePointer<CChar> in
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: max(bytes.count, 1))
            bytes.withUnsafeBufferPointer { source in
                source.withMemoryRebound(to: CChar.self) { chars in
                    if let base = chars.baseAddress { buffer.initialize(from: base, count: bytes.count) }
                }
            }
            return buffer
        }
        defer { buffers.forEach { $0.deallocate() } }
        var argv: [UnsafePointer<CChar>?] = buffers.map { UnsafePointer($0) }
        return argv.withUnsafeMutableBufferPointer { argvBuffer in
            lengths.withUnsafeMutableBufferPointer { lengthBuffer in
                redisAppendCommandArgv(pointer, Int32(arguments.count), argvBuffer.baseAddress, lengthBuffer.baseAddress)
            }
        }
    }

    /// A hiredis reply as a ``RedisReply`` (the caller frees the hiredis object).
    static func convert(_ reply: UnsafeMutablePointer<redisReply>) -> RedisReply {
        let value = reply.pointee
        switch value.type {
        case REDIS_REPLY_STRING:
            return .bulk(bytes(value.str, value.len))
        case REDIS_REPLY_STATUS:
            return .status(String(decoding: bytes(value.str, value.len), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            return .error(String(decoding: bytes(value.str, value.len), as: UTF8.self))
        case REDIS_REPLY_INTEGER:
            return .integer(Int64(value.integer))
        case REDIS_REPLY_ARRAY:
            var elements: [RedisReply] = []
            elements.reserveCapacity(value.elements)
            for index in 0..<value.elements {
                if let element = value.element[index] { elements.append(convert(element)) }
            }
            return .array(elements)
        default:
            return .null
        }
    }

    private static func bytes(_ pointer: UnsafeMutablePointer<CChar>?, _ length: Int) -> [UInt8] {
        guard let pointer, length > 0 else { return [] }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
    }

    private static func errorString(_ pointer: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: pointer.pointee.errstr) { raw in
            let bytes = raw.prefix { $0 != 0 }
            let text = String(decoding: bytes, as: UTF8.self)
            return text.isEmpty ? "error \(pointer.pointee.err)" : text
        }
    }
}
