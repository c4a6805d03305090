import TracebenchMetrics

/// A complete, validated description of one tracebench run.
///
/// Produced by ``ScenarioLoader`` from a YAML file (every key documented in README.md) and carried, as JSON,
/// to the API and worker processes so that every process runs exactly the same configuration.
public struct Scenario: Codable, Sendable, Equatable {
    /// Short name used in result file names (`results/<name>-<UTC time>.json`).
    public var name: String
    /// How long load is offered, in seconds (warm-up included).
    public var durationSeconds: Double
    /// Jobs whose intended start falls in the first `warmupSeconds` are excluded from latency figures.
    public var warmupSeconds: Double
    /// Seed of every random choice (arrivals, job mix, durations, errors); the same seed repeats the same run.
    public var seed: UInt64
    /// Multiplies every simulated duration (0.1 turns a 2.5 s job into 250 ms).
    public var timeScale: Double
    /// After load stops, how long to wait for queued jobs to finish before the run is cut off.
    public var drainTimeoutSeconds: Double
    public var load: LoadSpec
    public var pipeline: PipelineSpec
    public var jobs: [JobTypeSpec]
    public var tracing: TracingSpec
    public var faults: FaultSpec
    public var redis: RedisSpec
    /// When set, the run is an A/B overhead measurement (`tracebench run` measures every arm).
    public var overhead: OverheadSpec?
    /// Known-answer calibration of the overhead method.
    public var calibration: CalibrationSpec
    /// An OTLP collector between the SDKs and tracebench's sink (nil: the SDKs export to the sink directly).
    public var collector: CollectorSpec?
    /// The shape of synthetic spans when `load.kind` is `firehose`.
    public var firehose = FirehoseSpec()
    /// Memory ceilings in MiB by process name (`collector`, `api`, `coordinator`, `redis`, `worker` for every
    /// `worker-N`, or an exact `worker-N`); a breach is reported with when it first happened.
    public var ceilingsMiB: [String: Double] = [:]
    /// `tracebench capacity`: how the firehose rate is stepped up and what counts as broken.
    public var capacity = CapacitySpec()
    /// Thresholds the run is judged against (`thresholds:`), with the family error rate (`gate.alpha`).
    public var thresholds = ThresholdSet()
    /// Width of one interval of the results' time series (`report_interval_s`).
    public var reportIntervalSeconds = 1.0
    /// The file this scenario was loaded from and its text (for the results' scenario block and hash).
    public var source = ScenarioSource()

    public init(
        name: String, durationSeconds: Double, warmupSeconds: Double = 0, seed: UInt64 = 1,
        timeScale: Double = 1, drainTimeoutSeconds: Double = 30, load: LoadSpec, pipeline: PipelineSpec = .init(),
        jobs: [JobTypeSpec], tracing: TracingSpec = .init(), faults: FaultSpec = .init(), redis: RedisSpec = .init(),
        overhead: OverheadSpec? = nil, calibration: CalibrationSpec = .init(), collector: CollectorSpec? = nil
    ) {
        self.name = name
        self.durationSeconds = durationSeconds
        self.warmupSeconds = warmupSeconds
        self.seed = seed
        self.timeScale = timeScale
        self.drainTimeoutSeconds = drainTimeoutSeconds
        self.load = load
        self.pipeline = pipeline
        self.jobs = jobs
        self.tracing = tracing
        self.faults = faults
        self.redis = redis
        self.overhead = overhead
        self.calibration = calibration
        self.collector = collector
    }
}

/// Where a scenario came from: its path and the text as read.
public struct ScenarioSource: Codable, Sendable, Equatable {
    public var path = ""
    public var text = ""
    /// Keys a verb changed from the file for this run (a capacity step's `firehose.spans_per_s`), key path → value.
    public var overrides: [String: Double] = [:]
    public init(path: String = "", text: String = "") {
        self.path = path
        self.text = text
    }
}

/// The open-model arrival process: when each job is intended to start, independent of responses.
public struct LoadSpec: Codable, Sendable, Equatable {
    /// Shape of the arrival rate over time.
    public enum Arrival: String, Codable, Sendable, CaseIterable {
        /// Evenly spaced arrivals at `ratePerSecond`.
        case constant
        /// Exponential inter-arrival times with mean rate `ratePerSecond`.
        case poisson
        /// Rate moves linearly from `fromPerSecond` to `toPerSecond` over the run.
        case ramp
        /// Piecewise-constant rate, one step after another (`steps`).
        case steps
    }

    /// One stage of a `steps` arrival process.
    public struct Step: Codable, Sendable, Equatable {
        public var ratePerSecond: Double
        public var durationSeconds: Double
        public init(ratePerSecond: Double, durationSeconds: Double) {
            self.ratePerSecond = ratePerSecond
            self.durationSeconds = durationSeconds
        }
    }

    /// What is offered: jobs through the traced pipeline, or synthetic spans straight to the collector.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case jobs
        case firehose
    }

    public var kind: Kind = .jobs
    public var arrival: Arrival
    /// Rate for `constant` and `poisson`.
    public var ratePerSecond: Double
    /// Start and end rates for `ramp`.
    public var fromPerSecond: Double
    public var toPerSecond: Double
    /// Stages for `steps` (the run lasts as long as `duration_s`; the last step holds if steps are shorter).
    public var steps: [Step]
    /// Most submissions allowed in flight; an arrival that finds them all busy is counted as dropped (k6's
    /// dropped_iterations), never delayed.
    public var maxInFlight: Int

    public init(
        arrival: Arrival = .constant, ratePerSecond: Double = 10, fromPerSecond: Double = 0, toPerSecond: Double = 0,
        steps: [Step] = [], maxInFlight: Int = 256
    ) {
        self.arrival = arrival
        self.ratePerSecond = ratePerSecond
        self.fromPerSecond = fromPerSecond
        self.toPerSecond = toPerSecond
        self.steps = steps
        self.maxInFlight = maxInFlight
    }
}

/// Shape of the pipeline: how many worker processes and how they claim and run jobs.
public struct PipelineSpec: Codable, Sendable, Equatable {
    /// Number of worker processes.
    public var workers: Int
    /// Jobs one worker process runs at the same time.
    public var concurrencyPerWorker: Int
    /// How long one BZPOPMAX on `jobs:pending` blocks before the claim loop checks for shutdown.
    public var pollIntervalMs: Double
    /// Extra attempts after a failed attempt (0 = no retries).
    public var maxRetries: Int
    /// An attempt running longer than this (in scaled milliseconds) is cut off as a timeout; 0 = no timeout.
    public var jobTimeoutMs: Double

    public init(
        workers: Int = 2, concurrencyPerWorker: Int = 32, pollIntervalMs: Double = 100, maxRetries: Int = 0,
        jobTimeoutMs: Double = 0
    ) {
        self.workers = workers
        self.concurrencyPerWorker = concurrencyPerWorker
        self.pollIntervalMs = pollIntervalMs
        self.maxRetries = maxRetries
        self.jobTimeoutMs = jobTimeoutMs
    }
}

/// A distribution of simulated durations, in unscaled milliseconds.
public struct DurationSpec: Codable, Sendable, Equatable {
    /// The family of the distribution.
    public enum Distribution: String, Codable, Sendable, CaseIterable {
        /// Always `meanMs`.
        case fixed
        /// Uniform on `[minMs, maxMs]`.
        case uniform
        /// Exponential with mean `meanMs`.
        case exponential
        /// Log-normal with mean `meanMs` and shape `sigma`.
        case lognormal
    }

    public var distribution: Distribution
    public var meanMs: Double
    public var minMs: Double
    public var maxMs: Double
    public var sigma: Double

    public init(distribution: Distribution = .fixed, meanMs: Double = 0, minMs: Double = 0, maxMs: Double = 0, sigma: Double = 0.5) {
        self.distribution = distribution
        self.meanMs = meanMs
        self.minMs = minMs
        self.maxMs = maxMs
        self.sigma = sigma
    }

    /// A fixed duration.
    public static func fixed(_ ms: Double) -> Self { .init(distribution: .fixed, meanMs: ms) }
}

/// One simulated step of a job: a span with a duration, an error chance and children run in sequence.
public struct StepSpec: Codable, Sendable, Equatable {
    /// Span name, e.g. `comfyui-call`.
    public var name: String
    /// Time spent in this step itself (before its children run).
    public var duration: DurationSpec
    /// Chance that this step fails (recorded on its span, propagated to its ancestors).
    public var errorRatio: Double
    /// Nested steps, run one after another inside this step's span.
    public var children: [StepSpec]

    public init(name: String, duration: DurationSpec = .fixed(0), errorRatio: Double = 0, children: [StepSpec] = []) {
        self.name = name
        self.duration = duration
        self.errorRatio = errorRatio
        self.children = children
    }

    /// Depth of this step's subtree (1 for a leaf).
    public var depth: Int { 1 + (children.map(\.depth).max() ?? 0) }
    /// Number of steps in this subtree, itself included.
    public var stepCount: Int { 1 + children.reduce(0) { $0 + $1.stepCount } }
}

/// A kind of job in the mix (e.g. a ComfyUI workflow), chosen by weight.
public struct JobTypeSpec: Codable, Sendable, Equatable {
    /// Becomes the job's `service_required` field and the `job.service` attribute.
    public var service: String
    /// Relative weight in the job mix.
    public var weight: Double
    /// Priorities are drawn uniformly from this closed range (ZSET score; ZPOPMAX takes the highest first).
    public var priorityMin: Int
    public var priorityMax: Int
    /// The steps run inside `process-job`, in sequence.
    public var steps: [StepSpec]

    public init(service: String, weight: Double = 1, priorityMin: Int = 1, priorityMax: Int = 10, steps: [StepSpec]) {
        self.service = service
        self.weight = weight
        self.priorityMin = priorityMin
        self.priorityMax = priorityMax
        self.steps = steps
    }
}

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

/// Deliberate breakage, so tests can prove tracebench detects it.
public struct FaultSpec: Codable, Sendable, Equatable {
    /// Share of jobs whose API omits `trace_context`, breaking the trace between API and worker.
    public var dropContextRatio: Double
    /// Stall: SIGSTOP the launched collector for this many seconds (0 = never), `collectorPauseAtSeconds` into
    /// the load, then SIGCONT — to show how the SDK processes' memory grows while export is blocked.
    public var collectorPauseSeconds: Double = 0
    public var collectorPauseAtSeconds: Double = 0

    public init(dropContextRatio: Double = 0) {
        self.dropContextRatio = dropContextRatio
    }
}

/// Which Redis to use. Empty `url` (and no `--redis`/`REDIS_URL`) starts a private redis-server.
public struct RedisSpec: Codable, Sendable, Equatable {
    public var url: String
    public init(url: String = "") {
        self.url = url
    }
}
