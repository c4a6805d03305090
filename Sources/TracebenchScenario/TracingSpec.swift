/// How the pipeline is instrumented and where spans go.
public struct TracingSpec: Codable, Sendable, Equatable {
    /// How much of the tracing SDK runs.
    public enum Mode: String, Codable, Sendable, CaseIterable {
        /// A no-op tracer: spans cost almost nothing and go nowhere.
        case off
        /// The real SDK samples and processes spans; the exporter is `none`.
        case sdk
        /// The real SDK exports spans over OTLP.
        case otlp
    }

    /// OTLP transport.
    public enum WireProtocol: String, Codable, Sendable, CaseIterable {
        case httpProtobuf = "http/protobuf"
        case httpJSON = "http/json"
        /// OTLP/gRPC (`TraceService/Export`, plaintext HTTP/2); the endpoint is `http://host:port`, no path.
        case grpc
    }

    /// Head sampler of a service (swift-otel's names, as `OTEL_TRACES_SAMPLER` spells them).
    public enum Sampler: String, Codable, Sendable, CaseIterable {
        case alwaysOn = "always_on"
        case alwaysOff = "always_off"
        case traceIDRatio = "traceidratio"
        case parentBasedTraceIDRatio = "parentbased_traceidratio"
        case parentBasedAlwaysOn = "parentbased_always_on"
        case parentBasedAlwaysOff = "parentbased_always_off"

        /// Whether a sampled parent decides for it (the `parentbased_*` samplers).
        public var isParentBased: Bool {
            switch self {
            case .parentBasedTraceIDRatio, .parentBasedAlwaysOn, .parentBasedAlwaysOff: true
            case .alwaysOn, .alwaysOff, .traceIDRatio: false
            }
        }

        /// The share of root traces kept (for a root, a parent-based sampler is its root sampler).
        public func rootRatio(_ ratio: Double) -> Double {
            switch self {
            case .alwaysOn, .parentBasedAlwaysOn: 1
            case .alwaysOff, .parentBasedAlwaysOff: 0
            case .traceIDRatio, .parentBasedTraceIDRatio: ratio
            }
        }
    }

    /// The pipeline's services that can each have their own sampler (`tracing.services.api`, `.worker`).
    public enum ServiceRole: String, Codable, Sendable, CaseIterable {
        case api, worker
    }

    /// One service's sampler, overriding `tracing.sampler` / `tracing.ratio` for that service.
    public struct ServiceSampler: Codable, Sendable, Equatable {
        public var sampler: Sampler
        public var ratio: Double

        public init(sampler: Sampler, ratio: Double = 1) {
            self.sampler = sampler
            self.ratio = ratio
        }
    }

    /// Batch span processor settings (swift-otel defaults: 5000 ms, 2048, 512, 30000 ms).
    public struct Batch: Codable, Sendable, Equatable {
        public var scheduleDelayMs: Int
        public var maxQueueSize: Int
        public var maxExportBatchSize: Int
        public var exportTimeoutMs: Int
        public init(scheduleDelayMs: Int = 1000, maxQueueSize: Int = 2048, maxExportBatchSize: Int = 512, exportTimeoutMs: Int = 30000) {
            self.scheduleDelayMs = scheduleDelayMs
            self.maxQueueSize = maxQueueSize
            self.maxExportBatchSize = maxExportBatchSize
            self.exportTimeoutMs = exportTimeoutMs
        }
    }

    public var mode: Mode
    public var `protocol`: WireProtocol
    public var sampler: Sampler
    /// Sampling ratio for the ratio samplers (0…1).
    public var ratio: Double
    public var batch: Batch
    /// OTLP endpoint (`http://host:port/v1/traces`); empty = tracebench's embedded sink.
    public var endpoint: String
    /// Extra OTLP request headers (e.g. `Authorization: Bearer …`); values are redacted in results and logs.
    public var headers: [String: String]
    /// Extra resource attributes on every service.
    public var resourceAttributes: [String: String]
    /// Per-service samplers; a service not named uses `sampler` and `ratio`.
    public var services: [ServiceRole: ServiceSampler] = [:]

    public init(
        mode: Mode = .otlp, protocol: WireProtocol = .httpProtobuf, sampler: Sampler = .alwaysOn, ratio: Double = 1,
        batch: Batch = .init(), endpoint: String = "", headers: [String: String] = [:], resourceAttributes: [String: String] = [:]
    ) {
        self.mode = mode
        self.protocol = `protocol`
        self.sampler = sampler
        self.ratio = ratio
        self.batch = batch
        self.endpoint = endpoint
        self.headers = headers
        self.resourceAttributes = resourceAttributes
    }

    /// The fraction of root traces the sampler is configured to keep (the API's sampler: it starts every trace).
    public var configuredRatio: Double {
        let api = sampler(for: .api)
        return api.sampler.rootRatio(api.ratio)
    }

    /// The sampler `role` runs: its `services` override, else `sampler` and `ratio`.
    public func sampler(for role: ServiceRole) -> ServiceSampler {
        services[role] ?? ServiceSampler(sampler: sampler, ratio: ratio)
    }

    /// This section as `role` sees it: `sampler` and `ratio` replaced by the role's override.
    public func forService(_ role: ServiceRole) -> TracingSpec {
        var copy = self
        let own = sampler(for: role)
        copy.sampler = own.sampler
        copy.ratio = own.ratio
        return copy
    }
}
