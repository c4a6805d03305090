import TracebenchMetrics

/// The scenario format's keys, section by section (the data behind ``ScenarioSchema``).
///
/// Every section holds exactly the keys of the parser's `known:` list for that mapping, in the same order
/// (`ScenarioParser.rootKeys == root.names`, `loadKeys == load.names`, …). A key's type is the reader the parser uses
/// (`number`, `integer`, `unsignedInteger`, `string`, `boolean`, a `choice` over the enum's own cases), its range the
/// bounds of the parser's `NumberRule`, and its default the value the parser falls back to when the key is absent.
/// `required` marks only keys the parser reports missing whatever else the file says; rules that depend on another
/// key (`rate_per_s` required for constant arrivals, `warmup_s` below `duration_s`, ramp-only keys) give the key its
/// unconditional envelope and are said in its description.
///
/// Steps nest, and a static property cannot contain itself: ``stepSection(level:)`` builds one step section per
/// nesting level, down to ``ScenarioParser/maximumStepNesting`` (the parser's limit). ``step`` is level 1 (a job's own
/// steps); each level's `children` holds the next level's steps, and at the deepest level `children` may only be
/// empty (its element type is a choice of nothing), as the parser refuses any step nested deeper.
enum ScenarioSchemaKeys {
    /// The document's root mapping.
    static let root = ScenarioSection([
        ScenarioKey("name", .string(nonEmpty: true),
                    "Short name used in result file names; must not contain '/'. Defaults to the file's base name without its extension."),
        ScenarioKey("duration_s", .number(.positive(atMost: 86_400)), required: true, "Seconds of offered load, warm-up included."),
        ScenarioKey("warmup_s", .number(.nonNegative), default: .number(0),
                    "Jobs intended to start in the first seconds are left out of latency figures; must be less than duration_s."),
        ScenarioKey("seed", .unsignedInteger, default: .number(1),
                    "Seeds every random choice (arrivals, job mix, priorities, durations, errors, context drops): same seed, same run."),
        ScenarioKey("time_scale", .number(.positive(atMost: 1000)), default: .number(1),
                    "Multiplies every simulated duration (0.1 runs a 2.5 s job in 250 ms)."),
        ScenarioKey("drain_timeout_s", .number(.positive), default: .number(30),
                    "After the load, how long to wait for queued jobs before the run is cut off (pending jobs are reported)."),
        ScenarioKey("visibility_deadline_s", .number(.positive(atMost: 3600)), default: .number(10),
                    "Each job's trace must have arrived this long after the job finished (the design document's 10 s promise); "
                        + "spans later than that are counted in spans.late and not judged. Target runs: a trace still arriving when the "
                        + "run ends before its deadline is censored. Built-in runs: a trace is judged (and its spans released) as soon as "
                        + "its ledger's spans are in, or at this deadline."),
        ScenarioKey("load", .mapping(load), required: true, "The open-model arrival process: what is offered, and when."),
        ScenarioKey("pipeline", .mapping(pipeline), "Shape of the pipeline: worker processes and how they claim and run jobs."),
        ScenarioKey("sink", .mapping(sink),
                    "Where the embedded sink listens and who may post to it (for systems started by hand); default 127.0.0.1 on free ports."),
        ScenarioKey("target", .mapping(target),
                    "Black-box mode: the user's own system is driven instead of the built-in pipeline (pipeline and redis do not apply)."),
        ScenarioKey("jobs", .list(of: .mapping(job), minItems: 1),
                    "The job mix, at least one job type. Required unless load.kind is firehose (a firehose run needs no jobs)."),
        ScenarioKey("tracing", .mapping(tracing), "How the pipeline is instrumented and where its spans go."),
        ScenarioKey("faults", .mapping(faults), "Deliberate breakage, so a run can prove tracebench detects it."),
        ScenarioKey("redis", .mapping(redis), "Which Redis the pipeline uses."),
        ScenarioKey("overhead", .mapping(overhead),
                    "Makes the run an A/B overhead measurement (present but empty: every default); absent, the run measures no overhead."),
        ScenarioKey("calibration", .mapping(calibration), "Known-answer calibration of the overhead method."),
        ScenarioKey("collector", .mapping(collector),
                    "An OTLP collector between the SDKs and tracebench's sink; absent, the SDKs export to the sink directly."),
        ScenarioKey("firehose", .mapping(firehose), "The shape of the synthetic spans sent when load.kind is firehose."),
        ScenarioKey("ceilings", .dictionary(of: .number(.positive(atMost: 1_048_576)), keyPattern: processNamePattern), default: .object([]),
                    "RSS ceilings in MiB by process name (collector, api, coordinator, redis, worker for every worker-N, or an exact "
                        + "worker-N); a breach is reported with the time it first happened."),
        ScenarioKey("agents", .mapping(agents),
                    "Several hosts: tracebench agent on each, all meeting on a control Redis; with roles [load] each agent offers its share "
                        + "of a target's arrivals from one synchronized start; with roles [workers] each runs built-in pipeline workers."),
        ScenarioKey("capacity", .mapping(capacity), "tracebench capacity: how the offered rate is stepped up and what counts as broken."),
        ScenarioKey("thresholds", .dictionary(of: thresholdValue, keyPattern: MetricCatalog.pathPattern), default: .object([]),
                    "Metric path (checked against the metric catalog) → a condition such as \"< 750ms\", a list of conditions, or "
                        + "{threshold, abort_on_fail, delay_abort_eval, over}. Quote conditions: YAML reads a leading > as a block scalar."),
        ScenarioKey("gate", .mapping(gate), "How the thresholds are judged."),
        ScenarioKey("report_interval_s", .number(.between(0.1, 3600)), default: .number(1),
                    "Width of one interval of the results' time series, in seconds."),
    ])

    /// The names `ceilings` accepts: the metric catalog's processes, or one worker `worker-0` … `worker-63`.
    static let processNamePattern = "^" + MetricCatalog.processPattern + "$"

    // MARK: load

    static let load = ScenarioSection([
        ScenarioKey("kind", .choice(LoadSpec.Kind.allCases.map(\.rawValue)), default: .string("jobs"),
                    "What is offered: jobs (through the traced pipeline) or firehose (synthetic spans straight to the collector; no Redis, "
                        + "no jobs)."),
        ScenarioKey("arrival", .choice(LoadSpec.Arrival.allCases.map(\.rawValue)), default: .string("constant"),
                    "Shape of the arrival rate: constant (evenly spaced), poisson (exponential gaps), ramp (linear from from_per_s to "
                        + "to_per_s over the run) or steps (piecewise constant)."),
        ScenarioKey("rate_per_s", .number(.nonNegative), default: .number(10),
                    "Arrivals per second for constant and poisson. Required, and greater than 0, for those arrivals when kind is jobs; "
                        + "otherwise it defaults to 10 and may be 0."),
        ScenarioKey("from_per_s", .number(.nonNegative), default: .number(0), "Ramp only: the rate at the start of the run."),
        ScenarioKey("to_per_s", .number(.nonNegative),
                    "Ramp only, and required there: the rate at the end of the run; from_per_s + to_per_s must be greater than 0."),
        ScenarioKey("steps", .list(of: .mapping(loadStep), minItems: 1),
                    "Steps only, and required there: stages run one after another, the last one's rate holding to the end; at least "
                        + "one stage needs a rate above 0."),
        ScenarioKey("max_in_flight", .integer(.between(1, 100_000)), default: .number(256),
                    "Most outstanding submissions; an arrival finding them all busy is dropped and counted, never delayed."),
        ScenarioKey("batch_window_us", .integer(.between(0, 10_000)), default: .number(300),
                    "Least time between two wake-ups of one load lane, in µs: arrivals due within it are sent together, each at most "
                        + "this late (load.lag shows it). Only rates above 1,000,000 / this per lane are affected; 0 wakes for every "
                        + "arrival, at more CPU per request."),
    ])

    /// One element of `load.steps`.
    static let loadStep = ScenarioSection([
        ScenarioKey("rate_per_s", .number(.nonNegative), required: true, "Arrivals per second during this stage."),
        ScenarioKey("duration_s", .number(.positive), required: true, "Length of this stage in seconds; stages past the end of the run are cut."),
    ])

    // MARK: pipeline

    static let pipeline = ScenarioSection([
        ScenarioKey("workers", .integer(.between(1, 64)), default: .number(2), "Number of worker processes."),
        ScenarioKey("concurrency_per_worker", .integer(.between(1, 10_000)), default: .number(32), "Jobs one worker process runs at the same time."),
        ScenarioKey("poll_interval_ms", .number(.positive(atMost: 10_000)), default: .number(100),
                    "How long one BZPOPMAX on the pending queue blocks before the claim loop checks for shutdown."),
        ScenarioKey("max_retries", .integer(.between(0, 10)), default: .number(0),
                    "Extra attempts after a failed attempt (each attempt is its own process-job span); 0 = no retries."),
        ScenarioKey("job_timeout_ms", .number(.nonNegative), default: .number(0),
                    "An attempt running longer than this (in scaled ms) is cut off as a timeout; 0 = no timeout."),
    ])

    // MARK: jobs

    /// One element of `jobs`.
    static let job = ScenarioSection([
        ScenarioKey("service", .string(nonEmpty: true), required: true, "Becomes the job's service_required field and its job.service attribute."),
        ScenarioKey("weight", .number(.nonNegative), default: .number(1),
                    "Relative weight in the job mix; the weights of all jobs must sum to more than 0."),
        ScenarioKey("priority", .anyOf([.integer(.any), .list(of: .integer(.any), minItems: 2)]), default: .list([.number(1), .number(10)]),
                    "An integer, or a [min, max] list of exactly 2 integers (min at most max) to draw uniformly from; the ZSET score, "
                        + "highest claimed first."),
        ScenarioKey("steps", .list(of: .mapping(step), minItems: 1),
                    "Steps run in sequence inside process-job, each a span; all jobs together hold at most 10000 steps. Required unless "
                        + "the file has a target section (the user's own system does the work)."),
        ScenarioKey("fields", .dictionary(of: .string(nonEmpty: false)), default: .object([]),
                    "Target runs: this job type's own placeholders for target.submit (url, headers, body): {name} → value; names are "
                        + "lower-case identifiers other than the built-in ones."),
        ScenarioKey("expect", .list(of: .mapping(targetExpectation), minItems: 1),
                    "Target runs: what a complete trace of this job type holds, instead of target.expect."),
    ])

    /// A job's own steps (nesting level 1); their `children` are the levels below.
    static let step = stepSection(level: 1)

    /// The step section at nesting `level` (1 for a job's own steps), its `children` holding level `level + 1`.
    ///
    /// At ``ScenarioParser/maximumStepNesting`` the parser refuses any child (the trace would exceed
    /// ``ScenarioParser/maximumTraceDepth``) but accepts `children: []`, so there `children` is a list of nothing.
    static func stepSection(level: Int) -> ScenarioSection {
        let deepest = level >= ScenarioParser.maximumStepNesting
        let children: ScenarioValueType = deepest
            ? .list(of: .choice([]), minItems: 0)
            : .list(of: .mapping(stepSection(level: level + 1)), minItems: 0)
        let childrenDescription = deepest
            ? "Nested steps; none are allowed at this depth (\(level) levels of steps, trace depth \(ScenarioParser.maximumTraceDepth)), "
                + "so the list must be empty."
            : "Nested steps, run one after another inside this step's span (trace depth = 3 + nesting; at most \(ScenarioParser.maximumTraceDepth))."
        return ScenarioSection(id: "step_level_\(level)", [
            ScenarioKey("name", .string(nonEmpty: true), required: true, "Span name, e.g. comfyui-call."),
            ScenarioKey("duration_ms", .anyOf([.number(.nonNegative), .mapping(duration)]), default: .number(0),
                        "Time spent in this step itself, before its children, in unscaled ms: a number (fixed) or a "
                            + "{distribution, mean, min, max, sigma} mapping."),
            ScenarioKey("error_ratio", .number(.ratio), default: .number(0),
                        "Chance the step fails: recordError and status ERROR on its span, ERROR propagated to every ancestor in the worker."),
            ScenarioKey("children", children, default: .list([]), childrenDescription),
        ])
    }

    /// `duration_ms` written as a mapping.
    static let duration = ScenarioSection(id: "duration", [
        ScenarioKey("distribution", .choice(DurationSpec.Distribution.allCases.map(\.rawValue)), default: .string("fixed"),
                    "fixed (always mean), uniform (on [min, max]), exponential (with mean) or lognormal (with mean and sigma)."),
        ScenarioKey("mean", .number(.nonNegative),
                    "Mean in unscaled ms: required for fixed (at least 0), exponential and lognormal (greater than 0); not allowed for uniform."),
        ScenarioKey("min", .number(.nonNegative), "Uniform only, and required there: the lower bound in unscaled ms."),
        ScenarioKey("max", .number(.nonNegative), "Uniform only, and required there: the upper bound in unscaled ms, at least min."),
        ScenarioKey("sigma", .number(.positive(atMost: 5)), default: .number(0.5), "Lognormal only: the shape of the distribution."),
    ])
}
