import Yams

/// Turns a composed scenario document into a ``Scenario``: the schema of each section, its defaults and its
/// validation rules. Problems go to the ``YAMLReader``; values that are wrong are replaced by defaults so the
/// walk can go on and find every other problem too.
///
/// This file holds the top level, `load` and `pipeline`; `jobs`, `tracing`/`faults`/`redis` and
/// `overhead`/`calibration` have their own.
struct ScenarioParser {
    let reader: YAMLReader
    /// Used when the file has no `name`.
    let defaultName: String
    /// The file drives the user's own system (`target:`): job types need no steps (the system does the work).
    var blackBox = false
    /// The job types, once read: a target's templates may use their `fields`.
    var jobTypes: [JobTypeSpec] = []

    /// Deepest trace allowed: `3 + ` the deepest nesting of steps.
    static let maximumTraceDepth = 32
    /// Spans above the first step: submit, the queue hop and `process-job`.
    static let spansAboveSteps = 3

    static let rootKeys = ScenarioSchemaKeys.root.names

    /// The whole scenario, or nil when the root is not a mapping (already reported).
    func scenario(_ root: YAMLField) -> Scenario? {
        guard case .mapping = root.node else {
            reader.report("expected the document to be a mapping of scenario keys, got \(root.shape)", at: root)
            return nil
        }
        guard let map = reader.mapping(root, known: Self.rootKeys) else { return nil }

        let name = reader.value(map, "name", default: defaultName) { field -> String? in
            guard let name = reader.string(field, allowEmpty: false) else { return nil }
            guard !name.contains("/") else {
                reader.report("must not contain '/' (it becomes part of result file names), got '\(name)'", at: field)
                return nil
            }
            return name
        }
        let duration = reader.number(map, "duration_s", default: nil, .positive(atMost: 86_400))
        let warmup = reader.number(map, "warmup_s", default: 0, .nonNegative)
        if let duration, let warmup, warmup >= duration, let field = map["warmup_s"] {
            reader.report("must be less than duration_s (\(displayNumber(duration))), got \(field.text ?? "")", at: field)
        }
        let seed = reader.value(map, "seed", default: 1) { reader.unsignedInteger($0) }
        let timeScale = reader.number(map, "time_scale", default: 1, .positive(atMost: 1000))
        let drainTimeout = reader.number(map, "drain_timeout_s", default: 30, .positive)
        let visibilityDeadline = reader.number(map, "visibility_deadline_s", default: 10, .positive(atMost: 3600))

        let load = reader.value(map, "load", default: nil) { self.load($0) }
        let pipeline = section(map, "pipeline", default: PipelineSpec()) { self.pipeline($0) }
        let firehoseRun = load?.kind == .firehose
        if firehoseRun {
            reportInapplicable(map, ["visibility_deadline_s"], onlyFor: "runs with jobs (the built-in pipeline or a target)", current: "a firehose")
        }
        var jobsParser = self
        jobsParser.blackBox = map.contains("target")
        let jobs = firehoseRun && !map.contains("jobs") ? [] : reader.value(map, "jobs", default: nil) { jobsParser.jobs($0) }
        let firehose = section(map, "firehose", default: FirehoseSpec()) { self.firehose($0) }
        let tracing = section(map, "tracing", default: TracingSpec()) { self.tracing($0) }
        let faults = section(map, "faults", default: FaultSpec()) { self.faults($0) }
        let redis = section(map, "redis", default: RedisSpec()) { self.redis($0) }
        let overhead = jobsParser.overheadSection(map)
        let calibration = section(map, "calibration", default: CalibrationSpec()) { self.calibration($0) }
        // Like every optional section, `collector:` with nothing under it is its default: no collector.
        let collector = map["collector"].map { !$0.isNull } == true ? reader.value(map, "collector", default: nil) { self.collector($0) } : nil

        var scenario = Scenario(
            name: name ?? defaultName, durationSeconds: duration ?? 1, warmupSeconds: warmup ?? 0, seed: seed ?? 1,
            timeScale: timeScale ?? 1, drainTimeoutSeconds: drainTimeout ?? 30, load: load ?? LoadSpec(),
            pipeline: pipeline, jobs: jobs ?? [], tracing: tracing, faults: faults, redis: redis,
            overhead: overhead, calibration: calibration, collector: collector
        )
        scenario.firehose = firehose
        scenario.visibilityDeadlineSeconds = visibilityDeadline ?? 10
        var targetParser = self
        targetParser.jobTypes = scenario.jobs
        scenario.target = targetParser.targetSection(map, firehose: firehoseRun)
        scenario.sink = sinkSection(map)
        scenario.agents = agentsSection(map, target: scenario.target)
        // The built-in pipeline's own SDKs carry the sink's token like any other exporter header.
        if !scenario.sink.token.isEmpty, scenario.tracing.headers.keys.allSatisfy({ $0.lowercased() != "authorization" }) {
            scenario.tracing.headers["Authorization"] = "Bearer \(scenario.sink.token)"
        }
        scenario.ceilingsMiB = section(map, "ceilings", default: [:]) { ceilings($0) }
        scenario.capacity = section(map, "capacity", default: CapacitySpec()) { capacity($0) }
        scenario.thresholds = thresholdSet(map)
        scenario.reportIntervalSeconds = reader.number(map, "report_interval_s", default: 1, .between(0.1, 3600)) ?? 1
        return scenario
    }

    /// An optional section: absent or empty (`pipeline:` with nothing under it) means all defaults.
    func section<T>(_ map: YAMLMapping, _ key: String, default defaultValue: T, _ read: (YAMLField) -> T?) -> T {
        guard let field = map[key], !field.isNull else { return defaultValue }
        return read(field) ?? defaultValue
    }

    /// Reports `key` when it is present but only means something for another setting.
    func reportInapplicable(_ map: YAMLMapping, _ keys: [String], onlyFor condition: String, current: String) {
        for key in keys {
            if let field = map[key] {
                reader.report("applies only to \(condition) (this one is \(current)); remove it", path: field.path, mark: field.mark)
            }
        }
    }

    // MARK: load

    static let loadKeys = ScenarioSchemaKeys.load.names

    func load(_ field: YAMLField) -> LoadSpec? {
        guard let map = reader.mapping(field, known: Self.loadKeys) else { return nil }
        let defaults = LoadSpec()
        let arrival: LoadSpec.Arrival? = reader.choice(map, "arrival", default: .constant, what: "arrival")
        var spec = LoadSpec(arrival: arrival ?? .constant)
        let kind: LoadSpec.Kind? = reader.choice(map, "kind", default: .jobs, what: "load kind")
        spec.kind = kind ?? .jobs

        let needsRate = (arrival == .constant || arrival == .poisson) && spec.kind == .jobs
        let rateRule = needsRate
            ? NumberRule("must be greater than 0 for arrival \(arrival?.rawValue ?? "")") { $0 > 0 }
            : .nonNegative
        if spec.kind == .firehose {
            // The firehose's rate is firehose.spans_per_s; an arrival rate here would be silently ignored.
            reportInapplicable(map, ["arrival", "rate_per_s", "from_per_s", "to_per_s", "steps", "max_in_flight", "batch_window_us"],
                               onlyFor: "kind: jobs (the firehose is shaped by the firehose section)", current: "firehose")
            return spec
        }
        if let arrival, arrival == .ramp || arrival == .steps {
            reportInapplicable(map, ["rate_per_s"], onlyFor: "arrival: constant or poisson", current: arrival.rawValue)
        } else {
            spec.ratePerSecond = reader.number(map, "rate_per_s", default: needsRate ? nil : defaults.ratePerSecond, rateRule)
                ?? defaults.ratePerSecond
        }

        if let arrival, arrival != .ramp {
            reportInapplicable(map, ["from_per_s", "to_per_s"], onlyFor: "arrival: ramp", current: arrival.rawValue)
        } else if arrival == .ramp {
            let from = reader.number(map, "from_per_s", default: 0, .nonNegative)
            let to = reader.number(map, "to_per_s", default: nil, .nonNegative)
            if let from, let to, from + to <= 0, let toField = map["to_per_s"] {
                reader.report("from_per_s + to_per_s must be greater than 0 (a ramp from 0 to 0 offers no load)", at: toField)
            }
            spec.fromPerSecond = from ?? 0
            spec.toPerSecond = to ?? 0
        }

        if let arrival, arrival != .steps {
            reportInapplicable(map, ["steps"], onlyFor: "arrival: steps", current: arrival.rawValue)
        } else if arrival == .steps {
            spec.steps = reader.value(map, "steps", default: nil) { loadSteps($0) } ?? []
        }

        spec.maxInFlight = reader.integer(map, "max_in_flight", default: defaults.maxInFlight, .between(1, 100_000))
            ?? defaults.maxInFlight
        spec.batchWindowMicros = reader.integer(map, "batch_window_us", default: defaults.batchWindowMicros, .between(0, 10_000))
            ?? defaults.batchWindowMicros
        return spec
    }

    private func loadSteps(_ field: YAMLField) -> [LoadSpec.Step]? {
        guard let elements = reader.sequence(field) else { return nil }
        guard !elements.isEmpty else {
            reader.report("must list at least one step for arrival: steps", atHeadOf: field)
            return nil
        }
        var allValid = true
        let steps = elements.map { element -> LoadSpec.Step in
            guard let map = reader.mapping(element, known: ScenarioSchemaKeys.loadStep.names) else {
                allValid = false
                return LoadSpec.Step(ratePerSecond: 0, durationSeconds: 1)
            }
            let rate = reader.number(map, "rate_per_s", default: nil, .nonNegative)
            let duration = reader.number(map, "duration_s", default: nil, .positive)
            if rate == nil || duration == nil { allValid = false }
            return LoadSpec.Step(ratePerSecond: rate ?? 0, durationSeconds: duration ?? 1)
        }
        if allValid, steps.allSatisfy({ $0.ratePerSecond == 0 }) {
            reader.report("every step has rate_per_s 0; at least one needs a rate above 0", atHeadOf: field)
        }
        return steps
    }

    // MARK: pipeline

    static let pipelineKeys = ScenarioSchemaKeys.pipeline.names

    func pipeline(_ field: YAMLField) -> PipelineSpec? {
        guard let map = reader.mapping(field, known: Self.pipelineKeys) else { return nil }
        let d = PipelineSpec()
        return PipelineSpec(
            workers: reader.integer(map, "workers", default: d.workers, .between(1, 64)) ?? d.workers,
            concurrencyPerWorker: reader.integer(map, "concurrency_per_worker", default: d.concurrencyPerWorker, .between(1, 10_000))
                ?? d.concurrencyPerWorker,
            pollIntervalMs: reader.number(map, "poll_interval_ms", default: d.pollIntervalMs, .positive(atMost: 10_000))
                ?? d.pollIntervalMs,
            maxRetries: reader.integer(map, "max_retries", default: d.maxRetries, .between(0, 10)) ?? d.maxRetries,
            jobTimeoutMs: reader.number(map, "job_timeout_ms", default: d.jobTimeoutMs, .nonNegative) ?? d.jobTimeoutMs
        )
    }
}
