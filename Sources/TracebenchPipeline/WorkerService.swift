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
/// A dedicated thread claims jobs with blocking BZPOPMAX (so no cooperative thread ever blocks on Redis), one
/// at a time and only while a processing slot is free; processing runs as async tasks. On graceful shutdown the
/// thread stops claiming and the service returns once every claimed job has finished and been written back.
public final class WorkerService: Service, Sendable {
    private let processor: JobProcessor
    private let claimQueue: JobQueue
    private let resultQueue: JobQueue
    private let concurrency: Int
    private let blockSeconds: Double
    private let workerID: String
    private let stopping = Atomic<Bool>(false)

    public init(scenario: Scenario, processor: JobProcessor, redisURL: RedisURL, runID: String, workerID: String) throws(RedisError) {
        self.processor = processor
        claimQueue = JobQueue(connection: try RedisConnection(url: redisURL), runID: runID)
        resultQueue = JobQueue(connection: try RedisConnection(url: redisURL), runID: runID)
        concurrency = scenario.pipeline.concurrencyPerWorker
        blockSeconds = max(0.001, scenario.pipeline.pollIntervalMs / 1000)
        self.workerID = workerID
    }

    public func run() async throws {
        let (jobs, continuation) = AsyncStream.makeStream(of: (String, [String: String], Int64).self)
        let slots = DispatchSemaphore(value: concurrency)
        let failure = Mutex<RedisError?>(nil)
        let claimer = Thread { [self] in
            while !stopping.load(ordering: .relaxed) {
                if slots.wait(timeout: .now() + .milliseconds(100)) == .timedOut { continue }
                do {
                    if let job = try claimQueue.claim(blockSeconds: blockSeconds) {
                        continuation.yield((job.id, job.fields, WallClock.nowMicros()))
                    } else {
                        slots.signal()
                    }
                } catch {
                    failure.withLock { $0 = error as? RedisError ?? .io("\(error)") }
                    slots.signal()
                    break
                }
            }
            continuation.finish()
        }
        claimer.start()

        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for await (id, fields, claimedAt) in jobs {
                    group.addTask { [self] in
                        await handle(id: id, fields: fields, claimedAt: claimedAt)
                        slots.signal()
                    }
                }
            }
        } onGracefulShutdown: { [self] in
            stopping.store(true, ordering: .relaxed)
        }
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
            try resultQueue.finish(id: id, status: status, fields: result)
        } catch {
            FileHandle.standardError.write(Data("\(workerID): cannot write result of job \(id): \(error)\n".utf8))
        }
    }
}
