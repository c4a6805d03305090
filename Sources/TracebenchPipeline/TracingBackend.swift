import TracebenchMeasure
import Foundation
import Logging
import OTel
import ServiceLifecycle
import TracebenchScenario
import Tracing

/// The tracer a pipeline process uses, built from the scenario's `tracing:` section with swift-otel.
///
/// `off` is the no-op tracer; `sdk` runs swift-otel's sampler and batch processor with exporter `none`; `otlp`
/// exports over OTLP (HTTP protobuf or JSON, or gRPC). The standard `OTEL_*` environment variables still override, as swift-otel honours them.
public struct TracingBackend: Sendable {
    public let tracer: any Tracer
    /// The batch processor and exporter; run it in the process's ServiceGroup (graceful shutdown flushes).
    public let service: (any Service)?

    /// Builds the backend for one service.
    public static func make(spec: TracingSpec, serviceName: String, endpoint: String, extraResource: [String: String] = [:]) throws -> TracingBackend {
        if spec.mode == .off {
            return TracingBackend(tracer: NoOpTracer(), service: nil)
        }
        var configuration = OTel.Configuration.default
        configuration.serviceName = serviceName
        configuration.resourceAttributes = spec.resourceAttributes.merging(extraResource) { _, new in new }
        var diagnostics = Logger(label: "otel") { StreamLogHandler.standardError(label: $0) }
        diagnostics.logLevel = .warning
        configuration.diagnosticLogger = .custom(diagnostics)
        configuration.diagnosticLogLevel = .warning
        configuration.propagators = [.traceContext]
        configuration.metrics.enabled = false
        configuration.logs.enabled = false
        configuration.traces.enabled = true
        configuration.traces.sampler = sampler(spec)
        configuration.traces.batchSpanProcessor.scheduleDelay = .milliseconds(spec.batch.scheduleDelayMs)
        configuration.traces.batchSpanProcessor.maxQueueSize = spec.batch.maxQueueSize
        configuration.traces.batchSpanProcessor.maxExportBatchSize = spec.batch.maxExportBatchSize
        configuration.traces.batchSpanProcessor.exportTimeout = .milliseconds(spec.batch.exportTimeoutMs)
        if spec.mode == .sdk {
            configuration.traces.exporter = .none
        } else {
            configuration.traces.exporter = .otlp
            configuration.traces.otlpExporter.endpoint = endpoint
            configuration.traces.otlpExporter.protocol = switch spec.protocol {
            case .httpProtobuf: .httpProtobuf
            case .httpJSON: .httpJSON
            case .grpc: .grpc
            }
            configuration.traces.otlpExporter.headers = spec.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        }
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        return TracingBackend(tracer: backend.factory, service: backend.service)
    }

    static func sampler(_ spec: TracingSpec) -> OTel.Configuration.TracesConfiguration.SamplerConfiguration {
        switch spec.sampler {
        case .alwaysOn: .alwaysOn
        case .alwaysOff: .alwaysOff
        case .traceIDRatio: .traceIDRatio(ratio: spec.ratio) ?? .alwaysOn
        case .parentBasedTraceIDRatio: .parentBasedTraceIDRatio(ratio: spec.ratio) ?? .alwaysOn
        case .parentBasedAlwaysOn: .parentBasedAlwaysOn
        case .parentBasedAlwaysOff: .parentBasedAlwaysOff
        }
    }

    /// The `OTEL_*` variables set in this environment that override the scenario, values of header variables
    /// redacted; recorded in the results as part of the effective configuration.
    public static func environmentOverrides(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> [String: String] {
        var overrides: [String: String] = [:]
        for (key, value) in environment where key.hasPrefix("OTEL_") {
            overrides[key] = key.contains("HEADERS") ? Redaction.marker : Redaction.maskingURLCredentials(value)
        }
        return overrides
    }
}
