import TracebenchMeasure

/// The summary file of `tracebench sink-speed` (`kind: sink_speed`): spans/s per round and target, medians, ratio.
public struct SinkSpeedSummary: Codable, Sendable {
    /// One timed round against one target.
    public struct Round: Codable, Sendable {
        /// `sink` or `collector`.
        public var target = ""
        public var seconds = 0.0
        public var requests = 0
        public var failures = 0
        public var spansAcknowledged = 0
        public var spansPerSecond = 0.0

        public init(target: String, seconds: Double, requests: Int, failures: Int, spansAcknowledged: Int, spansPerSecond: Double) {
            self.target = target
            self.seconds = seconds
            self.requests = requests
            self.failures = failures
            self.spansAcknowledged = spansAcknowledged
            self.spansPerSecond = spansPerSecond
        }

        enum CodingKeys: String, CodingKey {
            case target, seconds, requests, failures, spansAcknowledged = "spans_acknowledged", spansPerSecond = "spans_per_second"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(target: try c(.target, ""), seconds: try c(.seconds, 0), requests: try c(.requests, 0), failures: try c(.failures, 0),
                      spansAcknowledged: try c(.spansAcknowledged, 0), spansPerSecond: try c(.spansPerSecond, 0))
        }
    }

    public var schemaVersion = ResultsSchema.version
    public var kind = ResultsKind.sinkSpeed
    /// The scenario's name.
    public var scenario = ""
    public var scenarioFile = ScenarioFile()
    public var environment = EnvironmentInfo()
    public var `protocol` = ""
    public var batchSpans = 0
    public var concurrency = 0
    public var requestBytes = 0
    public var rounds: [Round] = []
    public var sinkSpansPerSecond = 0.0
    public var collectorSpansPerSecond = 0.0
    /// Sink ÷ collector; ≥ 1 means the sink is at least as fast as the collector it measures.
    public var ratio = 0.0
    public var problems: [Problem] = []
    public var interrupted = false

    public init(scenario: String, protocol: String, batchSpans: Int, concurrency: Int, requestBytes: Int) {
        self.scenario = scenario
        self.protocol = `protocol`
        self.batchSpans = batchSpans
        self.concurrency = concurrency
        self.requestBytes = requestBytes
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", kind, scenario, scenarioFile = "scenario_file", environment, `protocol`
        case batchSpans = "batch_spans", concurrency, requestBytes = "request_bytes", rounds
        case sinkSpansPerSecond = "sink_spans_per_second", collectorSpansPerSecond = "collector_spans_per_second", ratio, problems, interrupted
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try c(.schemaVersion, 1)
        kind = try c(.kind, .sinkSpeed)
        scenario = try c(.scenario, "")
        scenarioFile = try c(.scenarioFile, ScenarioFile())
        environment = try c(.environment, EnvironmentInfo())
        self.protocol = try c(.protocol, "")
        batchSpans = try c(.batchSpans, 0)
        concurrency = try c(.concurrency, 0)
        requestBytes = try c(.requestBytes, 0)
        rounds = try c(.rounds, [])
        sinkSpansPerSecond = try c(.sinkSpansPerSecond, 0)
        collectorSpansPerSecond = try c(.collectorSpansPerSecond, 0)
        ratio = try c(.ratio, 0)
        problems = try c(.problems, [])
        interrupted = try c(.interrupted, false)
    }
}
