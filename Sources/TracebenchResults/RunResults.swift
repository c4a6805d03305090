import TracebenchMeasure
import TracebenchMetrics

/// The results file of one run (`results/<scenario>-<UTC time>.json`, `kind: run`).
///
/// Every key is named explicitly (`CodingKeys`) and read with a default when absent, so files written by earlier
/// versions keep reading (golden fixtures in `Tests/TracebenchTests/Fixtures/results/` prove it) and keys a reader
/// does not know are ignored. Add keys, never rename; bump ``ResultsSchema/version`` when a key's meaning changes.
public struct RunResults: Codable, Sendable {
    public var schemaVersion = ResultsSchema.version
    public var kind = ResultsKind.run
    /// `ok`, `interrupted` or `failed` (``RunStatus/derive(problems:interrupted:)``).
    public var status = RunStatus.ok
    /// Everything that went wrong or makes figures partial.
    public var problems: [Problem] = []
    public var runID = ""
    public var startedAt = ""
    public var finishedAt = ""
    /// The scenario as the user wrote it (their key names), secrets redacted; schema 1 files hold the internal model.
    public var scenario = JSONValue.object([:])
    public var scenarioName = ""
    /// The scenario file and the SHA-256 of its bytes: runs compare only when these agree.
    public var scenarioFile = ScenarioFile()
    public var tracingEffective = TracingEffective()
    public var environment = EnvironmentInfo()
    public var jobs = JobCounts()
    public var traces = TraceFigures()
    public var sampling = SamplingFigures()
    /// Per phase (`submit`, `queue_wait`, `processing`, `end_to_end`, `visibility`): µs percentiles and histogram.
    public var latency: [String: LatencySummary] = [:]
    public var throughput = Throughput()
    /// Per process (`coordinator`, `api`, `worker-N`, `redis`, `collector`).
    public var resources: [String: ProcessUsage] = [:]
    public var spans = SpanCounts()
    public var sink = SinkCounts()
    public var overhead: [String: ArmOverhead]?
    public var budgets: Budgets?
    public var resourceBlocks: [ResourceBlock]?
    public var collector: CollectorFigures?
    public var firehose: FirehoseFigures?
    public var ceilings: [String: CeilingFigure]?
    public var stall: StallFigures?
    /// Black-box runs (`target:`): each job's trace outcome; nil for the built-in pipeline and the firehose.
    public var target: TargetFigures?
    /// `tracebench listen` files (`kind: listen`): the structure of what arrived; nil for runs.
    public var listen: ListenFigures?
    /// The service dependency graph of the run's whole traces; nil when no trace was whole (or for older files).
    public var topology: TopologyFigures?
    /// Where the end-to-end time goes, per `service/span` and `queue`; nil when no trace was whole.
    public var criticalPath: CriticalPathFigures?
    /// The errors' root causes and how far they propagated; nil when no trace was whole.
    public var errors: ErrorFigures?
    /// Per interval (`report_interval_s`): counters and latency histograms over time.
    public var series: IntervalSeries?
    /// Jobs runs and target runs: the generator's own schedule lag.
    public var load: LoadFigures?
    /// The thresholds the run was judged against, and the verdict.
    public var thresholds: GateVerdict?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", kind, status, problems, runID = "run_id", startedAt = "started_at"
        case finishedAt = "finished_at", scenario, scenarioName = "scenario_name", scenarioFile = "scenario_file"
        case tracingEffective = "tracing_effective", environment, jobs, traces, sampling, latency, throughput, resources
        case spans, sink, overhead, budgets, resourceBlocks = "resource_blocks", collector, firehose, ceilings, stall
        case series, thresholds, target, listen, topology, criticalPath = "critical_path", errors, load
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try c(.schemaVersion, 1)
        kind = try c(.kind, .run)
        status = try c(.status, RunStatus.ok)
        problems = try c(.problems, [])
        runID = try c(.runID, "")
        startedAt = try c(.startedAt, "")
        finishedAt = try c(.finishedAt, "")
        scenario = try c(.scenario, .object([:]))
        scenarioName = try c(.scenarioName, scenario["name"]?.string ?? "")
        scenarioFile = try c(.scenarioFile, ScenarioFile())
        tracingEffective = try c(.tracingEffective, TracingEffective())
        environment = try c(.environment, EnvironmentInfo())
        jobs = try c(.jobs, JobCounts())
        traces = try c(.traces, TraceFigures())
        sampling = try c(.sampling, SamplingFigures())
        latency = try c(.latency, [:])
        throughput = try c(.throughput, Throughput())
        resources = try c(.resources, [:])
        spans = try c(.spans, SpanCounts())
        sink = try c(.sink, SinkCounts())
        overhead = try c.decodeIfPresent([String: ArmOverhead].self, forKey: .overhead)
        budgets = try c.decodeIfPresent(Budgets.self, forKey: .budgets)
        resourceBlocks = try c.decodeIfPresent([ResourceBlock].self, forKey: .resourceBlocks)
        collector = try c.decodeIfPresent(CollectorFigures.self, forKey: .collector)
        firehose = try c.decodeIfPresent(FirehoseFigures.self, forKey: .firehose)
        ceilings = try c.decodeIfPresent([String: CeilingFigure].self, forKey: .ceilings)
        stall = try c.decodeIfPresent(StallFigures.self, forKey: .stall)
        series = try c.decodeIfPresent(IntervalSeries.self, forKey: .series)
        thresholds = try c.decodeIfPresent(GateVerdict.self, forKey: .thresholds)
        target = try c.decodeIfPresent(TargetFigures.self, forKey: .target)
        listen = try c.decodeIfPresent(ListenFigures.self, forKey: .listen)
        topology = try c.decodeIfPresent(TopologyFigures.self, forKey: .topology)
        criticalPath = try c.decodeIfPresent(CriticalPathFigures.self, forKey: .criticalPath)
        errors = try c.decodeIfPresent(ErrorFigures.self, forKey: .errors)
        load = try c.decodeIfPresent(LoadFigures.self, forKey: .load)
    }
}

/// The scenario file a run was made from.
public struct ScenarioFile: Codable, Sendable, Equatable {
    public var path = ""
    /// SHA-256 of the file's bytes (lowercase hex).
    public var sha256 = ""

    public init(path: String = "", sha256: String = "") {
        self.path = path
        self.sha256 = sha256
    }

    enum CodingKeys: String, CodingKey { case path, sha256 }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(path: try c(.path, ""), sha256: try c(.sha256, ""))
    }
}

/// The tracing configuration in force: the scenario's plus the `OTEL_*` variables that override it.
public struct TracingEffective: Codable, Sendable {
    /// `mode` of a load-only target's run: tracebench looked at no trace (no ledger, no correlation), so every trace
    /// figure is not measured.
    public static let notObserved = "not_observed"

    public var mode = ""
    public var `protocol` = ""
    public var sampler = ""
    public var ratio = 1.0
    public var endpoint = ""
    /// Header names only; values are secrets.
    public var headerNames: [String] = []
    public var environmentOverrides: [String: String] = [:]
    public var batch = BatchSettings()

    public init() {}

    enum CodingKeys: String, CodingKey {
        case mode, `protocol`, sampler, ratio, endpoint, headerNames = "header_names"
        case environmentOverrides = "environment_overrides", batch
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        mode = try c(.mode, "")
        self.protocol = try c(.protocol, "")
        sampler = try c(.sampler, "")
        ratio = try c(.ratio, 1)
        endpoint = try c(.endpoint, "")
        headerNames = try c(.headerNames, [])
        environmentOverrides = try c(.environmentOverrides, [:])
        batch = try c(.batch, BatchSettings())
    }
}

/// The batch span processor's settings as run.
public struct BatchSettings: Codable, Sendable, Equatable {
    public var scheduleDelayMs = 0
    public var maxQueueSize = 0
    public var maxExportBatchSize = 0
    public var exportTimeoutMs = 0

    public init(scheduleDelayMs: Int = 0, maxQueueSize: Int = 0, maxExportBatchSize: Int = 0, exportTimeoutMs: Int = 0) {
        self.scheduleDelayMs = scheduleDelayMs
        self.maxQueueSize = maxQueueSize
        self.maxExportBatchSize = maxExportBatchSize
        self.exportTimeoutMs = exportTimeoutMs
    }

    enum CodingKeys: String, CodingKey {
        case scheduleDelayMs = "schedule_delay_ms", maxQueueSize = "max_queue_size"
        case maxExportBatchSize = "max_export_batch_size", exportTimeoutMs = "export_timeout_ms"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(scheduleDelayMs: try c(.scheduleDelayMs, 0), maxQueueSize: try c(.maxQueueSize, 0),
                  maxExportBatchSize: try c(.maxExportBatchSize, 0), exportTimeoutMs: try c(.exportTimeoutMs, 0))
    }
}

/// Where the run happened: what a comparison between two runs needs to know is the same.
public struct EnvironmentInfo: Codable, Sendable, Equatable {
    public var gitRevision = ""
    public var swiftVersion = ""
    public var cpuCount = 0
    public var host = ""
    public var os = ""
    public var tracebenchVersion = ""
    /// The swift-otel release the pipeline was built with.
    public var swiftOTelVersion = ""
    public var cpuModel = ""
    public var memoryBytes: UInt64 = 0
    public var kernel = ""
    /// SHA-256 of CPU model, cores, memory and kernel: runs on the same kind of machine share it.
    public var hostFingerprint = ""

    public init() {}

    enum CodingKeys: String, CodingKey {
        case gitRevision = "git_revision", swiftVersion = "swift_version", cpuCount = "cpu_count", host, os
        case tracebenchVersion = "tracebench_version", swiftOTelVersion = "swift_otel_version", cpuModel = "cpu_model"
        case memoryBytes = "memory_bytes", kernel, hostFingerprint = "host_fingerprint"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        gitRevision = try c(.gitRevision, "")
        swiftVersion = try c(.swiftVersion, "")
        cpuCount = try c(.cpuCount, 0)
        host = try c(.host, "")
        os = try c(.os, "")
        tracebenchVersion = try c(.tracebenchVersion, "")
        swiftOTelVersion = try c(.swiftOTelVersion, "")
        cpuModel = try c(.cpuModel, "")
        memoryBytes = try c(.memoryBytes, 0)
        kernel = try c(.kernel, "")
        hostFingerprint = try c(.hostFingerprint, "")
    }

    /// The fingerprint of a machine description.
    public static func fingerprint(cpuModel: String, cpuCount: Int, memoryBytes: UInt64, kernel: String) -> String {
        SHA256.hex("\(cpuModel)|\(cpuCount)|\(memoryBytes)|\(kernel)")
    }
}

extension RunResults {
    /// A jobs run whose every arm had `tracing.mode: off`: it has no trace figures at all.
    public var tracingOff: Bool { firehose == nil && overhead == nil && tracingEffective.mode == "off" }
    /// Whether tracebench looked at traces at all (false for a load-only target: its trace rates are not measured).
    public var tracesObserved: Bool { tracingEffective.mode != TracingEffective.notObserved }
}
