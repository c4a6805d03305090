import Yams

/// The `jobs` section: job types, their priorities and their trees of steps with durations.
extension ScenarioParser {
    static let jobKeys = ScenarioSchemaKeys.job.names
    static let stepKeys = ScenarioSchemaKeys.step.names
    static let durationKeys = ScenarioSchemaKeys.duration.names

    /// Deepest step nesting that keeps the trace within ``maximumTraceDepth``.
    static var maximumStepNesting: Int { maximumTraceDepth - spansAboveSteps }

    func jobs(_ field: YAMLField) -> [JobTypeSpec]? {
        guard let elements = reader.sequence(field) else { return nil }
        guard !elements.isEmpty else {
            reader.report("must list at least one job", atHeadOf: field)
            return nil
        }
        var weights: [Double?] = []
        let jobs = elements.compactMap { element -> JobTypeSpec? in
            guard let (job, weight) = self.job(element) else {
                weights.append(nil)
                return nil
            }
            weights.append(weight)
            return job
        }
        let totalSteps = jobs.reduce(0) { $0 + Self.stepCount($1.steps) }
        if totalSteps > Self.maximumSteps {
            reader.report("the jobs hold \(totalSteps) steps; at most \(Self.maximumSteps) are allowed (each is a span per job)", atHeadOf: field)
        }
        let validWeights = weights.compactMap(\.self)
        if validWeights.count == weights.count, validWeights.reduce(0, +) <= 0 {
            reader.report("the job weights sum to 0; at least one job needs a weight above 0", atHeadOf: field)
        }
        return jobs
    }

    /// One job type, and its weight if that was valid (for the check on the sum of weights).
    private func job(_ field: YAMLField) -> (JobTypeSpec, Double?)? {
        guard let map = reader.mapping(field, known: Self.jobKeys) else { return nil }
        let service = reader.string(map, "service", default: nil, allowEmpty: false)
        let weight = reader.number(map, "weight", default: 1, .nonNegative)
        let priority = reader.value(map, "priority", default: (1, 10)) { self.priority($0) }

        var steps: [StepSpec] = []
        if let stepsField = map["steps"] {
            var walk = StepWalk()
            steps = self.steps(stepsField, level: 1, walk: &walk) ?? []
            if let tooDeep = walk.firstTooDeep {
                let depth = Self.spansAboveSteps + walk.deepestLevel
                reader.report(
                    "trace depth \(depth) exceeds the maximum of \(Self.maximumTraceDepth) "
                        + "(\(Self.spansAboveSteps) spans above the steps + \(depth - Self.spansAboveSteps) levels of steps; "
                        + "at most \(Self.maximumStepNesting) levels are allowed)",
                    at: tooDeep
                )
            }
        } else if !blackBox {
            reader.reportMissing("steps", in: map)
        }
        var job = JobTypeSpec(
            service: service ?? "", weight: weight ?? 1, priorityMin: priority?.0 ?? 1, priorityMax: priority?.1 ?? 10,
            steps: steps
        )
        if blackBox {
            job.fields = section(map, "fields", default: [:]) { jobFields($0) }
            job.expect = map["expect"].flatMap { expectations($0) }
        } else {
            reportInapplicable(map, ["fields", "expect"], onlyFor: "target runs (the user's own system)", current: "the built-in pipeline")
        }
        return (job, weight)
    }

    /// `fields:` of a target run's job type: placeholder name → value (scalars as written).
    private func jobFields(_ field: YAMLField) -> [String: String]? {
        guard let pairs = reader.pairs(field) else { return nil }
        var fields: [String: String] = [:]
        for (key, keyMark, value) in pairs {
            guard Placeholders.isName(key), !(Placeholders.system + Placeholders.job).contains(key) else {
                let why = Placeholders.isName(key) ? "is a built-in placeholder" : "is not a placeholder name (a lower-case letter or _, then lower-case letters, digits or _)"
                reader.report("'\(key)' \(why)", path: value.path, mark: keyMark)
                continue
            }
            if let text = reader.scalarText(value, expected: "a string") { fields[key] = text }
        }
        return fields
    }

    /// `priority: 5` (always 5) or `priority: [1, 10]` (uniform on the closed range).
    private func priority(_ field: YAMLField) -> (Int, Int)? {
        switch field.node {
        case .scalar where !field.isNull:
            return reader.integer(field).map { ($0, $0) }
        case .sequence:
            guard let elements = reader.sequence(field) else { return nil }
            guard elements.count == 2 else {
                reader.report("expected a [min, max] list of 2 integers, got \(elements.count) element\(elements.count == 1 ? "" : "s")", at: field)
                return nil
            }
            guard let low = reader.integer(elements[0]), let high = reader.integer(elements[1]) else { return nil }
            guard low <= high else {
                reader.report("min \(low) must not be greater than max \(high)", at: field)
                return nil
            }
            return (low, high)
        default:
            reader.report("expected an integer or a [min, max] list, got \(field.shape)", at: field)
            return nil
        }
    }

    /// Most steps all job types may hold together.
    static let maximumSteps = 10_000

    static func stepCount(_ steps: [StepSpec]) -> Int {
        steps.reduce(0) { $0 + 1 + stepCount($1.children) }
    }

    /// What the walk over one job's step tree has seen of its depth.
    private struct StepWalk {
        /// Deepest nesting level reached (1 = a job's own steps).
        var deepestLevel = 0
        /// The first step nested deeper than ``ScenarioParser/maximumStepNesting``.
        var firstTooDeep: YAMLField?
    }

    /// A list of steps at nesting `level` (1 for a job's own steps).
    private func steps(_ field: YAMLField, level: Int, walk: inout StepWalk) -> [StepSpec]? {
        guard let elements = reader.sequence(field) else { return nil }
        if elements.isEmpty, level == 1 {
            reader.report("must list at least one step", atHeadOf: field)
            return nil
        }
        return elements.compactMap { step($0, level: level, walk: &walk) }
    }

    private func step(_ field: YAMLField, level: Int, walk: inout StepWalk) -> StepSpec? {
        walk.deepestLevel = max(walk.deepestLevel, level)
        if level > Self.maximumStepNesting, walk.firstTooDeep == nil { walk.firstTooDeep = field }
        guard let map = reader.mapping(field, known: Self.stepKeys) else { return nil }
        let name = reader.string(map, "name", default: nil, allowEmpty: false)
        let duration = reader.value(map, "duration_ms", default: DurationSpec.fixed(0)) { self.duration($0) }
        let errorRatio = reader.number(map, "error_ratio", default: 0, .ratio)
        var children: [StepSpec] = []
        if let childrenField = map["children"] {
            children = steps(childrenField, level: level + 1, walk: &walk) ?? []
        }
        return StepSpec(name: name ?? "", duration: duration ?? .fixed(0), errorRatio: errorRatio ?? 0, children: children)
    }

    /// `duration_ms: 120` (fixed) or `{distribution: …, mean: …, min: …, max: …, sigma: …}`, in milliseconds.
    private func duration(_ field: YAMLField) -> DurationSpec? {
        switch field.node {
        case .scalar where !field.isNull:
            return reader.number(field, .nonNegative).map(DurationSpec.fixed)
        case .mapping:
            return durationMapping(field)
        default:
            reader.report("expected a number of milliseconds or a {distribution, mean, …} mapping, got \(field.shape)", at: field)
            return nil
        }
    }

    private func durationMapping(_ field: YAMLField) -> DurationSpec? {
        guard let map = reader.mapping(field, known: Self.durationKeys) else { return nil }
        let distribution: DurationSpec.Distribution? = reader.choice(map, "distribution", default: .fixed, what: "distribution")
        guard let distribution else { return nil }
        var spec = DurationSpec(distribution: distribution)
        let current = distribution.rawValue
        switch distribution {
        case .fixed:
            spec.meanMs = reader.number(map, "mean", default: nil, .nonNegative) ?? 0
        case .exponential, .lognormal:
            spec.meanMs = reader.number(map, "mean", default: nil, .positive) ?? 1
        case .uniform:
            if let meanField = map["mean"] {
                reader.report("does not apply to distribution: uniform, which uses min and max; remove it", at: meanField)
            }
            let low = reader.number(map, "min", default: nil, .nonNegative)
            let high = reader.number(map, "max", default: nil, .nonNegative)
            if let low, let high, low > high, let maxField = map["max"] {
                reader.report("must be at least min (\(displayNumber(low))), got \(maxField.text ?? "")", at: maxField)
            }
            spec.minMs = low ?? 0
            spec.maxMs = high ?? 0
        }
        if distribution != .uniform {
            reportInapplicable(map, ["min", "max"], onlyFor: "distribution: uniform", current: current)
        }
        if distribution == .lognormal {
            spec.sigma = reader.number(map, "sigma", default: spec.sigma, .positive(atMost: 5)) ?? spec.sigma
        } else {
            reportInapplicable(map, ["sigma"], onlyFor: "distribution: lognormal", current: current)
        }
        return spec
    }
}
