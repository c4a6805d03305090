import TracebenchMeasure

/// The summary file of `tracebench sink-speed` (`kind: sink_speed`): spans/s per round and target, medians, ratio.
public struct SinkSpeedSummary: Codable, Sendable {
    /// One timed round against one target.
    public struct Round: Codable, Sendable {
        /// `sink` or `collector`.
        public var target = ""
        /// The timed round's length, s: first send to last answer (after a 1 s warm-up that is not counted).
        public var seconds = 0.0
        /// Requests sent in the timed round, failed ones included.
        public var requests = 0
        /// Requests that failed.
        public var failures = 0
        /// Spans in the requests the target acknowledged (successful requests × `batch_spans`).
        public var spansAcknowledged = 0
        /// `spans_acknowledged` ÷ `seconds`, spans per second.
        public var spansPerSecond = 0.0

        /// A round from its parts.
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

        /// Reads any schema version; absent keys take their defaults.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(target: try c(.target, ""), seconds: try c(.seconds, 0), requests: try c(.requests, 0), failures: try c(.failures, 0),
                      spansAcknowledged: try c(.spansAcknowledged, 0), spansPerSecond: try c(.spansPerSecond, 0))
        }
    }

    /// The results schema version the file was written with (1 when absent: a schema 1 file).
    public var schemaVersion = ResultsSchema.version
    /// Always `sink_speed`.
    public var kind = ResultsKind.sinkSpeed
    /// The scenario's name.
    public var scenario = ""
    /// The scenario file's path and SHA-256.
    public var scenarioFile = ScenarioFile()
    /// The machine and build the rounds ran on, probed once at the start.
    public var environment = EnvironmentInfo()
    /// The OTLP transport both targets were sent (`firehose.protocol`: `http/protobuf`, `http/json` or `grpc`).
    public var `protocol` = ""
    /// Spans per request (`firehose.batch_spans`).
    public var batchSpans = 0
    /// Closed-loop lanes, each with one request outstanding (`firehose.concurrency`).
    public var concurrency = 0
    /// Mean size of the pre-encoded requests, bytes.
    public var requestBytes = 0
    /// Every timed round, in the order run (sink, collector, collector, sink, …).
    public var rounds: [Round] = []
    /// Median `spans_per_second` over the sink's rounds (0 without any).
    public var sinkSpansPerSecond = 0.0
    /// Median `spans_per_second` over the collector's rounds (0 without any).
    public var collectorSpansPerSecond = 0.0
    /// Sink ÷ collector; ≥ 1 means the sink is at least as fast as the collector it measures.
    public var ratio = 0.0
    /// Failed requests, and spans the sink acknowledged but did not store.
    public var problems: [Problem] = []
    /// Whether SIGINT/SIGTERM stopped the rounds early.
    public var interrupted = false

    /// An empty summary of `scenario`'s sender settings.
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

    /// Reads any schema version; absent keys take their defaults.
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
