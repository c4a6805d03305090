/// The `collector`, `firehose` and `capacity` sections.
extension ScenarioSchemaKeys {
    // MARK: collector

    static let collector = ScenarioSection([
        ScenarioKey("launch", .mapping(collectorLaunch),
                    "A collector tracebench starts as a child process and stops at the end; exactly one of launch or attach."),
        ScenarioKey("attach", .mapping(collectorAttach),
                    "A collector already running (trace figures are then not measured at the sink); exactly one of launch or attach."),
        ScenarioKey("sampling", .mapping(collectorSampling),
                    "What the collector's own sampler does, declared so the run can predict what arrives; absent, it keeps every span."),
    ])

    /// `collector.launch`.
    static let collectorLaunch = ScenarioSection([
        ScenarioKey("command", .list(of: .string(nonEmpty: false), minItems: 1), required: true,
                    "The collector's command line, program first; placeholders such as {otlp_http_port}, {otlp_grpc_port}, {sink_url}, "
                        + "{sink_traces_url}, {sink_grpc_url}, {config_file}, {rotel_agent} and {scenario_dir} are filled in before launch."),
        ScenarioKey("env", .dictionary(of: .string(nonEmpty: false)), default: .object([]),
                    "Extra environment of the collector (placeholders allowed)."),
        ScenarioKey("endpoint", .string(nonEmpty: false), default: .string(""),
                    "Where the SDKs or the firehose export, an http:// or https:// URL (placeholders allowed); empty: "
                        + "http://127.0.0.1:{otlp_http_port}/v1/traces, over gRPC http://127.0.0.1:{otlp_grpc_port}."),
        ScenarioKey("ready", .string(nonEmpty: false), default: .string(""),
                    "When the collector is up: a port (TCP connect) or an http:// URL answering 2xx; empty: {otlp_http_port} "
                        + "({otlp_grpc_port} over gRPC)."),
        ScenarioKey("config_template", .string(nonEmpty: false), default: .string(""),
                    "A collector config file (path from the working directory) rendered with the same placeholders per run; "
                        + "{config_file} is the rendered file, {health_port} a third free port. Empty: none."),
        ScenarioKey("metrics_url", .string(nonEmpty: false), default: .string(""),
                    "The collector's Prometheus endpoint, an http:// or https:// URL (placeholders allowed), scraped before the load and "
                        + "after the drain; empty: none."),
    ])

    /// `collector.attach`.
    static let collectorAttach = ScenarioSection([
        ScenarioKey("endpoint", .string(nonEmpty: true), required: true,
                    "Where the SDKs or the firehose export: an http:// or https:// URL with a host."),
        ScenarioKey("pid", .integer(.between(0, 4_194_304)), default: .number(0),
                    "The collector's process id, sampled for CPU and RSS; 0 = not sampled."),
        ScenarioKey("metrics_url", .string(nonEmpty: false), default: .string(""),
                    "The collector's Prometheus endpoint (otelcol: http://host:8888/metrics), an http:// or https:// URL with a host, "
                        + "scraped before the load and after the drain; empty: none."),
    ])

    /// `collector.sampling`.
    static let collectorSampling = ScenarioSection([
        ScenarioKey("ratio", .number(.positive(atMost: 1)), required: true,
                    "The keep probability of the collector's consistent (OTEP 235) sampler, rounded to a 4-digit th as the spec's samplers "
                        + "do (0.1 → th:e666)."),
        ScenarioKey("keeps_errors", .boolean, default: .boolean(false),
                    "Whether the collector keeps every error span whatever the ratio says (tail mode)."),
        ScenarioKey("decision_wait_s", .number(.positive(atMost: 3600)), default: .number(10),
                    "How long a tail sampler waits for a trace's spans before deciding (otelcol decision_wait), for config templates."),
    ])

    // MARK: firehose

    static let firehose = ScenarioSection([
        ScenarioKey("spans_per_s", .number(.positive(atMost: 10_000_000)), default: .number(1000),
                    "Firehose rate, constant; batches are sent at their intended times."),
        ScenarioKey("spans_per_trace", .integer(.between(1, 1000)), default: .number(5), "A root and its children per trace."),
        ScenarioKey("batch_spans", .integer(.between(1, 100_000)), default: .number(500), "Spans per export request."),
        ScenarioKey("concurrency", .integer(.between(1, 1024)), default: .number(4),
                    "Most requests in flight; a batch due while all are busy is dropped and counted, never delayed."),
        ScenarioKey("attributes", .integer(.between(0, 128)), default: .number(5), "String attributes per span."),
        ScenarioKey("attribute_bytes", .integer(.between(0, 65_536)), default: .number(16), "Length of each attribute value, in bytes."),
        ScenarioKey("error_ratio", .number(.ratio), default: .number(0), "Share of spans marked ERROR."),
        ScenarioKey("protocol", .choice(TracingSpec.WireProtocol.allCases.filter { $0 != .httpJSON }.map(\.rawValue)),
                    default: .string("http/protobuf"),
                    "http/protobuf (POST /v1/traces) or grpc (TraceService/Export); the firehose does not send http/json."),
    ])

    // MARK: capacity

    static let capacity = ScenarioSection([
        ScenarioKey("start_spans_per_s", .number(.positive(atMost: 10_000_000)), default: .number(5000),
                    "Firehose mode: the first step's spans per second."),
        ScenarioKey("step_factor", .number(SchemaRange(minimum: 1, maximum: 100, exclusiveMinimum: true)), default: .number(2),
                    "Each step's rate is the previous one's times this; greater than 1 and at most 100."),
        ScenarioKey("max_steps", .integer(.between(1, 100)), default: .number(6), "Most steps of the sweep."),
        ScenarioKey("step_seconds", .number(.positive(atMost: 3600)), default: .number(8), "Seconds of load per step."),
        ScenarioKey("max_drop_ratio", .number(.ratio), default: .number(0.001),
                    "Firehose mode: a step fails when more than this share of spans is lost."),
        ScenarioKey("max_visibility_p99_s", .number(.positive(atMost: 86_400)), default: .number(10),
                    "Firehose mode: a step fails when the p99 from span end to arrival at the sink exceeds this many seconds."),
        ScenarioKey("max_collector_cpu_percent", .number(.positive(atMost: 100_000)), default: .number(100),
                    "Firehose mode: a step fails when the collector's average CPU exceeds this (percent of one core)."),
        ScenarioKey("max_collector_rss_mb", .number(.positive(atMost: 1_048_576)), default: .number(100),
                    "Firehose mode: a step fails when the collector's RSS exceeds this many MiB."),
        ScenarioKey("target_traces_per_min", .number(.positive(atMost: 1e9)), default: .number(500),
                    "Firehose mode: the plan's target, collectors needed for this many traces per minute."),
        ScenarioKey("mode", .choice(CapacitySpec.Mode.allCases.map(\.rawValue)), default: .string("firehose"),
                    "What is stepped: firehose (synthetic spans into the collector) or jobs (constant job arrivals through the whole "
                        + "traced pipeline)."),
        ScenarioKey("start_jobs_per_s", .number(.positive(atMost: 100_000)), default: .number(25),
                    "Jobs mode: the first step's offered jobs per second."),
        ScenarioKey("max_queue_wait_p99_ms", .number(.positive), default: .number(1000),
                    "Jobs mode: a step fails when queue wait p99 exceeds this many ms."),
        ScenarioKey("max_end_to_end_p99_ms", .number(.positive), default: .number(10000),
                    "Jobs mode: a step fails when end-to-end p99 exceeds this many ms."),
        ScenarioKey("max_sdk_rss_mb", .number(.positive(atMost: 1_048_576)), default: .number(256),
                    "Jobs mode: a step fails when an SDK process's RSS exceeds this many MiB."),
        ScenarioKey("target_jobs_per_min", .number(.positive), default: .number(6000),
                    "Jobs mode: the plan's target, workers needed for this many jobs per minute."),
    ])
}
