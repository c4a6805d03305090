/// The `tracing`, `faults`, `redis`, `overhead` and `calibration` sections.
extension ScenarioSchemaKeys {
    // MARK: tracing

    static let tracing = ScenarioSection([
        ScenarioKey("mode", .choice(TracingSpec.Mode.allCases.map(\.rawValue)), default: .string("otlp"),
                    "How much of the tracing SDK runs: off (a no-op tracer), sdk (spans sampled and processed, exporter none) or otlp "
                        + "(exported)."),
        ScenarioKey("protocol", .choice(TracingSpec.WireProtocol.allCases.map(\.rawValue)), default: .string("http/protobuf"),
                    "OTLP transport: http/protobuf, http/json or grpc (plaintext HTTP/2; its endpoint is http://host:port, with a port and no path)."),
        ScenarioKey("sampler", .choice(TracingSpec.Sampler.allCases.map(\.rawValue)), default: .string("always_on"),
                    "Head sampler of every service (as OTEL_TRACES_SAMPLER spells it), unless tracing.services gives one its own."),
        ScenarioKey("ratio", .number(.ratio), default: .number(1), "Sampling ratio of the ratio samplers (0 to 1)."),
        ScenarioKey("batch", .mapping(batch), "Batch span processor settings."),
        ScenarioKey("endpoint", .string(nonEmpty: false), default: .string(""),
                    "OTLP endpoint, an http:// or https:// URL with a host (http://host:4318/v1/traces; over gRPC it needs a port); "
                        + "empty = the embedded sink (trace figures are only measured there)."),
        ScenarioKey("headers", .dictionary(of: .string(nonEmpty: false)), default: .object([]),
                    "Extra OTLP request headers (e.g. Authorization: Bearer …): names are HTTP tokens, values hold no control characters; "
                        + "values are redacted in results and logs."),
        ScenarioKey("resource_attributes", .dictionary(of: .string(nonEmpty: false)), default: .object([]),
                    "Extra resource attributes on every service (keys may contain dots)."),
        ScenarioKey("services", .mapping(tracingServices),
                    "Per-service samplers by service role; a service not named uses tracing.sampler and tracing.ratio."),
    ])

    /// `tracing.services`: one key per ``TracingSpec/ServiceRole``.
    static let tracingServices = ScenarioSection(TracingSpec.ServiceRole.allCases.map { role -> ScenarioKey in
        let starts = role == .api ? " The API starts every trace: sampling.configured_ratio is its ratio." : ""
        return ScenarioKey(role.rawValue, .mapping(ScenarioSchemaKeys.serviceSampler),
                           "The \(role.rawValue) service's own sampler and ratio, each defaulting to the tracing section's.\(starts)")
    })

    /// `tracing.services.<role>`.
    static let serviceSampler = ScenarioSection([
        ScenarioKey("sampler", .choice(TracingSpec.Sampler.allCases.map(\.rawValue)),
                    "This service's head sampler; defaults to tracing.sampler."),
        ScenarioKey("ratio", .number(.ratio), "This service's ratio for the ratio samplers; defaults to tracing.ratio."),
    ])

    /// `tracing.batch` (swift-otel's batch span processor).
    static let batch = ScenarioSection([
        ScenarioKey("schedule_delay_ms", .integer(.positive), default: .number(1000), "Delay between two scheduled exports, in ms."),
        ScenarioKey("max_queue_size", .integer(.positive), default: .number(2048), "Most spans queued for export; at least max_export_batch_size."),
        ScenarioKey("max_export_batch_size", .integer(.positive), default: .number(512), "Most spans in one export; at most max_queue_size."),
        ScenarioKey("export_timeout_ms", .integer(.positive), default: .number(30000), "How long one export may take, in ms."),
    ])

    // MARK: faults, redis

    static let faults = ScenarioSection([
        ScenarioKey("drop_context_ratio", .number(.ratio), default: .number(0),
                    "Share of jobs whose API leaves trace_context out: a known amount of broken context."),
        ScenarioKey("collector_pause_s", .number(.between(0, 3600)), default: .number(0),
                    "Stall: SIGSTOP the launched collector for this many seconds, then SIGCONT; 0 = never."),
        ScenarioKey("collector_pause_at_s", .number(.between(0, 86_400)), default: .number(0),
                    "Stall: how many seconds into the load the launched collector is stopped."),
    ])

    static let redis = ScenarioSection([
        ScenarioKey("url", .string(nonEmpty: false), default: .string(""),
                    "redis://[:password@]host[:port][/db] to use when neither --redis nor REDIS_URL is given; empty starts a private redis-server."),
    ])

    // MARK: overhead, calibration

    static let overhead = ScenarioSection([
        ScenarioKey("arms", .list(of: .anyOf([.choice(TracingSpec.Mode.allCases.map(\.rawValue)), .mapping(overheadArm)]), minItems: 2),
                    default: .list([.string("off"), .string("sdk"), .string("otlp")]),
                    "Built-in pipeline: tracing modes compared, 2 to 3 distinct ones (each mode once). With target: 2 to 4 launch "
                        + "environments {name, env} of the user's system (required). The first arm is the baseline (normally off)."),
        ScenarioKey("blocks", .integer(.between(0, 50)), default: .number(3),
                    "Resource phase: blocks per arm (0 skips the phase). With target: alternating blocks per arm (ABBA…, 2 to 50, as an interval needs two pairs; default 4)."),
        ScenarioKey("block_seconds", .number(.positive(atMost: 3600)), default: .number(8), "Seconds of offered load per block."),
        ScenarioKey("bootstrap", .integer(.between(100, 100_000)), default: .number(1000), "Bootstrap resamples behind each interval."),
    ])

    static let overheadArm = ScenarioSection([
        ScenarioKey("name", .text(matching: "^[A-Za-z0-9_-]+$"), required: true,
                    "The arm's name in the results (overhead.<name>); name the traced arm otlp for the design document's promises."),
        ScenarioKey("env", .dictionary(of: .string(nonEmpty: false)), default: .object([]),
                    "Environment on top of target.launch.env for this arm (placeholders allowed), e.g. OTEL_SDK_DISABLED: \"true\"."),
    ])

    static let calibration = ScenarioSection([
        ScenarioKey("inject_us_per_span", .number(.between(0, 1_000_000)), default: .number(0),
                    "Busy-waits this many microseconds inside every span the worker's job steps create in the non-off arms: a known cost "
                        + "the overhead method must find."),
    ])
}
