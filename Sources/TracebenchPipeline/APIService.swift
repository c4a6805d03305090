import Foundation
import HTTPTypes
import Hummingbird
import TracebenchMeasure
import TracebenchRedis
import TracebenchScenario
import TracebenchVocabulary
import Tracing

/// The job-queue API of the design document (`emp-job-queue-api`): `POST /jobs` stores the job in Redis with
/// its trace context and queues it, under a server span (Hummingbird's TracingMiddleware) and a
/// `redis-submit-job` client span. `GET /health` answers `ok`. Redis commands go through an ``EventLoopRedisPool``:
/// NIO writes a request's HSET + ZADD and reads their replies, so no thread waits on Redis.
public struct APIService: Sendable {
    /// Spans the API starts per job: the HTTP server span and `redis-submit-job`.
    public static let spansPerJob = 2

    let scenario: Scenario
    let redis: EventLoopRedisPool
    let queue: JobQueue
    let arms: TracingArms

    public init(scenario: Scenario, redis: EventLoopRedisPool, arms: TracingArms, runID: String) {
        self.scenario = scenario
        self.redis = redis
        queue = JobQueue(runID: runID)
        self.arms = arms
    }

    /// The router: arm scoping and timing (outermost), tracing middleware, then the job routes.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.middlewares.add(ArmMiddleware(arms: arms))
        // Tracing off in every arm: no tracer, so no server span to make (the untraced service has no middleware).
        if scenario.tracing.mode != .off || arms.arms.count > 1 { router.middlewares.add(TracingMiddleware()) }
        router.get("/health") { _, _ in "ok" }
        router.post("/jobs") { request, context -> EditedResponse<JobAccepted> in
            var request = request
            let body = try await request.collectBody(upTo: context.maxUploadSize)
            let job: JobRequest
            if let compact = body.withUnsafeReadableBytes({ JobRequest(compactJSON: $0) }) {
                job = compact
            } else {
                job = try await request.decode(as: JobRequest.self, context: context)
            }
            guard scenario.jobs.indices.contains(job.type) else {
                throw HTTPError(.badRequest, message: "job type \(job.type) is not in the scenario's job mix")
            }
            let accepted = try await submit(job)
            return EditedResponse(status: .created, response: accepted)
        }
        return router
    }

    /// Stores and queues one job inside a `redis-submit-job` span, injecting that span's context into the job
    /// hash (or, for the scenario's `drop_context_ratio` share of jobs, deliberately leaving it out).
    func submit(_ job: JobRequest) async throws -> JobAccepted {
        let service = scenario.jobs[job.type].service
        return try await withSpan(SpanName.submitJob, ofKind: .client) { span in
            span.attributes[SpanAttribute.dbSystem] = "redis"
            span.attributes[SpanAttribute.dbOperation] = "HSET+ZADD"
            span.attributes[SpanAttribute.jobID] = job.id
            span.attributes[SpanAttribute.jobService] = service
            span.attributes[SpanAttribute.jobPriority] = job.priority
            var random = SeededGenerator(seed: job.seed).derived(0xD809)
            let dropContext = scenario.faults.dropContextRatio > 0 && random.nextUnit() < scenario.faults.dropContextRatio
            let traceID = span.context.otelTraceID ?? ""
            var fields: [(String, String)] = [
                (JobKeys.Field.id, job.id),
                (JobKeys.Field.service, service),
                (JobKeys.Field.priority, String(job.priority)),
                (JobKeys.Field.seed, String(job.seed)),
                (JobKeys.Field.status, JobStatus.pending),
                (JobKeys.Field.intendedStart, String(job.intendedStartMicros)),
                (JobKeys.Field.traceID, traceID),
                (JobKeys.Field.traceSampled, span.context.otelIsSampled ? "1" : "0"),
                (JobKeys.Field.contextDropped, dropContext ? "1" : "0"),
                (JobKeys.Field.apiSpans, String(Self.spansPerJob)),
                (JobKeys.Field.arm, String(job.arm)),
            ]
            if !dropContext {
                let carrier = TraceContextCarrier.inject(span.context)
                if !carrier.isEmpty { fields.append((JobKeys.Field.traceContext, TraceContextCarrier.encode(carrier))) }
            }
            fields.append((JobKeys.Field.submittedAt, String(WallClock.nowMicros())))
            do {
                try await queue.submit(id: job.id, priority: job.priority, fields: fields, on: redis)
            } catch {
                span.setStatus(SpanStatus(code: .error, message: "\(error)"))
                throw HTTPError(.serviceUnavailable, message: "\(error)")
            }
            return JobAccepted(id: job.id, traceID: traceID)
        }
    }
}

extension JobAccepted: ResponseGenerator {
    /// The JSON answer, written without an encoder (see ``JobAccepted/json``).
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let buffer = ByteBuffer(string: json)
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8", .contentLength: String(buffer.readableBytes)],
                        body: .init(byteBuffer: buffer))
    }
}

/// Runs each request under its arm's tracer (`x-tracebench-arm`, overhead runs only) and reports the server-side
/// time of the whole request — tracing middleware and handler included — in `x-tracebench-server-ns`.
struct ArmMiddleware<Context: RequestContext>: RouterMiddleware {
    static var armHeader: HTTPField.Name { HTTPField.Name(ArmHeaders.arm)! }
    static var serverTimeHeader: HTTPField.Name { HTTPField.Name(ArmHeaders.serverNanos)! }

    let arms: TracingArms

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        if arms.arms.count > 1 {
            let index = request.headers[Self.armHeader].flatMap { Int($0) } ?? 0
            response = try await withTracer(arms.arm(index).tracer) { try await next(request, context) }
        } else {
            response = try await next(request, context)
        }
        let elapsed = ContinuousClock.now - start
        response.headers[Self.serverTimeHeader] = String(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        return response
    }
}

