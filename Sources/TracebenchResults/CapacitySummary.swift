import TracebenchMeasure

/// The summary file of `tracebench capacity` (`kind: capacity`): every step as judged, the knee, what limited the
/// sweep, and the plan.
public struct CapacitySummary: Codable, Sendable {
    /// One step of the sweep as judged by the threshold engine.
    public struct Step: Codable, Sendable {
        /// The step's rate, spans/s: the firehose's offered rate (a jobs sweep: spans/s received at the sink).
        public var spansPerSecond = 0.0
        /// Whether the step's run ended ok and every capacity limit passed.
        public var passed = false
        /// Why the step failed (empty when it passed): the failed thresholds' messages.
        public var reasons: [String] = []
        /// Whose limit broke: `collector` (`pipeline` in a jobs sweep) or `sender` (``CapacityLimit/none`` when it passed).
        public var limitedBy = CapacityLimit.none
        /// Spans received at the sink per second over the step's load window (`throughput.spans_per_second`).
        public var spansPerSecondOut = 0.0
        /// Distinct traces received at the sink per minute (`throughput.traces_per_minute`).
        public var tracesPerMinute = 0.0
        /// Spans dropped ÷ spans the firehose sent, a share 0…1 (0 in a jobs sweep).
        public var dropRatio = 0.0
        /// p99 of visibility (span end → received by the sink), ms; 0 when not measured.
        public var visibilityP99Ms = 0.0
        /// The collector's mean CPU load, percent of one core (0 without a collector under test, and in a jobs sweep).
        public var collectorCPUPercentAvg = 0.0
        /// The collector's largest sampled RSS, bytes (0 without a collector under test, and in a jobs sweep).
        public var collectorRSSBytesMax: UInt64 = 0
        /// Bytes per trace as received at the sink: the collector's `bytes_per_trace` (a jobs sweep: sink body bytes ÷
        /// traces received).
        public var bytesPerTrace = 0.0
        /// Path of the step's own results file.
        public var resultsFile = ""
        /// The capacity limits as thresholds and how this step fared against them.
        public var verdict: GateVerdict?
        /// Jobs mode: the offered jobs/s, what completed, the p99s and the largest SDK process RSS.
        public var jobsPerSecond = 0.0
        /// Jobs mode: jobs finished (completed or failed) per second over the step's load window.
        public var jobsCompletedPerSecond = 0.0
        /// Jobs mode: p99 of queue wait (submitted → claimed), ms.
        public var queueWaitP99Ms = 0.0
        /// Jobs mode: p99 of end to end (intended start → result written), ms.
        public var endToEndP99Ms = 0.0
        /// Jobs mode: the largest peak RSS of the API and worker processes, bytes.
        public var sdkRSSBytesMax: UInt64 = 0

        /// An empty step; the sweep fills it in.
        public init() {}

        enum CodingKeys: String, CodingKey {
            case spansPerSecond = "spans_per_second", passed, reasons, limitedBy = "limited_by"
            case spansPerSecondOut = "spans_per_second_out", tracesPerMinute = "traces_per_minute", dropRatio = "drop_ratio"
            case visibilityP99Ms = "visibility_p99_ms", collectorCPUPercentAvg = "collector_cpu_percent_avg"
            case collectorRSSBytesMax = "collector_rss_bytes_max", bytesPerTrace = "bytes_per_trace", resultsFile = "results_file", verdict
            case jobsPerSecond = "jobs_per_second", jobsCompletedPerSecond = "jobs_completed_per_second", queueWaitP99Ms = "queue_wait_p99_ms"
            case endToEndP99Ms = "end_to_end_p99_ms", sdkRSSBytesMax = "sdk_rss_bytes_max"
        }

        /// Reads any schema version; absent keys take their defaults.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            spansPerSecond = try c(.spansPerSecond, 0)
            passed = try c(.passed, false)
            reasons = try c(.reasons, [])
            limitedBy = try c(.limitedBy, CapacityLimit.none)
            spansPerSecondOut = try c(.spansPerSecondOut, 0)
            tracesPerMinute = try c(.tracesPerMinute, 0)
            dropRatio = try c(.dropRatio, 0)
            visibilityP99Ms = try c(.visibilityP99Ms, 0)
            collectorCPUPercentAvg = try c(.collectorCPUPercentAvg, 0)
            collectorRSSBytesMax = try c(.collectorRSSBytesMax, 0)
            bytesPerTrace = try c(.bytesPerTrace, 0)
            resultsFile = try c(.resultsFile, "")
            verdict = try c.decodeIfPresent(GateVerdict.self, forKey: .verdict)
            jobsPerSecond = try c(.jobsPerSecond, 0)
            jobsCompletedPerSecond = try c(.jobsCompletedPerSecond, 0)
            queueWaitP99Ms = try c(.queueWaitP99Ms, 0)
            endToEndP99Ms = try c(.endToEndP99Ms, 0)
            sdkRSSBytesMax = try c(.sdkRSSBytesMax, 0)
        }
    }

    /// The results schema version the file was written with (1 when absent: a schema 1 file).
    public var schemaVersion = ResultsSchema.version
    /// Always `capacity`.
    public var kind = ResultsKind.capacity
    /// The scenario's name.
    public var scenario = ""
    /// The scenario file's path and SHA-256.
    public var scenarioFile = ScenarioFile()
    /// The machine and build the sweep ran on, probed once at its start.
    public var environment = EnvironmentInfo()
    /// Every step run, in order; the sweep stops after the first that fails or is interrupted.
    public var steps: [Step] = []
    /// Highest passing step's rate in spans/s (nil when even the first failed): the firehose's offered rate, or in a
    /// jobs sweep the spans/s the sink received at that step.
    public var kneeSpansPerSecond: Double?
    /// Distinct traces per minute at the sink at the knee step (nil when even the first step failed).
    public var kneeTracesPerMinute: Double?
    /// What ended the sweep: `collector` (a limit broke: the knee is the collector's), `sender` (only the sender fell
    /// behind: a lower bound), `max_steps` (every step passed: a lower bound too) or `interrupted`.
    public var limitedBy = CapacityLimit.maxSteps
    /// The plan's target, traces per minute (`capacity.target_traces_per_min`).
    public var targetTracesPerMinute = 0.0
    /// Firehose mode: collectors the target needs, target ÷ knee traces/min rounded up (nil without a knee).
    public var collectorsNeeded: Int?
    /// Storage at the target, bytes per day: the knee step's bytes per trace × target traces/min (jobs mode: target
    /// jobs/min × sampling ratio) × 1,440; nil without a knee.
    public var storageBytesPerDay: Double?
    /// Whether SIGINT/SIGTERM interrupted a step (the sweep stopped there).
    public var interrupted = false
    /// `firehose` (the collector's capacity) or `jobs` (the pipeline's).
    public var mode = "firehose"
    /// Jobs mode: the knee in jobs/min, the plan's target and the workers it needs.
    public var kneeJobsPerMinute: Double?
    /// Jobs mode: the plan's target, jobs per minute (`capacity.target_jobs_per_min`); nil in firehose mode.
    public var targetJobsPerMinute: Double?
    /// Jobs mode: workers the target needs at the knee's jobs/s per worker, rounded up (nil without a knee).
    public var workersNeeded: Int?

    /// An empty summary of a sweep of `scenario` planned for `targetTracesPerMinute`.
    public init(scenario: String, targetTracesPerMinute: Double) {
        self.scenario = scenario
        self.targetTracesPerMinute = targetTracesPerMinute
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", kind, scenario, scenarioFile = "scenario_file", environment, steps
        case kneeSpansPerSecond = "knee_spans_per_second", kneeTracesPerMinute = "knee_traces_per_minute", limitedBy = "limited_by"
        case targetTracesPerMinute = "target_traces_per_minute", collectorsNeeded = "collectors_needed"
        case storageBytesPerDay = "storage_bytes_per_day", interrupted, mode, kneeJobsPerMinute = "knee_jobs_per_minute"
        case targetJobsPerMinute = "target_jobs_per_minute", workersNeeded = "workers_needed"
    }

    /// Reads any schema version; absent keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try c(.schemaVersion, 1)
        kind = try c(.kind, .capacity)
        scenario = try c(.scenario, "")
        scenarioFile = try c(.scenarioFile, ScenarioFile())
        environment = try c(.environment, EnvironmentInfo())
        steps = try c(.steps, [])
        kneeSpansPerSecond = try c.decodeIfPresent(Double.self, forKey: .kneeSpansPerSecond)
        kneeTracesPerMinute = try c.decodeIfPresent(Double.self, forKey: .kneeTracesPerMinute)
        limitedBy = try c(.limitedBy, CapacityLimit.maxSteps)
        targetTracesPerMinute = try c(.targetTracesPerMinute, 0)
        collectorsNeeded = try c.decodeIfPresent(Int.self, forKey: .collectorsNeeded)
        storageBytesPerDay = try c.decodeIfPresent(Double.self, forKey: .storageBytesPerDay)
        interrupted = try c(.interrupted, false)
        mode = try c(.mode, "firehose")
        kneeJobsPerMinute = try c.decodeIfPresent(Double.self, forKey: .kneeJobsPerMinute)
        targetJobsPerMinute = try c.decodeIfPresent(Double.self, forKey: .targetJobsPerMinute)
        workersNeeded = try c.decodeIfPresent(Int.self, forKey: .workersNeeded)
    }
}

/// What ended a capacity sweep or broke one of its steps (`limited_by`), a word of the results' vocabulary.
public struct CapacityLimit: OpenVocabulary, ExpressibleByStringLiteral {
    /// The word as stored (`collector`, `max_steps`, …; empty for ``none``).
    public let rawValue: String
    /// The word `rawValue`, known or not.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// The word written as a string literal.
    public init(stringLiteral value: String) { self.rawValue = value }

    /// The step passed: nothing limited it.
    public static let none = CapacityLimit(rawValue: "")
    /// A collector limit broke (a firehose sweep): the knee is the collector's.
    public static let collector = CapacityLimit(rawValue: "collector")
    /// A pipeline limit broke (a jobs sweep): the knee is the pipeline's.
    public static let pipeline = CapacityLimit(rawValue: "pipeline")
    /// Only tracebench's own sender or load generator fell behind: the knee is a lower bound.
    public static let sender = CapacityLimit(rawValue: "sender")
    /// Every step passed: the knee is a lower bound.
    public static let maxSteps = CapacityLimit(rawValue: "max_steps")
    /// The sweep was interrupted.
    public static let interrupted = CapacityLimit(rawValue: "interrupted")

    /// Whether the knee is the system's own limit (not a lower bound set by the harness or the step budget).
    public var isSystemLimit: Bool { self == .collector || self == .pipeline }
}
