import Synchronization
import TracebenchMeasure
import TracebenchScenario
import TracebenchVocabulary
import Tracing

/// Runs one claimed job the way a worker of the design document does, with real spans: `job-claimed` and then
/// one `process-job` per attempt, each holding the job type's simulated steps (e.g. `service-process-job` →
/// `comfyui-call` → `model-download`) as nested child spans. Durations and failures come from the job's own
/// seeded stream, so a run repeats exactly.
public struct JobProcessor: Sendable {
    /// What happened to a job, written back to its Redis hash.
    public struct Outcome: Sendable {
        public var succeeded: Bool
        public var attempts: Int
        public var timeouts: Int
        /// Spans this worker started for the job (sampled or not).
        public var spans: Int
        public var traceID: String
        public var sampled: Bool
        /// Whether the job's `trace_context` gave this worker a parent span context.
        public var contextReceived = false
        public var error: String
    }

    let scenario: Scenario
    let arms: TracingArms
    let workerID: String
    let machineID: String

    public init(scenario: Scenario, arms: TracingArms, workerID: String, machineID: String) {
        self.scenario = scenario
        self.arms = arms
        self.workerID = workerID
        self.machineID = machineID
    }

    /// Processes the job whose hash is `fields` with its arm's tracer, continuing the trace in its `trace_context`.
    public func process(id: String, fields: [String: String], claimedAtMicros: Int64) async -> Outcome {
        let arm = arms.arm(Int(fields[JobKeys.Field.arm] ?? "") ?? 0)
        let run = Run(tracer: arm.tracer, timeScale: scenario.timeScale,
                      injectMicros: arm.mode == .off ? 0 : scenario.calibration.injectMicrosPerSpan)
        return await run.process(id: id, fields: fields, claimedAtMicros: claimedAtMicros, processor: self)
    }

    /// One job's processing with one tracer.
    struct Run: Sendable {
        let tracer: any Tracer
        let timeScale: Double
        /// Calibration: busy-wait inside every span (traced arms only).
        let injectMicros: Double

        func startSpan(_ name: String, context: ServiceContext, kind: SpanKind) -> any Span {
            let span = tracer.startSpan(name, context: context, ofKind: kind)
            if injectMicros > 0 { Self.busyWait(micros: injectMicros) }
            return span
        }

        /// Spins (no sleep, no yield) for a known time: the calibration's injected cost.
        @inline(never)
        static func busyWait(micros: Double) {
            let end = ContinuousClock.now + .clampedMicroseconds(micros)
            while ContinuousClock.now < end {}
        }
    }
}

extension JobProcessor.Run {
    func process(id: String, fields: [String: String], claimedAtMicros: Int64, processor: JobProcessor) async -> JobProcessor.Outcome {
        let scenario = processor.scenario
        let workerID = processor.workerID
        let machineID = processor.machineID
        typealias Outcome = JobProcessor.Outcome
        let parent = fields[JobKeys.Field.traceContext].map { TraceContextCarrier.extract(TraceContextCarrier.decode($0), tracer: tracer) } ?? .topLevel
        let typeIndex = scenario.jobs.firstIndex { $0.service == fields[JobKeys.Field.service] } ?? 0
        let jobType = scenario.jobs[typeIndex]
        let priority = Int(fields[JobKeys.Field.priority] ?? "") ?? 0
        let seed = UInt64(fields[JobKeys.Field.seed] ?? "") ?? 0
        let submittedAt = Int64(fields[JobKeys.Field.submittedAt] ?? "") ?? claimedAtMicros

        let claimed = startSpan(SpanName.jobClaimed, context: parent, kind: .consumer)
        claimed.attributes[SpanAttribute.jobID] = id
        claimed.attributes[SpanAttribute.workerID] = workerID
        claimed.attributes[SpanAttribute.jobWaitTimeMs] = Double(claimedAtMicros - submittedAt) / 1000
        claimed.end()

        // Without a parent context (dropped on the way), the claim span is the worker trace's root and every attempt
        // hangs under it: one worker trace per job, sampled once — as the ledger's worker_sampled records — instead of a
        // new root (and a new sampling decision) per attempt.
        let attemptParent = parent.otelTraceID == nil ? claimed.context : parent
        let tally = SpanTally(initial: 1)
        var outcome = Outcome(succeeded: false, attempts: 0, timeouts: 0, spans: 0, traceID: claimed.context.otelTraceID ?? "",
                              sampled: claimed.context.otelIsSampled, contextReceived: parent.otelTraceID != nil, error: "")
        let random = SeededGenerator(seed: seed)
        while outcome.attempts <= scenario.pipeline.maxRetries {
            outcome.attempts += 1
            let span = startSpan(SpanName.processJob, context: attemptParent, kind: .internal)
            tally.add(1)
            span.attributes[SpanAttribute.jobID] = id
            span.attributes[SpanAttribute.jobService] = jobType.service
            span.attributes[SpanAttribute.jobPriority] = priority
            span.attributes[SpanAttribute.workerID] = workerID
            span.attributes[ResourceAttribute.machineID] = machineID
            span.attributes[SpanAttribute.jobAttempt] = outcome.attempts
            let started = WallClock.nowMicros()
            do {
                try await runAttempt(jobType.steps, parent: span.context, random: random.derived(UInt64(outcome.attempts)), tally: tally,
                                     timeoutMs: scenario.pipeline.jobTimeoutMs)
                span.attributes[SpanAttribute.jobProcessingTimeMs] = Double(WallClock.nowMicros() - started) / 1000
                span.setStatus(SpanStatus(code: .ok))
                span.end()
                outcome.succeeded = true
                outcome.error = ""
                break
            } catch {
                let failure = error as? StepFailure ?? StepFailure(kind: .injected, step: SpanName.processJob)
                if failure.kind == .timeout { outcome.timeouts += 1 }
                span.attributes[SpanAttribute.errorType] = failure.kind.rawValue
                span.recordError(failure)
                span.setStatus(SpanStatus(code: .error, message: failure.description))
                span.end()
                outcome.error = failure.description
            }
        }
        outcome.spans = tally.value
        return outcome
    }

    /// Runs the steps of one attempt, cut off by the scenario's job timeout when one is set.
    private func runAttempt(_ steps: [StepSpec], parent: ServiceContext, random: SeededGenerator, tally: SpanTally, timeoutMs: Double) async throws {
        guard timeoutMs > 0 else {
            var random = random
            for step in steps { try await run(step, parent: parent, random: &random, tally: tally) }
            return
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var random = random
                for step in steps { try await run(step, parent: parent, random: &random, tally: tally) }
            }
            group.addTask {
                try await Task.sleep(for: .clampedMicroseconds(timeoutMs * 1000))
                throw StepFailure(kind: .timeout, step: SpanName.processJob)
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    /// One step: a span lasting the step's own simulated time, then its children in sequence.
    private func run(_ step: StepSpec, parent: ServiceContext, random: inout SeededGenerator, tally: SpanTally) async throws {
        let span = startSpan(step.name, context: parent, kind: .internal)
        tally.add(1)
        defer { span.end() }
        let millis = step.duration.sample(using: &random) * timeScale
        let fails = step.errorRatio > 0 && random.nextUnit() < step.errorRatio
        do {
            if millis > 0 {
                do {
                    try await Task.sleep(for: .clampedMicroseconds(millis * 1000))
                } catch {
                    throw StepFailure(kind: .timeout, step: step.name)
                }
            }
            if fails {
                let failure = StepFailure(kind: .injected, step: step.name)
                span.attributes[SpanAttribute.errorType] = failure.kind.rawValue
                span.recordError(failure)
                throw failure
            }
            for child in step.children { try await run(child, parent: span.context, random: &random, tally: tally) }
            span.setStatus(SpanStatus(code: .ok))
        } catch let failure as StepFailure {
            // The failing span and every ancestor carry status ERROR (error attribution up the tree).
            span.setStatus(SpanStatus(code: .error, message: failure.description))
            throw failure
        }
    }
}

/// Why a step or attempt failed.
struct StepFailure: Error, CustomStringConvertible {
    enum Kind: String { case injected, timeout }
    var kind: Kind
    var step: String
    var description: String { kind == .timeout ? "timeout in \(step)" : "injected failure in \(step)" }
}

/// Counts the spans a job started, across the tasks of a timed attempt.
final class SpanTally: Sendable {
    private let count: Atomic<Int>
    init(initial: Int) { count = Atomic(initial) }
    func add(_ n: Int) { count.add(n, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}
