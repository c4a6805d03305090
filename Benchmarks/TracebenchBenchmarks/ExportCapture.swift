import Hummingbird
import NIOCore
import ServiceLifecycle
import Synchronization
import TracebenchPipeline
import TracebenchScenario
import TracebenchSink
import TracebenchVocabulary
import Tracing

/// Real OTLP/HTTP protobuf bodies, as swift-otel 1.6.0 exports them: an `otlp`-mode backend (built with
/// `TracingBackend.make`, as the pipeline builds it) exports 1,000 pipeline-shaped spans to a tiny in-process
/// receiver on 127.0.0.1, which keeps the raw request bodies.
///
/// 200 jobs × 5 spans (`submit-job` root with job.id/service/priority, `job-claimed`, `process-job` with the
/// design document's 5 attributes plus attempt and processing time, `service-process-job`, `comfyui-call`, 1 %
/// errors). With `maxExportBatchSize` 512 and a schedule delay longer than the capture, graceful shutdown flushes
/// them as two requests: the first 512 spans and the other 488.
final class ExportCapture: Sendable {
    static let jobs = 200
    static let spansPerJob = 5
    static var spanCount: Int { jobs * spansPerJob }

    private let bodies = Mutex<[[UInt8]]>([])
    private let result = Mutex<(concatenated: [UInt8], full512: [UInt8])>(([], []))

    /// Every captured body, concatenated: one valid ExportTraceServiceRequest (protobuf concatenation appends the
    /// repeated `resource_spans` field) of 1,000 spans.
    var concatenated: [UInt8] { result.withLock { $0.concatenated } }
    /// The body of the full 512-span batch, exactly as sent.
    var full512: [UInt8] { result.withLock { $0.full512 } }

    func run() async throws {
        // The receiver: keeps each body, answers 200 with an empty protobuf ExportTraceServiceResponse.
        let router = Router()
        router.post("/v1/traces") { [self] request, _ -> Response in
            var body = Array(try await request.body.collect(upTo: 64 << 20).readableBytesView)
            if request.headers[.contentEncoding]?.lowercased() == "gzip" {
                body = try Gzip.inflate(body, limit: 64 << 20)
            }
            bodies.withLock { $0.append(body) }
            var headers = HTTPFields()
            headers[.contentType] = "application/x-protobuf"
            return Response(status: .ok, headers: headers, body: .init())
        }
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: nil),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: quietLogger("capture")
        )
        let server = ServiceGroup(configuration: .init(services: [.init(service: app)], logger: quietLogger("capture")))
        let serverTask = Task { try await server.run() }
        var port = 0
        for await bound in portStream {
            port = bound
        }
        do {
            guard port > 0 else { throw BenchmarkSetupError(description: "the capture receiver did not start") }
            try await export(to: "http://127.0.0.1:\(port)/v1/traces")
        } catch {
            await server.triggerGracefulShutdown()
            _ = try? await serverTask.value
            throw error
        }
        await server.triggerGracefulShutdown()
        _ = try? await serverTask.value

        // Check what arrived: 1,000 spans in all, one request of exactly 512.
        let captured = bodies.withLock { $0 }
        let counts = try captured.map { try OTLPDecoder.decodeProtobuf($0, receivedNanos: 0).count }
        guard counts.reduce(0, +) == Self.spanCount, let full = counts.firstIndex(of: 512) else {
            throw BenchmarkSetupError(description: "captured requests with \(counts) spans, expected 512 + 488")
        }
        let concatenated = captured.flatMap { $0 }
        let decoded = try OTLPDecoder.decodeProtobuf(concatenated, receivedNanos: 0)
        guard decoded.count == Self.spanCount, decoded.filter({ $0.jobID != nil }).count == 3 * Self.jobs else {
            throw BenchmarkSetupError(description: "the concatenated body decoded to \(decoded.count) spans")
        }
        result.withLock { $0 = (concatenated, captured[full]) }
    }

    private func export(to endpoint: String) async throws {
        var spec = TracingSpec(mode: .otlp, protocol: .httpProtobuf, sampler: .alwaysOn)
        spec.batch = .init(scheduleDelayMs: 600_000, maxQueueSize: 4096, maxExportBatchSize: 512, exportTimeoutMs: 30_000)
        let backend = try TracingBackend.make(
            spec: spec, serviceName: PipelineProcess.workerServiceName, endpoint: endpoint,
            extraResource: [
                ResourceAttribute.machineID: Fixtures.machineID, "service.instance.id": Fixtures.workerID,
                "tracebench.run_id": "benchmark", "tracebench.arm": "otlp",
            ]
        )
        guard let service = backend.service else { throw BenchmarkSetupError(description: "otlp mode has no service") }
        let group = ServiceGroup(configuration: .init(services: [.init(service: service)], logger: quietLogger("capture-otel")))
        let task = Task { try await group.run() }
        Self.emitJobs(tracer: backend.tracer)
        // Graceful shutdown drains the span stream and force-flushes the batch processor: 512 + 488.
        await group.triggerGracefulShutdown()
        try await task.value
    }

    private static func emitJobs(tracer: any Tracer) {
        for job in 0 ..< jobs {
            let id = Fixtures.jobIDs[job]
            let root = tracer.startSpan("submit-job", context: .topLevel, ofKind: .server)
            root.attributes[SpanAttribute.jobID] = id
            root.attributes[SpanAttribute.jobService] = Fixtures.service
            root.attributes[SpanAttribute.jobPriority] = job % 10

            let claimed = tracer.startSpan(SpanName.jobClaimed, context: root.context, ofKind: .consumer)
            claimed.attributes[SpanAttribute.jobID] = id
            claimed.attributes[SpanAttribute.workerID] = Fixtures.workerID
            claimed.attributes[SpanAttribute.jobWaitTimeMs] = 1.25
            claimed.end()

            let process = tracer.startSpan(SpanName.processJob, context: root.context, ofKind: .internal)
            process.attributes[SpanAttribute.jobID] = id
            process.attributes[SpanAttribute.jobService] = Fixtures.service
            process.attributes[SpanAttribute.jobPriority] = job % 10
            process.attributes[SpanAttribute.workerID] = Fixtures.workerID
            process.attributes[ResourceAttribute.machineID] = Fixtures.machineID
            process.attributes[SpanAttribute.jobAttempt] = 1
            let step = tracer.startSpan("service-process-job", context: process.context, ofKind: .internal)
            let call = tracer.startSpan("comfyui-call", context: step.context, ofKind: .client)
            if job % 100 == 99 {
                call.setStatus(SpanStatus(code: .error, message: "injected failure"))
            }
            call.end()
            step.end()
            process.attributes["job.processing_time_ms"] = 12.5
            process.setStatus(SpanStatus(code: .ok))
            process.end()
            root.end()
        }
    }
}
