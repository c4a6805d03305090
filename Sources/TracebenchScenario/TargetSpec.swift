/// The user's own system as the system under test (black-box mode): tracebench offers the scenario's arrivals as
/// HTTP requests to it, reads its ground truth from its Redis (read-only), and judges each job's trace at the sink.
/// With `submit` alone (no `correlate`, `ledger` or `expect`) the target is load only: a job is its request, done
/// when answered with a status in `accept`, and no trace is judged.
///
/// Placeholders in `launch.command`, `launch.env`, `launch.ready`, `submit.url` and `ledger.redis.url`:
/// `{api_port}` and `{redis_port}` (free loopback ports tracebench picked), `{sink_url}`, `{sink_traces_url}`,
/// `{sink_grpc_url}`, `{sink_zipkin_url}` (tracebench's sink, or the launched collector's receivers) and `{scenario_dir}`. In
/// `submit.body`: `{job_id}`, `{service}`, `{priority}`, `{index}`.
public struct TargetSpec: Codable, Sendable, Equatable {
    /// tracebench starts the system and stops it at the end (absent: the system already runs).
    public struct Launch: Codable, Sendable, Equatable {
        public var command: [String]
        public var env: [String: String] = [:]
        /// When it is up: a port (TCP connect) or an http:// URL answering 2xx.
        public var ready: String
        /// How long the process group has after SIGTERM (its exporters flush) before SIGKILL.
        public var stopTimeoutSeconds = 30.0
        public init(command: [String], env: [String: String] = [:], ready: String) {
            self.command = command
            self.env = env
            self.ready = ready
        }
    }

    /// One request per arrival of the schedule (open model).
    public struct Submit: Codable, Sendable, Equatable {
        public var url: String
        public var method = "POST"
        public var headers: [String: String] = [:]
        public var body = ""
        /// HTTP statuses that mean the job was accepted.
        public var accept: [Int] = [200, 201, 202]
        /// Whether tracebench starts each trace (a `traceparent` header from its own seeded head decision).
        public var traceparent = TraceParentMode.none
        /// With `traceparent: inject`: the share of jobs tracebench marks sampled.
        public var injectRatio = 1.0
        public init(url: String) { self.url = url }
    }

    /// Who starts each job's trace.
    public enum TraceParentMode: String, Codable, Sendable, CaseIterable {
        /// The system, with its own sampler (the production path).
        case none
        /// tracebench: random trace ids, the sampled flag from its own seeded decision at `inject_ratio`, its client
        /// span (service `tracebench`) kept as the root, so the truth of every head decision is known.
        case inject
    }

    /// Where a job's trace id is found.
    public enum TraceIDSource: Codable, Sendable, Equatable {
        /// A field of the job's ledger hash holding a W3C traceparent, or JSON whose `key` holds one
        /// (`ledger:trace_context#traceparent`).
        case ledger(field: String, key: String?)
        /// A response header holding a traceparent-form value or a 32-hex trace id (`response_header:traceresponse`).
        case responseHeader(String)
        /// A string in the submit response's JSON body at an RFC 6901 JSON pointer (`response:/trace/id`), holding a
        /// traceparent-form value or a 32-hex trace id.
        case responseBody(pointer: String)
        /// The trace tracebench started (`submit.traceparent: inject`).
        case injected
    }

    /// How a job finds its trace: the trace id channel and the span attribute carrying the job id (the second
    /// channel: spans of job X in a trace other than X's are broken context).
    public struct Correlate: Codable, Sendable, Equatable {
        public var traceID: TraceIDSource
        public var jobAttribute = "job.id"
        public init(traceID: TraceIDSource) { self.traceID = traceID }
    }

    /// The ground truth in the user's Redis, read-only.
    public struct Ledger: Codable, Sendable, Equatable {
        public var url: String
        /// The job's hash key, with `{job_id}`.
        public var key = "job:{job_id}"
        public var statusField = "status"
        /// Statuses that mean the job finished (the drain waits for them).
        public var done = ["completed", "failed"]
        /// Of those, the ones that mean it failed.
        public var failed = ["failed"]
        /// Time fields of the hash that time the phases inside the system (nil: not measured).
        public var times: LedgerTimes?
        public init(url: String) { self.url = url }
    }

    /// What a complete trace holds from one service.
    public struct Expectation: Codable, Sendable, Equatable {
        public var service: String
        /// Span names that must each appear at least once.
        public var spans: [String] = []
        /// Span names that must appear at least this often.
        public var atLeast: [String: Int] = [:]
        public init(service: String, spans: [String] = [], atLeast: [String: Int] = [:]) {
            self.service = service
            self.spans = spans
            self.atLeast = atLeast
        }

        /// Span name → the fewest times it must appear: `at_least`, and 1 for each of `spans`.
        public var minimumCounts: [String: Int] {
            var counts = atLeast
            for name in spans { counts[name] = max(counts[name] ?? 0, 1) }
            return counts
        }
    }

    public var launch: Launch?
    public var submit: Submit
    /// nil: load only.
    public var correlate: Correlate?
    /// nil: load only.
    public var ledger: Ledger?
    /// Empty: load only.
    public var expect: [Expectation]

    /// Whether the target is load only (no ledger, no correlation, no trace judged).
    public var isLoadOnly: Bool { ledger == nil }

    public init(launch: Launch? = nil, submit: Submit, correlate: Correlate?, ledger: Ledger?, expect: [Expectation]) {
        self.launch = launch
        self.submit = submit
        self.correlate = correlate
        self.ledger = ledger
        self.expect = expect
    }
}
