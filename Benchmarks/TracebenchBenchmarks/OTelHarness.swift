import Logging
import OTel
import ServiceLifecycle
import Synchronization
import TracebenchPipeline
import TracebenchScenario
import Tracing

/// One swift-otel backend built the way tracebench builds it (`TracingBackend.make`, here `mode: .sdk`, so the
/// real sampler and batch span processor run with exporter `none`), its service running in a background
/// `ServiceGroup` for the benchmark's duration: started by the benchmark's setup, shut down gracefully by its
/// teardown. package-benchmark runs each benchmark in a process of its own, so each harness runs once.
final class OTelHarness: Sendable {
    private struct Running: Sendable {
        var tracer: any Tracer
        var group: ServiceGroup
        var task: Task<Void, any Error>
        /// A sampled span kept open while the benchmark runs (the context benchmark propagates its context).
        var liveSpan: (any Span)?
    }

    let spec: TracingSpec
    private let running = Mutex<Running?>(nil)

    init(spec: TracingSpec) {
        self.spec = spec
    }

    /// The backend's tracer; only valid between setup and teardown.
    var tracer: any Tracer {
        guard let tracer = running.withLock({ $0?.tracer }) else { fatalError("OTelHarness used before its setup ran") }
        return tracer
    }

    /// The context of the live span made by ``checkRoundTrip()``.
    var liveContext: ServiceContext {
        guard let span = running.withLock({ $0?.liveSpan }) else { fatalError("checkRoundTrip() did not run") }
        return span.context
    }

    /// Builds the backend, starts its service, and checks that the sampler keeps about `ratio` of root spans.
    func start(expectingSampledRatio ratio: Double) async throws {
        let backend = try TracingBackend.make(
            spec: spec, serviceName: PipelineProcess.workerServiceName, endpoint: "",
            extraResource: ["machine.id": Fixtures.machineID, "service.instance.id": Fixtures.workerID]
        )
        guard let service = backend.service else { throw BenchmarkSetupError(description: "mode \(spec.mode) has no service") }
        let group = ServiceGroup(configuration: .init(services: [.init(service: service)], logger: quietLogger("otel-bench")))
        let task = Task { try await group.run() }
        running.withLock { $0 = Running(tracer: backend.tracer, group: group, task: task) }

        let checks = 4000
        var sampled = 0
        for _ in 0 ..< checks {
            let span = backend.tracer.startSpan("sampler-check", context: .topLevel, ofKind: .internal)
            if span.context.otelIsSampled { sampled += 1 }
            span.end()
        }
        let observed = Double(sampled) / Double(checks)
        guard abs(observed - ratio) < 0.03 else {
            throw BenchmarkSetupError(description: "sampler \(spec.sampler.rawValue) kept \(observed) of root spans, expected \(ratio)")
        }
    }

    /// Starts the live span and checks that its context survives the carrier round trip.
    func checkRoundTrip() throws {
        let tracer = tracer
        let span = tracer.startSpan("submit-job", context: .topLevel, ofKind: .server)
        let text = TraceContextCarrier.encode(TraceContextCarrier.inject(span.context, tracer: tracer))
        let extracted = TraceContextCarrier.extract(TraceContextCarrier.decode(text), tracer: tracer)
        guard let traceID = span.context.otelTraceID, extracted.otelTraceID == traceID, extracted.otelIsSampled else {
            throw BenchmarkSetupError(description: "trace context did not survive the carrier round trip: \(text)")
        }
        running.withLock { $0?.liveSpan = span }
    }

    /// Ends the live span and shuts the backend down gracefully (the batch processor flushes to `none`).
    func stop() async {
        guard let current = running.withLock({ state -> Running? in
            defer { state = nil }
            return state
        }) else { return }
        current.liveSpan?.end()
        await current.group.triggerGracefulShutdown()
        _ = try? await current.task.value
    }
}

/// A logger for warnings and worse, on standard error.
func quietLogger(_ label: String) -> Logger {
    var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = .warning
    return logger
}
