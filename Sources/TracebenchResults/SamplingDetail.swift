import TracebenchMeasure

/// Two samplers in a row: the SDK's head sampler (swift-otel's trace-id ratio) and the collector's consistent
/// sampler (OTEP 235). If both used the spec's rule the chain would keep min(p₁, p₂) of the traces; swift-otel reads
/// other bytes of the id, so the two choose independently and the chain keeps p₁·p₂. Measured on the normal jobs.
public struct SamplingChainFigures: Codable, Sendable, Equatable {
    /// The SDK's root keep ratio (the API's sampler).
    public var sdkRatio = 1.0
    /// The collector's keep probability (its threshold's, e.g. 0.100006 for `th:e666`), as `collector.sampling` declares.
    public var collectorRatio = 1.0
    /// The collector's threshold, `th` hex.
    public var collectorThreshold = "0"
    /// Whether the collector keeps every error span.
    public var keepsErrors = false
    /// p₁·p₂ and min(p₁, p₂): the keep rates of independent and of consistent samplers.
    public var independentRatio = 1.0
    /// min(p₁, p₂): the keep rate if both samplers used the spec's consistent rule.
    public var consistentRatio = 1.0
    /// Normal jobs whose trace reached the sink (exact 95 % interval).
    public var kept = ProportionEstimate(successes: 0, trials: 0, ratio: 0, ciLow: 0, ciHigh: 1)
    /// Normal jobs whose trace both rules keep, computed from the ledger's SDK decision and the trace id.
    public var predictedKept = 0
    /// Normal jobs whose arrival differs from that prediction (0 when the collector does what it declares).
    public var predictionMismatches = 0
    /// Which expectation the interval holds: `independent`, `consistent`, `both` or `neither`.
    public var model = "neither"

    /// Defaults: every ratio 1, nothing counted, model `neither`.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case sdkRatio = "sdk_ratio", collectorRatio = "collector_ratio", collectorThreshold = "collector_threshold"
        case keepsErrors = "keeps_errors", independentRatio = "independent_ratio", consistentRatio = "consistent_ratio", kept
        case predictedKept = "predicted_kept", predictionMismatches = "prediction_mismatches", model
    }

    /// Reads any schema version; absent keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = SamplingChainFigures()
        sdkRatio = try c(.sdkRatio, d.sdkRatio)
        collectorRatio = try c(.collectorRatio, d.collectorRatio)
        collectorThreshold = try c(.collectorThreshold, d.collectorThreshold)
        keepsErrors = try c(.keepsErrors, d.keepsErrors)
        independentRatio = try c(.independentRatio, d.independentRatio)
        consistentRatio = try c(.consistentRatio, d.consistentRatio)
        kept = try c(.kept, d.kept)
        predictedKept = try c(.predictedKept, d.predictedKept)
        predictionMismatches = try c(.predictionMismatches, d.predictionMismatches)
        model = try c(.model, d.model)
    }

    /// Names the expectation(s) an interval contains.
    public static func model(_ kept: ProportionEstimate, independent: Double, consistent: Double) -> String {
        let holds = { (value: Double) in kept.ciLow <= value && value <= kept.ciHigh }
        switch (holds(independent), holds(consistent)) {
        case (true, true): return "both"
        case (true, false): return "independent"
        case (false, true): return "consistent"
        case (false, false): return "neither"
        }
    }
}

/// A total estimated from the sampled traces alone (each kept item weighs 1/p), against the ledger's truth.
public struct AdjustedCount: Codable, Sendable, Equatable {
    /// The total estimated from the kept items, each weighing 1/p (Horvitz–Thompson).
    public var estimate = 0.0
    /// The estimate's standard error.
    public var standardError = 0.0
    /// The ledger's count.
    public var truth = 0
    /// (estimate − truth) ÷ truth.
    public var relativeError = 0.0
    /// (estimate − truth) ÷ standard error: |z| > 3 says the weights are wrong, not unlucky.
    public var z = 0.0

    /// An estimate against `truth`; `relative_error` and `z` are derived (z capped at ±1e9).
    public init(estimate: Double, standardError: Double, truth: Int) {
        self.estimate = estimate
        self.standardError = standardError
        self.truth = truth
        relativeError = truth > 0 ? (estimate - Double(truth)) / Double(truth) : 0
        z = standardError > 0 ? (estimate - Double(truth)) / standardError : (estimate == Double(truth) ? 0 : .infinity)
        if !z.isFinite { z = estimate > Double(truth) ? 1e9 : -1e9 }
    }

    enum CodingKeys: String, CodingKey {
        case estimate, standardError = "standard_error", truth, relativeError = "relative_error", z
    }

    /// Reads any schema version; absent keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        estimate = try c(.estimate, 0)
        standardError = try c(.standardError, 0)
        truth = try c(.truth, 0)
        relativeError = try c(.relativeError, 0)
        z = try c(.z, 0)
    }
}

/// Jobs, error jobs and spans as a backend would count them from sampled data, weighting by 1/p.
public struct AdjustedCounts: Codable, Sendable, Equatable {
    /// Jobs of the exporting arms, from their kept traces.
    public var jobs: AdjustedCount
    /// Error jobs (failed, retried or timed out), from their kept traces that hold an ERROR span.
    public var errorJobs: AdjustedCount
    /// Spans the exporting jobs started, from the kept spans.
    public var spans: AdjustedCount

    /// Counts from their parts.
    public init(jobs: AdjustedCount, errorJobs: AdjustedCount, spans: AdjustedCount) {
        self.jobs = jobs
        self.errorJobs = errorJobs
        self.spans = spans
    }

    enum CodingKeys: String, CodingKey {
        case jobs, errorJobs = "error_jobs", spans
    }

    /// Reads any schema version; absent keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let zero = AdjustedCount(estimate: 0, standardError: 0, truth: 0)
        jobs = try c(.jobs, zero)
        errorJobs = try c(.errorJobs, zero)
        spans = try c(.spans, zero)
    }
}

/// Parent-based consistency across processes: did the API's trace context reach the worker, and did the worker's
/// sampler decide as the API's did?
public struct PropagationFigures: Codable, Sendable, Equatable {
    /// Finished jobs that carried a `traceparent` to their worker.
    public var propagated: ProportionEstimate
    /// Finished jobs where the API's and the worker's sampled decisions agree.
    public var agreement: ProportionEstimate
    /// Of the jobs the API sampled, those the worker sampled too (nil when the API sampled none).
    public var workerKeptOfAPIKept: ProportionEstimate?
    /// Jobs sampled by the API only, and by the worker only.
    public var apiOnly = 0
    /// Finished jobs sampled by the worker only.
    public var workerOnly = 0

    /// Figures from their parts.
    public init(propagated: ProportionEstimate, agreement: ProportionEstimate, workerKeptOfAPIKept: ProportionEstimate?,
                apiOnly: Int, workerOnly: Int) {
        self.propagated = propagated
        self.agreement = agreement
        self.workerKeptOfAPIKept = workerKeptOfAPIKept
        self.apiOnly = apiOnly
        self.workerOnly = workerOnly
    }

    enum CodingKeys: String, CodingKey {
        case propagated, agreement, workerKeptOfAPIKept = "worker_kept_of_api_kept", apiOnly = "api_only", workerOnly = "worker_only"
    }

    /// Reads any schema version; absent keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let empty = ProportionEstimate(successes: 0, trials: 0, ratio: 0, ciLow: 0, ciHigh: 1)
        propagated = try c(.propagated, empty)
        agreement = try c(.agreement, empty)
        workerKeptOfAPIKept = try c.decodeIfPresent(ProportionEstimate.self, forKey: .workerKeptOfAPIKept)
        apiOnly = try c(.apiOnly, 0)
        workerOnly = try c(.workerOnly, 0)
    }
}
