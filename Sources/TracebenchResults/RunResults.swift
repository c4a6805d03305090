import TracebenchMeasure
import TracebenchScenario

/// The results file of one run (`results/<scenario>-<UTC time>.json`), written with snake_case keys.
///
/// Key names are fixed (CI gates and later tools read them); add keys, never rename. `schema_version` changes
/// when a key's meaning changes.
public struct RunResults: Codable, Sendable {
    public static let currentSchemaVersion = 1

    public var schemaVersion = RunResults.currentSchemaVersion
    /// `ok`, `interrupted` (SIGINT/SIGTERM: partial figures), or `failed` (a component died: figures flagged).
    public var status = "ok"
    /// Everything that went wrong or makes figures partial, one sentence each.
    public var problems: [String] = []
    public var runID = ""
    public var startedAt = ""
    public var finishedAt = ""
    /// The scenario as run, secrets redacted.
    public var scenario: Scenario
    public var tracingEffective: TracingEffective
    public var environment: EnvironmentInfo
    public var jobs = JobCounts()
    public var traces = TraceFigures()
    public var sampling = SamplingFigures()
    /// Per phase (`submit`, `queue_wait`, `processing`, `end_to_end`, `visibility`): µs percentiles.
    public var latency: [String: LatencySummary] = [:]
    public var throughput = Throughput()
    /// Per process (`coordinator`, `api`, `worker-N`, `redis`): peak RSS and CPU seconds.
    public var resources: [String: ProcessUsage] = [:]
    public var spans = SpanCounts()
    public var sink = SinkCounts()
    /// Overhead runs: per instrumented arm, what tracing costs against the baseline arm.
    public var overhead: [String: ArmOverhead]?
    /// Overhead runs: the design document's budgets and each arm's verdict.
    public var budgets: Budgets?
    /// Overhead runs: the resource phase's blocks, as measured.
    public var resourceBlocks: [ResourceBlock]?
    /// Runs through a collector: what went in, what came out, and what the collector used.
    public var collector: CollectorFigures?
    /// Firehose runs: what the sender did.
    public var firehose: FirehoseFigures?
    /// Memory ceilings (`ceilings:` in the scenario), per process.
    public var ceilings: [String: CeilingFigure]?
    /// `faults.collector_pause_s`: when the collector was stopped and resumed, and the SDK processes' RSS growth.
    public var stall: StallFigures?

    public init(scenario: Scenario, tracingEffective: TracingEffective, environment: EnvironmentInfo) {
        self.scenario = scenario
        self.tracingEffective = tracingEffective
        self.environment = environment
    }
}

/// The tracing configuration in force: the scenario's plus the `OTEL_*` variables that override it.
public struct TracingEffective: Codable, Sendable {
    public var mode: String
    public var `protocol`: String
    public var sampler: String
    public var ratio: Double
    public var endpoint: String
    /// Header names only; values are secrets.
    public var headerNames: [String]
    public var environmentOverrides: [String: String]
    public var batch: TracingSpec.Batch

    public init(spec: TracingSpec, endpoint: String, environmentOverrides: [String: String]) {
        mode = spec.mode.rawValue
        self.protocol = spec.protocol.rawValue
        sampler = spec.sampler.rawValue
        ratio = spec.configuredRatio
        self.endpoint = endpoint
        headerNames = spec.headers.keys.sorted()
        self.environmentOverrides = environmentOverrides
        batch = spec.batch
    }
}

/// Where the run happened.
public struct EnvironmentInfo: Codable, Sendable {
    public var gitRevision: String
    public var swiftVersion: String
    public var cpuCount: Int
    public var host: String
    public var os: String
    public var tracebenchVersion: String

    public init(gitRevision: String, swiftVersion: String, cpuCount: Int, host: String, os: String, tracebenchVersion: String) {
        self.gitRevision = gitRevision
        self.swiftVersion = swiftVersion
        self.cpuCount = cpuCount
        self.host = host
        self.os = os
        self.tracebenchVersion = tracebenchVersion
    }
}

/// The job ledger: `submitted = completed + failed + pending` always holds.
public struct JobCounts: Codable, Sendable, Equatable {
    /// Jobs the API accepted (201).
    public var submitted = 0
    public var completed = 0
    public var failed = 0
    /// Accepted but not finished when the run ended (queued or in progress).
    public var pending = 0
    /// Arrivals not started because `max_in_flight` submissions were outstanding (k6's dropped_iterations).
    public var droppedArrivals = 0
    /// Arrivals started more than 1 ms after their intended time.
    public var lateStarts = 0
    /// Submissions that failed (HTTP error or transport error).
    public var submitErrors = 0
    /// Extra attempts the workers made (attempts beyond the first).
    public var retries = 0
    public var timeouts = 0

    public init() {}
}

/// How the received traces compare with the ledger.
public struct TraceFigures: Codable, Sendable {
    public var expected = 0
    public var received = 0
    public var complete = 0
    /// complete ÷ expected (1.0 when nothing was expected).
    public var completeness = 1.0
    public var orphanSpans = 0
    public var brokenContext = 0
    /// Share of jobs (whose API and worker spans both arrived) with a broken context, with its 95 % interval.
    public var brokenContextShare = ProportionEstimate.wilson(successes: 0, trials: 0)
    /// Max depth of each received trace → count (keys are depths as text).
    public var depth: [String: Int] = [:]
    public var maxDepth = 0
    public var errorSpans = 0
    public var tracesWithErrors = 0
    /// Share of error spans (with a received parent) whose parent is also ERROR.
    public var errorAttribution = ProportionEstimate.wilson(successes: 0, trials: 0)

    public init() {}
}

/// Configured vs observed head sampling of root (API) traces.
public struct SamplingFigures: Codable, Sendable {
    public var configuredRatio = 0.0
    /// Jobs whose API trace reached the sink ÷ jobs submitted.
    public var observedRatio = 0.0
    public var ciLow = 0.0
    public var ciHigh = 1.0
    /// Jobs the SDK decided to sample ÷ jobs submitted (from the ledger, before export).
    public var decidedRatio = 0.0
    public var trials = 0

    public init() {}
}

/// Rates over the load window (`window_seconds`, the scenario's duration).
public struct Throughput: Codable, Sendable {
    public var windowSeconds = 0.0
    public var jobsSubmittedPerSecond = 0.0
    public var jobsCompletedPerSecond = 0.0
    /// Distinct traces received at the sink per minute.
    public var tracesPerMinute = 0.0
    public var spansPerSecond = 0.0

    public init() {}
}

/// Span accounting; `dropped = exported − received` (swift-otel reports no drop count of its own).
public struct SpanCounts: Codable, Sendable {
    /// Spans the instrumentation started (sampled or not).
    public var created = 0
    /// Sampled spans handed to the OTLP exporter (0 unless mode is otlp).
    public var exported = 0
    public var received = 0
    public var dropped = 0

    public init() {}
}

/// What the embedded sink saw on the wire.
public struct SinkCounts: Codable, Sendable {
    /// Export requests accepted, over either transport…
    public var requests = 0
    /// …of which over OTLP/gRPC.
    public var grpcRequests = 0
    /// Body bytes as received: compressed over HTTP when the sender compressed; gRPC messages after inflation.
    public var bodyBytes = 0
    public var rejected: [String: Int] = [:]

    public init() {}
}

/// What a firehose sender did (spans received are in `spans`, drops in `spans.dropped`).
public struct FirehoseFigures: Codable, Sendable {
    public var requestsSent: Int
    public var requestsFailed: Int
    /// Batches not sent because `concurrency` requests were outstanding.
    public var batchesDropped: Int
    public var spansSent: Int
    public var bytesSent: Int
    public var sendRateSpansPerSecond: Double

    public init(requestsSent: Int, requestsFailed: Int, batchesDropped: Int, spansSent: Int, bytesSent: Int, sendRateSpansPerSecond: Double) {
        self.requestsSent = requestsSent
        self.requestsFailed = requestsFailed
        self.batchesDropped = batchesDropped
        self.spansSent = spansSent
        self.bytesSent = bytesSent
        self.sendRateSpansPerSecond = sendRateSpansPerSecond
    }
}
