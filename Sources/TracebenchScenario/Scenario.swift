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
    /// Target runs: how long after its job finished a trace may still be arriving (later spans are late).
    public var visibilityDeadlineSeconds = 10.0
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
    /// Where the embedded sink listens and who may post to it.
    public var sink = SinkSpec()
    /// The user's own system as the system under test (black-box mode); nil: the built-in pipeline.
    public var target: TargetSpec?
    /// Several hosts offering the schedule (`agents:`); nil: this host alone.
    public var agents: AgentsSpec?
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
    /// The least time between two wake-ups of one load lane (µs): arrivals due within it are sent together, each at
    /// most this late. Waking for every arrival costs a context switch each (the largest part of a request's CPU on a
    /// virtual machine); at rates where arrivals are closer than this it is what keeps the generator from being the
    /// bottleneck. 300 by default: at 60,000–70,000 arrivals a second on two cores shared with the target, 200 left the
    /// generator short of CPU and behind its schedule (lag p99 3.9 ms, drops), 300–350 held it (p99 0.7–0.9 ms) for
    /// +0.05 ms of median lag; 500 and more spend the lag on the window itself.
    public var batchWindowMicros: Int = 300

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
    /// Target runs: this type's own placeholders in `target.submit` (name → value).
    public var fields: [String: String] = [:]
    /// Target runs: what a complete trace of this type holds (nil: `target.expect`).
    public var expect: [TargetSpec.Expectation]?

    public init(service: String, weight: Double = 1, priorityMin: Int = 1, priorityMax: Int = 10, steps: [StepSpec]) {
        self.service = service
        self.weight = weight
        self.priorityMin = priorityMin
        self.priorityMax = priorityMax
        self.steps = steps
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
