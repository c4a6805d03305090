import Foundation
import Synchronization

/// One Redis connection shared by many async callers, none of whom blocks a thread: each call queues its commands and
/// awaits their replies, while one dedicated thread sends everything queued since its last round trip as a single
/// pipeline (ioredis's auto-pipelining). Under load a round trip carries many callers' commands, so Redis reads and
/// answers them in one go and each caller pays a fraction of a round trip; idle, a call costs one round trip as before.
///
/// Commands of one call stay together and in order, and calls are sent in the order they were queued. After an I/O
/// error the connection is closed (``RedisConnection`` semantics): that batch and every later call fail with
/// ``RedisError/io(_:)``.
public final class PipelinedRedis: Sendable {
    /// One caller's commands and where its replies go.
    private struct Call {
        let commands: [[String]]
        let continuation: CheckedContinuation<Result<[RedisReply], RedisError>, Never>
    }

    private struct State {
        var queued: [Call] = []
        /// The sender thread is parked on `wake` (so the next call must signal it).
        var senderIdle = false
        var closed = false
    }

    /// Commands sent in one round trip at most; more wait for the next one.
    public static let maxCommandsPerRoundTrip = 1024

    private let connection: RedisConnection
    private let state = Mutex(State())
    private let sentRoundTrips = Atomic<Int>(0)
    private let wake = DispatchSemaphore(value: 0)

    /// Opens the connection and starts the sender thread.
    public init(url: RedisURL) throws(RedisError) {
        connection = try RedisConnection(url: url)
        let sender = Thread { [self] in sendLoop() }
        sender.name = "tracebench-redis-pipeline"
        sender.start()
    }

    /// Round trips sent so far (each carrying one or more calls).
    public var roundTrips: Int { sentRoundTrips.load(ordering: .relaxed) }

    /// Queues `commands` for the next round trip and returns their replies in order. Error replies are returned, not
    /// thrown; a broken or closed connection throws.
    public func pipeline(_ commands: [[String]]) async throws(RedisError) -> [RedisReply] {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<[RedisReply], RedisError>, Never>) in
            let signal: Bool? = state.withLock { state in
                if state.closed { return nil }
                state.queued.append(Call(commands: commands, continuation: continuation))
                defer { state.senderIdle = false }
                return state.senderIdle
            }
            switch signal {
            case nil: continuation.resume(returning: .failure(.io("connection is closed")))
            case true?: wake.signal()
            case false?: break
            }
        }
        return try result.get()
    }

    /// Stops taking calls; those queued are still sent, then the sender thread closes the connection.
    public func close() {
        let signal = state.withLock { state in
            state.closed = true
            defer { state.senderIdle = false }
            return state.senderIdle
        }
        if signal { wake.signal() }
    }

    /// The sender thread: takes what is queued (up to ``maxCommandsPerRoundTrip`` commands), sends it as one
    /// pipeline, answers each call, and parks when nothing is queued.
    private func sendLoop() {
        while true {
            let (batch, closing): ([Call], Bool) = state.withLock { state in
                var count = 0
                var taken = 0
                while taken < state.queued.count, taken == 0 || count + state.queued[taken].commands.count <= Self.maxCommandsPerRoundTrip {
                    count += state.queued[taken].commands.count
                    taken += 1
                }
                let batch = Array(state.queued.prefix(taken))
                state.queued.removeFirst(taken)
                if batch.isEmpty && !state.closed { state.senderIdle = true }
                return (batch, state.closed && batch.isEmpty)
            }
            if closing {
                connection.close()
                return
            }
            if batch.isEmpty {
                wake.wait()
                continue
            }
            send(batch)
        }
    }

    private func send(_ batch: [Call]) {
        var commands: [[String]] = []
        commands.reserveCapacity(batch.reduce(0) { $0 + $1.commands.count })
        for call in batch { commands.append(contentsOf: call.commands) }
        sentRoundTrips.add(1, ordering: .relaxed)
        do {
            let replies = try connection.pipeline(commands)
            var offset = 0
            for call in batch {
                call.continuation.resume(returning: .success(Array(replies[offset..<offset + call.commands.count])))
                offset += call.commands.count
            }
        } catch {
            for call in batch { call.continuation.resume(returning: .failure(error)) }
        }
    }
}
