import Foundation
import TracebenchMeasure
import TracebenchMetrics

/// One metric compared between a base and a candidate: both estimates with their 95 % intervals, the change in
/// percent of the base with its interval (at the metric's Holm level), the p-value of "no change", and the verdict.
public struct MetricComparison: Codable, Sendable {
    /// A change's verdict, benchstat's `~` for no significant change.
    public enum Verdict: String, Codable, Sendable {
        /// Not significant, or the whole interval does not clear the noise floor.
        case unchanged = "~"
        /// Significant, clear of the noise floor, with run-to-run noise known, and in the metric's worse direction.
        case regression
        /// As `regression`, but in the metric's better direction.
        case improvement
        /// Significant, in a metric with no better direction (the sampling ratio).
        case changed
        /// No interval could be put on the change (one run per side and no per-interval data).
        case inconclusive
    }

    /// The metric's path (`latency.end_to_end.p99`, `throughput.traces_per_minute`, …).
    public var metric: String
    /// The path's first segment (`latency`, `throughput`, …): what ``ComparisonReport/geomeans`` groups by.
    public var group: String
    /// The unit of `base`, `candidate`, `delta` and their bounds.
    public var unit: MetricUnit
    /// The base side's estimate, in `unit` (the mean of its runs when both sides have several).
    public var base: Double
    /// Lower bound of the base estimate's 95 % interval, in `unit`.
    public var baseLow: Double
    /// Upper bound of the base estimate's 95 % interval, in `unit`.
    public var baseHigh: Double
    /// The candidate side's estimate, in `unit` (the mean of its runs when both sides have several).
    public var candidate: Double
    /// Lower bound of the candidate estimate's 95 % interval, in `unit`.
    public var candidateLow: Double
    /// Upper bound of the candidate estimate's 95 % interval, in `unit`.
    public var candidateHigh: Double
    /// (candidate − base) ÷ base × 100.
    public var deltaPercent: Double
    /// Lower bound of the change's interval at `confidence`, in percent of |base|.
    public var deltaPercentLow: Double
    /// Upper bound of the change's interval at `confidence`, in percent of |base|.
    public var deltaPercentHigh: Double
    /// The change in the metric's unit (candidate − base) and its interval: what an injected cost is read from.
    public var delta: Double
    /// Lower bound of `delta`'s interval at `confidence`, in `unit`.
    public var deltaLow: Double
    /// Upper bound of `delta`'s interval at `confidence`, in `unit`.
    public var deltaHigh: Double
    /// The p-value of "no change" (1 when no interval could be made).
    public var pValue: Double
    /// The confidence of the delta interval: 1 − Holm's level for this metric.
    public var confidence: Double
    /// Samples behind each side (recordings, trials or runs).
    public var samples: Int
    /// The change's verdict, after Holm's correction and the noise floor.
    public var verdict: Verdict
    /// How the interval was made (`block bootstrap over 60 intervals`, `runs as replicates`, …).
    public var method: String

    enum CodingKeys: String, CodingKey {
        case metric, group, unit, base, baseLow = "base_low", baseHigh = "base_high", candidate, candidateLow = "candidate_low"
        case candidateHigh = "candidate_high", deltaPercent = "delta_percent", deltaPercentLow = "delta_percent_low"
        case deltaPercentHigh = "delta_percent_high", delta, deltaLow = "delta_low", deltaHigh = "delta_high", pValue = "p_value"
        case confidence, samples, verdict, method
    }

    /// A comparison from its parts.
    public init(
        metric: String, group: String, unit: MetricUnit, base: Double, baseLow: Double, baseHigh: Double, candidate: Double,
        candidateLow: Double, candidateHigh: Double, deltaPercent: Double, deltaPercentLow: Double, deltaPercentHigh: Double,
        delta: Double, deltaLow: Double, deltaHigh: Double, pValue: Double, confidence: Double, samples: Int, verdict: Verdict,
        method: String
    ) {
        self.metric = metric
        self.group = group
        self.unit = unit
        self.base = base
        self.baseLow = baseLow
        self.baseHigh = baseHigh
        self.candidate = candidate
        self.candidateLow = candidateLow
        self.candidateHigh = candidateHigh
        self.deltaPercent = deltaPercent
        self.deltaPercentLow = deltaPercentLow
        self.deltaPercentHigh = deltaPercentHigh
        self.delta = delta
        self.deltaLow = deltaLow
        self.deltaHigh = deltaHigh
        self.pValue = pValue
        self.confidence = confidence
        self.samples = samples
        self.verdict = verdict
        self.method = method
    }
}

/// A distribution-shape check of one latency phase: two-sample Kolmogorov–Smirnov on the whole-run histograms, so a
/// tail that widened is caught when the medians agree.
public struct ShapeComparison: Codable, Sendable {
    /// The latency phase compared (`submit`, `queue_wait`, `processing`, `end_to_end` or `visibility`).
    public var phase: String
    /// Largest distance between the two empirical CDFs.
    public var statistic: Double
    /// The KS test's p-value, before Bonferroni over the phases.
    public var pValue: Double
    /// Significant (Bonferroni over the phases), `statistic` ≥ the shape floor and beyond every distance seen between
    /// A/A runs (the noise profile's); without a profile a significant distance is only `inconclusive`.
    public var changed: Bool
    /// Significant and beyond the shape floor, but with no noise profile to judge it against.
    public var inconclusive = false
    /// The largest distance between A/A runs of the noise profile (0 without one).
    public var aaStatistic = 0.0

    enum CodingKeys: String, CodingKey { case phase, statistic, pValue = "p_value", changed, inconclusive, aaStatistic = "aa_statistic" }

    /// A shape check; `inconclusive` and `aa_statistic` start false and 0.
    public init(phase: String, statistic: Double, pValue: Double, changed: Bool) {
        self.phase = phase
        self.statistic = statistic
        self.pValue = pValue
        self.changed = changed
    }
}

/// `tracebench compare`'s result (`kind: comparison`).
public struct ComparisonReport: Codable, Sendable {
    /// The results schema version the report was written with.
    public var schemaVersion = ResultsSchema.version
    /// Always `comparison`.
    public var kind = ResultsKind.comparison
    /// The base side's results files, as given.
    public var baseFiles: [String] = []
    /// The candidate side's results files, as given.
    public var candidateFiles: [String] = []
    /// The family-wise false-alarm rate Holm's correction holds across the metrics (`--alpha`, default 0.05).
    public var alpha = 0.05
    /// A change is reported only when its whole interval lies beyond ± this many percent (criterion's noise band).
    public var noiseFloorPercent = 1.0
    /// The floor of ratio metrics, absolute (0.001 = 0.1 percentage points).
    public var ratioFloor = 0.001
    /// Runs in the A/A noise profile single-run changes were judged against; 0 without one (they can then only be
    /// inconclusive).
    public var noiseProfileRuns = 0
    /// Metrics with an interval: the family Holm's correction spans.
    public var familySize = 0
    /// Every metric both sides have, compared, in a fixed order.
    public var metrics: [MetricComparison] = []
    /// Per group: the geometric mean of candidate ÷ base over its metrics.
    public var geomeans: [String: Double] = [:]
    /// Per latency phase with a histogram on both sides: the distribution-shape check.
    public var shapes: [ShapeComparison] = []
    /// What differs between the sides (scenario hash, host, kind), when compared anyway.
    public var mismatches: [String] = []

    /// An empty report; `Comparator.compare` fills it.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", kind, baseFiles = "base_files", candidateFiles = "candidate_files", alpha
        case noiseFloorPercent = "noise_floor_percent", ratioFloor = "ratio_floor", noiseProfileRuns = "noise_profile_runs", familySize = "family_size", metrics, geomeans, shapes, mismatches
    }

    /// The metrics whose verdict is `regression`.
    public var regressions: [MetricComparison] { metrics.filter { $0.verdict == .regression } }
}
