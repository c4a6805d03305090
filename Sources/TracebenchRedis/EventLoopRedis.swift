import CHiredis
import NIOCore
import NIOPosix
import Synchronization

/// A Redis connection driven by a NIO event loop: commands are written as RESP and replies parsed by libhiredis's
/// reply reader, while NIO reads and writes the socket: an async caller never blocks a thread on Redis. Every call is
/// written on the connection's loop (directly when the caller runs there) and one flush is queued behind it, so calls
/// that reach the loop before that flush runs (many requests or finishing jobs at once) share one write, and Redis reads
/// them in one go.
///
/// After the connection breaks, every pending and later call fails with ``RedisError/io(_:)``; so does a call left
/// unanswered for ``replyTimeout`` (a stopped or hung server), and the connection is closed, as hiredis does after a
/// timeout: a reply arriving later could no longer be matched to its call.
public final class EventLoopRedis: Sendable {
    /// How long a call may wait for its replies (as ``RedisConnection``'s default timeout).
    public static let replyTimeout: TimeAmount = .seconds(5)

    /// The loop the connection lives on.
    public let eventLoop: any EventLoop
    private let channel: any Channel
    /// A flush of the calls written in this tick is queued on the loop.
    private let flushQueued = Atomic<Bool>(false)

    private init(channel: any Channel) {
        self.channel = channel
        eventLoop = channel.eventLoop
    }

    /// Connects on `loop`, authenticates and selects the database `url` names.
    public static func connect(url: RedisURL, on loop: any EventLoop, timeoutSeconds: Double = 5) async throws(RedisError) -> EventLoopRedis {
        let bootstrap = ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.milliseconds(Int64(max(0.001, timeoutSeconds) * 1000)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RedisReplyHandler(replyTimeout: EventLoopRedis.replyTimeout))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: url.host, port: url.port).get()
        } catch {
            throw .connection("\(url.host):\(url.port): \(error)")
        }
        let redis = EventLoopRedis(channel: channel)
        do throws(RedisError) {
            if let password = url.password { try await redis.pipeline([["AUTH", password]])[0].orThrow() }
            if url.database != 0 { try await redis.pipeline([["SELECT", String(url.database)]])[0].orThrow() }
        } catch {
            redis.close()
            throw error
        }
        return redis
    }

    /// Sends `commands` in one write and returns their replies in order. Error replies are returned, not thrown.
    public func pipeline(_ commands: [[String]]) async throws(RedisError) -> [RedisReply] {
        var bytes = channel.allocator.buffer(capacity: commands.reduce(0) { $0 + 16 + $1.reduce(0) { $0 + $1.utf8.count + 16 } })
        for command in commands { RESP.write(command, into: &bytes) }
        let promise = eventLoop.makePromise(of: [RedisReply].self)
        // A write the handler never saw (the channel already closed) fails here; one it queued fails when the channel
        // closes. Completing a promise twice is a no-op in NIO, so either path may fail it.
        let request = RedisReplyHandler.Request(bytes: bytes, count: commands.count, promise: promise)
        if eventLoop.inEventLoop {
            write(request)
        } else {
            eventLoop.execute { [self] in write(request) }
        }
        do {
            return try await promise.futureResult.get()
        } catch let error as RedisError {
            throw error
        } catch {
            throw .io("\(error)")
        }
    }

    /// On the loop: writes one call and queues a flush unless one is already queued.
    private func write(_ request: RedisReplyHandler.Request) {
        channel.write(request).whenFailure { error in request.promise.fail(RedisError.io("\(error)")) }
        if !flushQueued.exchange(true, ordering: .relaxed) {
            eventLoop.execute { [self] in
                flushQueued.store(false, ordering: .relaxed)
                channel.flush()
            }
        }
    }

    /// Closes the connection; pending calls fail.
    public func close() {
        channel.close(promise: nil)
    }
}

/// One ``EventLoopRedis`` per event loop of a group: a caller running on one of the loops uses that loop's connection
/// (no thread hop); any other caller takes them in turn.
public final class EventLoopRedisPool: Sendable {
    private let connections: [EventLoopRedis]
    private let next = Atomic<Int>(0)

    private init(connections: [EventLoopRedis]) {
        self.connections = connections
    }

    /// Opens one connection on each loop of `group`.
    public static func connect(url: RedisURL, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws(RedisError) -> EventLoopRedisPool {
        var opened: [EventLoopRedis] = []
        do throws(RedisError) {
            for loop in group.makeIterator() { opened.append(try await EventLoopRedis.connect(url: url, on: loop)) }
        } catch {
            opened.forEach { $0.close() }
            throw error
        }
        return EventLoopRedisPool(connections: opened)
    }

    /// ``EventLoopRedis/pipeline(_:)`` on the caller's own loop's connection, else the next one in turn.
    public func pipeline(_ commands: [[String]]) async throws(RedisError) -> [RedisReply] {
        let own = connections.first { $0.eventLoop.inEventLoop }
        let connection = own ?? connections[next.add(1, ordering: .relaxed).oldValue % connections.count]
        return try await connection.pipeline(commands)
    }

    /// Closes every connection.
    public func close() {
        connections.forEach { $0.close() }
    }
}

/// Writes commands in RESP, the protocol's request form: `*<argc>\r\n` then `$<len>\r\n<arg>\r\n` per argument.
enum RESP {
    static func write(_ command: [String], into buffer: inout ByteBuffer) {
        buffer.writeStaticString("*")
        buffer.writeString(String(command.count))
        buffer.writeStaticString("\r\n")
        for argument in command {
            buffer.writeStaticString("$")
            buffer.writeString(String(argument.utf8.count))
            buffer.writeStaticString("\r\n")
            buffer.writeString(argument)
            buffer.writeStaticString("\r\n")
        }
    }
}

/// Matches replies to the calls that asked for them, in order: each call's commands are queued as one entry with its
/// promise; bytes read are fed to a hiredis reply reader, and each reply completed goes to the oldest entry.
final class RedisReplyHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = Request
    typealias OutboundOut = ByteBuffer

    /// One call: its commands' bytes, how many replies it waits for, where they go.
    struct Request: Sendable {
        let bytes: ByteBuffer
        let count: Int
        let promise: EventLoopPromise<[RedisReply]>
    }

    private struct Waiting {
        var remaining: Int
        var replies: [RedisReply]
        let promise: EventLoopPromise<[RedisReply]>
        let sent: NIODeadline
    }

    private var waiting = CircularBuffer<Waiting>()
    private let reader: UnsafeMutablePointer<redisReader>
    private let replyTimeout: TimeAmount
    /// Once a second: fails everything and closes when the oldest call has waited longer than `replyTimeout`.
    private var watchdog: RepeatedTask?

    init(replyTimeout: TimeAmount) {
        self.replyTimeout = replyTimeout
        reader = redisReaderCreate()
    }

    deinit {
        redisReaderFree(reader)
    }

    func channelActive(context: ChannelHandlerContext) {
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop), bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        watchdog = context.eventLoop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
            handler.value.checkTimeout(bound.value)
        }
        context.fireChannelActive()
    }

    private func checkTimeout(_ context: ChannelHandlerContext) {
        guard let oldest = waiting.first, NIODeadline.now() - oldest.sent > replyTimeout else { return }
        broken(context, "no reply within \(replyTimeout.nanoseconds / 1_000_000_000) s")
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if request.count == 0 {
            request.promise.succeed([])
            promise?.succeed()
            return
        }
        var replies: [RedisReply] = []
        replies.reserveCapacity(request.count)
        waiting.append(Waiting(remaining: request.count, replies: replies, promise: request.promise, sent: .now()))
        context.write(wrapOutboundOut(request.bytes), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let fed = buffer.withUnsafeReadableBytes { raw -> Int32 in
            guard let base = raw.baseAddress, raw.count > 0 else { return REDIS_OK }
            return redisReaderFeed(reader, base.assumingMemoryBound(to: CChar.self), raw.count)
        }
        if fed != REDIS_OK { return broken(context, "cannot buffer a reply") }
        while true {
            var raw: UnsafeMutableRawPointer?
            if redisReaderGetReply(reader, &raw) != REDIS_OK { return broken(context, "protocol error in a reply") }
            guard let raw else { return }
            let reply = RedisConnection.convert(raw.assumingMemoryBound(to: redisReply.self))
            freeReplyObject(raw)
            guard !waiting.isEmpty else { return broken(context, "a reply nobody asked for") }
            waiting[waiting.startIndex].replies.append(reply)
            waiting[waiting.startIndex].remaining -= 1
            if waiting[waiting.startIndex].remaining == 0 {
                let done = waiting.removeFirst()
                done.promise.succeed(done.replies)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        watchdog?.cancel()
        watchdog = nil
        failAll(RedisError.io("connection closed"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        broken(context, "\(error)")
    }

    private func broken(_ context: ChannelHandlerContext, _ message: String) {
        failAll(RedisError.io(message))
        context.close(promise: nil)
    }

    private func failAll(_ error: RedisError) {
        while let entry = waiting.popFirst() { entry.promise.fail(error) }
    }
}
