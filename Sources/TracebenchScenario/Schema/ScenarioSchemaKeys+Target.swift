/// The `target` section: the user's own system under test (black-box mode).
extension ScenarioSchemaKeys {
    static let target = ScenarioSection([
        ScenarioKey("launch", .mapping(targetLaunch),
                    "tracebench starts the system and stops it at the end (SIGTERM to its process group, SIGKILL after stop_timeout_s); absent, "
                        + "the system is already running."),
        ScenarioKey("submit", .mapping(targetSubmit), required: true, "One HTTP request per arrival of the schedule (open model)."),
        ScenarioKey("correlate", .mapping(targetCorrelate),
                    "How a job finds its trace. correlate, ledger and expect go together; without all three the target is load only "
                        + "(a job is its request, done when answered with an accepted status; no trace is judged)."),
        ScenarioKey("ledger", .mapping(targetLedger),
                    "The ground truth, read from the system's Redis (read-only). Given with correlate and expect, or none of them (load only)."),
        ScenarioKey("expect", .list(of: .mapping(targetExpectation), minItems: 1),
                    "What a complete trace holds, per service: the span names that must arrive. Given with correlate and ledger, or none "
                        + "of them (load only)."),
    ])

    static let targetLaunch = ScenarioSection([
        ScenarioKey("command", .list(of: .string(nonEmpty: false), minItems: 1), required: true,
                    "The system's command line, program first; placeholders {api_port}, {redis_port}, {sink_url}, {sink_traces_url}, "
                        + "{sink_grpc_url}, {sink_zipkin_url} (Zipkin v2 JSON), {scenario_dir} are filled in before launch."),
        ScenarioKey("env", .dictionary(of: .string(nonEmpty: false)), default: .object([]),
                    "Extra environment (placeholders allowed), e.g. OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG."),
        ScenarioKey("ready", .string(nonEmpty: true), required: true,
                    "When the system is up: a port (TCP connect) or an http:// URL answering 2xx (placeholders allowed); waited for 60 s."),
        ScenarioKey("stop_timeout_s", .number(.positive(atMost: 600)), default: .number(30),
                    "At the end, how long the system's process group has after SIGTERM (its exporters flush) before SIGKILL; a system "
                        + "killed is a failed run (component_failed)."),
    ])

    static let targetSubmit = ScenarioSection([
        ScenarioKey("url", .string(nonEmpty: true), required: true, "The http:// URL each job is sent to (placeholders allowed)."),
        ScenarioKey("method", .choice(["POST", "PUT"]), default: .string("POST"), "The request method."),
        ScenarioKey("headers", .dictionary(of: .string(nonEmpty: false)), default: .object([]),
                    "Request headers (e.g. Content-Type: application/json); values are redacted in results and logs."),
        ScenarioKey("body", .string(nonEmpty: false), default: .string(""),
                    "The request body, with {job_id}, {service}, {priority} and {index} filled in per job."),
        ScenarioKey("accept", .list(of: .integer(.between(100, 599)), minItems: 1), default: .list([.number(200), .number(201), .number(202)]),
                    "HTTP statuses that mean the job was accepted; any other is a submit error."),
        ScenarioKey("traceparent", .choice(TargetSpec.TraceParentMode.allCases.map(\.rawValue)), default: .string("none"),
                    "none: the system starts each trace with its own sampler (the production path); inject: tracebench sends a traceparent "
                        + "(random trace id, the sampled flag from its own seeded decision at inject_ratio) and keeps its client span as the root."),
        ScenarioKey("inject_ratio", .number(.ratio), default: .number(1),
                    "With traceparent: inject, the share of jobs marked sampled (0 to 1)."),
    ])

    static let targetCorrelate = ScenarioSection([
        ScenarioKey("trace_id", .text(matching: "^(ledger:[^#\\s]+(#\\S+)?|response_header:[!#$%&'*+.^_`|~0-9A-Za-z-]+|response:/.*|injected)$"), required: true,
                    "Where a job's trace id is: ledger:FIELD (a traceparent in the ledger hash), ledger:FIELD#KEY (JSON whose KEY holds "
                        + "one), response_header:NAME (a traceparent-form value or a 32-hex trace id in the submit response), "
                        + "response:/JSON/POINTER (the same, a string in the response's JSON body at an RFC 6901 pointer), or injected (the trace "
                        + "tracebench started, with traceparent: inject)."),
        ScenarioKey("job_attribute", .choice(["job.id"]), default: .string("job.id"),
                    "The span attribute carrying the job id: spans of a job found in another trace are broken context."),
    ])

    /// `target.ledger`: `redis:` (the form to write), or the same keys flat (`ledger: {url: …}`, as files of 0.x wrote it).
    static let targetLedger = ScenarioSection([
        ScenarioKey("redis", .mapping(targetLedgerRedis),
                    "The ground truth in the system's Redis (one of redis or the flat keys below, which mean the same)."),
    ] + targetLedgerRedis.keys.map { key in
        ScenarioKey(key.name, key.type, default: key.defaultValue, "As ledger.redis.\(key.name) (the flat form)." + (key.required ? " Required without redis." : ""))
    })

    static let targetLedgerRedis = ScenarioSection(id: "ledgerRedis", [
        ScenarioKey("url", .string(nonEmpty: true), required: true,
                    "redis://[:password@]host[:port][/db] of the system's Redis (placeholders allowed); only read, never written."),
        ScenarioKey("key", .string(nonEmpty: true), default: .string("job:{job_id}"), "The job's hash, with {job_id}."),
        ScenarioKey("status_field", .string(nonEmpty: true), default: .string("status"), "The hash field holding the job's status."),
        ScenarioKey("done", .list(of: .string(nonEmpty: true), minItems: 1), default: .list([.string("completed"), .string("failed")]),
                    "Statuses that mean the job finished; the drain waits until every accepted job has one."),
        ScenarioKey("failed", .list(of: .string(nonEmpty: true), minItems: 0), default: .list([.string("failed")]),
                    "Of the done statuses, those that mean the job failed."),
        ScenarioKey("fields", .mapping(targetLedgerFields),
                    "Time fields of the job's hash: latency.queue_wait (claimed − submitted), latency.processing (finished − claimed) "
                        + "and latency.end_to_end (finished − tracebench's intended start; the system's clock must agree with tracebench's)."),
    ])

    static let targetLedgerFields = ScenarioSection([
        ScenarioKey("submitted", .string(nonEmpty: true), "The field holding when the system accepted the job."),
        ScenarioKey("claimed", .string(nonEmpty: true), "The field holding when a worker took the job."),
        ScenarioKey("finished", .string(nonEmpty: true), "The field holding when the job finished (completed or failed)."),
        ScenarioKey("unit", .choice(LedgerTimes.Unit.allCases.map(\.rawValue)), required: true,
                    "How the times are written: s, ms, us or ns since the Unix epoch (fractions allowed), or iso8601 (RFC 3339 with a zone)."),
    ])

    static let targetExpectation = ScenarioSection([
        ScenarioKey("service", .string(nonEmpty: true), required: true, "The service.name resource attribute of the spans."),
        ScenarioKey("spans", .list(of: .string(nonEmpty: true), minItems: 0), default: .list([]),
                    "Span names this service must contribute to a complete trace, each at least once."),
        ScenarioKey("at_least", .dictionary(of: .integer(.between(1, 100_000))), default: .object([]),
                    "Span name → the fewest times it must appear."),
    ])

    /// A file for `tracebench listen --expect`: what a complete trace holds, as `target.expect`.
    static let expectFile = ScenarioSection([
        ScenarioKey("expect", .list(of: .mapping(targetExpectation), minItems: 1), required: true,
                    "What a complete trace holds, per service: the span names that must arrive (as target.expect)."),
    ])

    /// `sink`: the embedded receiver's addresses, who may post and how much it keeps.
    static let sink = ScenarioSection([
        ScenarioKey("listen", .string(nonEmpty: true), default: .string("127.0.0.1:0"),
                    "host:port of the OTLP/HTTP listener (port 0: a free one); a non-loopback host needs token or allow_unauthenticated."),
        ScenarioKey("grpc_listen", .string(nonEmpty: true), default: .string("127.0.0.1:0"), "host:port of the OTLP/gRPC listener."),
        ScenarioKey("token", .string(nonEmpty: true),
                    "Every post must carry Authorization: Bearer <token> (compared in constant time, never printed); refused posts are "
                        + "counted as sink.rejected.unauthorized. The built-in pipeline's SDKs send it by themselves; a target gets {sink_token}."),
        ScenarioKey("allow_unauthenticated", .boolean, default: .boolean(false),
                    "Lets a non-loopback listener run without a token (anyone who can reach it may post spans)."),
        ScenarioKey("max_spans", .integer(.between(1, 1_000_000_000)), default: .number(Double(SinkSpec.defaultMaxSpans)),
                    "The most spans the sink holds at once (a built-in run holds only traces not yet judged; other runs every span); "
                        + "more are accepted, counted as sink.overflow and not kept, and the run fails (sink_overflow): the "
                        + "coordinator's memory stays bounded whatever arrives."),
    ])

    static let agents = ScenarioSection([
        ScenarioKey("count", .integer(.between(1, 256)), required: true, "How many agents take part; each takes one share of the schedule."),
        ScenarioKey("control", .string(nonEmpty: true), required: true,
                    "redis://[:password@]host[:port][/db] every host can reach: agents (tracebench agent --control) and the coordinator "
                        + "meet there; all of a run's keys live under the hash tag {tb:<run id>}, never the system under test's keys."),
        ScenarioKey("weights", .list(of: .integer(.between(1, 1_000_000)), minItems: 1),
                    "Each share's weight, count of them (default: equal shares); every share gets within one arrival of its proportion."),
        ScenarioKey("roles", .list(of: .choice(AgentsSpec.Role.allCases.map(\.rawValue)), minItems: 1), default: .list([.string("load")]),
                    "What agents do: [load] (offer their share of a target's arrivals), [workers] (run the built-in pipeline's workers, "
                        + "claiming from its queue; its Redis and the sink must be reachable from every host) or [workers, collector] (and each host "
                        + "launches collector.launch for its own workers, exporting to the coordinator's sink)."),
        ScenarioKey("workers", .integer(.between(1, 64)), default: .number(2), "With roles [workers]: worker processes on each agent host."),
        ScenarioKey("arm_timeout_s", .number(.between(1, 3600)), default: .number(30),
                    "How long the coordinator waits for every agent to claim a share and arm; fewer: the run fails (component_failed)."),
        ScenarioKey("interval_s", .number(.between(0.1, 60)), default: .number(1),
                    "Width of one reported interval; agents report each interval once all its arrivals are answered."),
        ScenarioKey("start_tolerance_ms", .number(.between(0.1, 60_000)), default: .number(50),
                    "The most an agent's start may be off (its clock offset's uncertainty plus its first arrival's lateness); beyond: start_skew, failed."),
    ])
}
