import Dispatch
import Foundation
import ServiceLifecycle
import Synchronization
import TracebenchMeasure
import TracebenchRedis
import TracebenchScenario
import TracebenchVocabulary

/// One worker process's job loop, as a swift-service-lifecycle service.
///
/// A dedicated thread claims jobs (so no cooperative thread ever blocks on Redis): as many as there are
/// free processing slots in one ZPOPMAX, else one with a blocking BZPOPMAX, their hashes read in one pipelined round
/// trip; processing runs as async tasks and results are written through an ``EventLoopRedisPool`` (NIO's event loops, no
/// thread waits). On graceful shutdown the thread stops claiming and the service returns once every claimed job has
/// finished and been written back.
public final class WorkerService: Service, Sendable {
    private let processor: JobProcessor
    private let queue: JobQueue
    private let claimConnection: RedisConnection
    private let results: EventLoopRedisPool
    private let concurrency: Int
    private let blockSeconds: Double
    private let workerID: String
    private let stopping = Atomic<Bool>(false)

    public init(scenario: Scenario, processor: JobProcessor, redisURL: RedisURL, runID: String, workerID: String) async throws(RedisError) {
        self.processor = processor
        queue = JobQueue(runID: runID)
        claimConnection = try RedisConnection(url: redisURL)
        results = try await EventLoopRedisPool.connect(url: redisURL)
        concurrency = scenario.pipeline.concurrencyPerWorker
        blockSeconds = max(0.001, scenario.pipeline.pollIntervalMs / 1000)
        self.workerID = workerID
    }

    public func run() async throws {
        let (jobs, continuation) = AsyncStream.makeStream(of: (JobQueue.Claimed, Int64).self)
        let slots = DispatchSemaphore(value: concurrency)
        let failure = Mutex<RedisError?>(nil)
        let claimer = Thread { [self] in
            while !stopping.load(ordering: .relaxed) {
                if slots.wait(timeout: .now() + .milliseconds(100)) == .timedOut { continue }
                var free = 1
                while free < concurrency, slots.wait(timeout: .now()) == .success { free += 1 }
                do {
                    let claimed = try queue.claim(upTo: free, blockSeconds: blockSeconds, on: claimConnection)
                    let claimedAt = WallClock.nowMicros()
                    for job in claimed { continuation.yield((job, claimedAt)) }
                    for _ in claimed.count..<free { slots.signal() }
                } catch {
                    failure.withLock { $0 = error as? RedisError ?? .io("\(error)") }
                    for _ in 0..<free { slots.signal() }
                    break
                }
            }
            continuation.finish()
        }
        claimer.start()

        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for await (job, claimedAt) in jobs {
                    group.addTask { [self] in
                        await handle(id: job.id, fields: job.fields, claimedAt: claimedAt)
                        slots.signal()
                    }
                }
            }
        } onGracefulShutdown: { [self] in
            stopping.store(true, ordering: .relaxed)
        }
        results.close()
        claimConnection.close()
        if let error = failure.withLock({ $0 }) { throw error }
    }

    private func handle(id: String, fields: [String: String], claimedAt: Int64) async {
        let started = ContinuousClock.now
        let outcome = await processor.process(id: id, fields: fields, claimedAtMicros: claimedAt)
        let elapsed = ContinuousClock.now - started
        let processNanos = elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
        let status = outcome.succeeded ? JobStatus.completed : JobStatus.failed
        var result: [(String, String)] = [
            (JobKeys.Field.claimedAt, String(claimedAt)),
            (JobKeys.Field.completedAt, String(WallClock.nowMicros())),
            (JobKeys.Field.attempts, String(outcome.attempts)),
            (JobKeys.Field.timeouts, String(outcome.timeouts)),
            (JobKeys.Field.workerID, workerID),
            (JobKeys.Field.workerSpans, String(outcome.spans)),
            (JobKeys.Field.workerTraceID, outcome.traceID),
            (JobKeys.Field.workerSampled, outcome.sampled ? "1" : "0"),
            (JobKeys.Field.contextReceived, outcome.contextReceived ? "1" : "0"),
            (JobKeys.Field.processNanos, String(processNanos)),
        ]
        if !outcome.error.isEmpty { result.append((JobKeys.Field.error, outcome.error)) }
        do {
            try await queue.finish(id: id, status: status, fields: result, on: results)
        } catch {
            FileHandle.standardError.write(Data("\(workerID): cannot write result of job \(id): \(error)\n".utf8))
        }
    }
}
