import TracebenchMeasure

/// The collector under test: the SDKs export to it, and its exporter points at tracebench's sink, so every span
/// travels SDK → collector → sink and tracebench measures what came through and what the collector used.
public struct CollectorSpec: Codable, Sendable, Equatable {
    /// A collector tracebench starts as a child process (and stops at the end).
    ///
    /// `command` and `env` values may hold placeholders, filled in before launch: `{otlp_http_port}` and
    /// `{otlp_grpc_port}` (free loopback ports tracebench picked for the collector's receivers),
    /// `{health_port}` (a third free port, for a health endpoint), `{config_file}` (the rendered `configTemplate`),
    /// `{sink_url}` (`http://127.0.0.1:<sink port>`), `{sink_traces_url}` (`{sink_url}/v1/traces`),
    /// `{sink_grpc_url}` (`http://127.0.0.1:<sink gRPC port>`, the sink's OTLP/gRPC receiver) and
    /// `{rotel_agent}` (the `rotel-agent` binary of the installed `rotel` Python package), `{scenario_dir}` (the
    /// scenario file's absolute directory), and from `collector.sampling` (keep-all when absent):
    /// `{sampling_threshold}` (`th` hex, 10 % → `e666`), `{sampling_ratio}` and `{sampling_percentage}` (the keep
    /// probability that threshold gives) and `{decision_wait_s}`.
    public struct Launch: Codable, Sendable, Equatable {
        public var command: [String]
        public var env: [String: String]
        /// Where the SDKs (or the firehose) export; default `http://127.0.0.1:{otlp_http_port}/v1/traces`, or
        /// `http://127.0.0.1:{otlp_grpc_port}` when the protocol is `grpc`.
        public var endpoint: String
        /// When the collector is ready: a port number (TCP connect) or an http:// URL answering 2xx; default
        /// `{otlp_http_port}`.
        public var ready: String
        /// A collector config file with the same placeholders, rendered per run; `{config_file}` is its path.
        public var configTemplate: String = ""
        /// The collector's Prometheus metrics (placeholders allowed), scraped before and after the run.
        public var metricsURL: String = ""

        public init(command: [String], env: [String: String] = [:], endpoint: String = "", ready: String = "", configTemplate: String = "",
                    metricsURL: String = "") {
            self.configTemplate = configTemplate
            self.metricsURL = metricsURL
            self.command = command
            self.env = env
            self.endpoint = endpoint
            self.ready = ready
        }
    }

    /// A collector that is already running (its exporter must already point at a sink tracebench can't move:
    /// trace figures are then not measured; its process is still sampled when `pid` is given).
    public struct Attach: Codable, Sendable, Equatable {
        public var endpoint: String
        public var pid: Int
        /// The collector's Prometheus metrics (otelcol: `http://host:8888/metrics`), scraped before and after the
        /// run for its accepted / refused / sent / send-failed span counters.
        public var metricsURL: String

        public init(endpoint: String, pid: Int = 0, metricsURL: String = "") {
            self.endpoint = endpoint
            self.pid = pid
            self.metricsURL = metricsURL
        }
    }

    /// What the collector's own sampler does, as declared by the scenario, so the run can say what end-to-end keep
    /// rate to expect. tracebench cannot see inside the collector: these are claims the figures then test.
    public struct Sampling: Codable, Sendable, Equatable {
        /// The keep probability of the collector's consistent (OTEP 235) sampler, rounded as its `th` is.
        public var ratio: Double
        /// Whether the collector keeps every error span whatever the ratio says (tail mode).
        public var keepsErrors: Bool
        /// How long a tail sampler waits for a trace's spans before deciding (otelcol `decision_wait`).
        public var decisionWaitSeconds: Double

        public init(ratio: Double = 1, keepsErrors: Bool = false, decisionWaitSeconds: Double = 10) {
            self.ratio = ratio
            self.keepsErrors = keepsErrors
            self.decisionWaitSeconds = decisionWaitSeconds
        }

        /// The threshold the collector writes (`ot=th:…`), four hex digits as the spec's samplers round.
        public var threshold: ConsistentThreshold { ConsistentThreshold(ratio: ratio) }
    }

    public var launch: Launch?
    public var attach: Attach?
    /// Nil when the collector does not sample (every span it receives is exported).
    public var sampling: Sampling?

    public init(launch: Launch? = nil, attach: Attach? = nil, sampling: Sampling? = nil) {
        self.launch = launch
        self.attach = attach
        self.sampling = sampling
    }
}
