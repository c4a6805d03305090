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
        case regression
        case improvement
        /// Significant, in a metric with no better direction (the sampling ratio).
        case changed
        /// No interval could be put on the change (one run per side and no per-interval data).
        case inconclusive
    }

    public var metric: String
    public var group: String
    public var unit: MetricUnit
    public var base: Double
    public var baseLow: Double
    public var baseHigh: Double
    public var candidate: Double
    public var candidateLow: Double
    public var candidateHigh: Double
    /// (candidate − base) ÷ base × 100.
    public var deltaPercent: Double
    public var deltaPercentLow: Double
    public var deltaPercentHigh: Double
    /// The change in the metric's unit (candidate − base) and its interval: what an injected cost is read from.
    public var delta: Double
    public var deltaLow: Double
    public var deltaHigh: Double
    public var pValue: Double
    /// The confidence of the delta interval: 1 − Holm's level for this metric.
    public var confidence: Double
    /// Samples behind each side (recordings, trials or runs).
    public var samples: Int
    public var verdict: Verdict
    /// How the interval was made (`block bootstrap over 60 intervals`, `runs as replicates`, …).
    public var method: String

    enum CodingKeys: String, CodingKey {
        case metric, group, unit, base, baseLow = "base_low", baseHigh = "base_high", candidate, candidateLow = "candidate_low"
        case candidateHigh = "candidate_high", deltaPercent = "delta_percent", deltaPercentLow = "delta_percent_low"
        case deltaPercentHigh = "delta_percent_high", delta, deltaLow = "delta_low", deltaHigh = "delta_high", pValue = "p_value"
        case confidence, samples, verdict, method
    }

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
    public var phase: String
    /// Largest distance between the two empirical CDFs.
    public var statistic: Double
    public var pValue: Double
    /// Significant (Bonferroni over the phases), `statistic` ≥ the shape floor and beyond every distance seen between
    /// A/A runs (the noise profile's); without a profile a significant distance is only `inconclusive`.
    public var changed: Bool
    public var inconclusive = false
    /// The largest distance between A/A runs of the noise profile (0 without one).
    public var aaStatistic = 0.0

    enum CodingKeys: String, CodingKey { case phase, statistic, pValue = "p_value", changed, inconclusive, aaStatistic = "aa_statistic" }

    public init(phase: String, statistic: Double, pValue: Double, changed: Bool) {
        self.phase = phase
        self.statistic = statistic
        self.pValue = pValue
        self.changed = changed
    }
}

/// `tracebench compare`'s result (`kind: comparison`).
public struct ComparisonReport: Codable, Sendable {
    public var schemaVersion = ResultsSchema.version
    public var kind = ResultsKind.comparison
    public var baseFiles: [String] = []
    public var candidateFiles: [String] = []
    public var alpha = 0.05
    /// A change is reported only when its whole interval lies beyond ± this many percent (criterion's noise band).
    public var noiseFloorPercent = 1.0
    /// The floor of ratio metrics, absolute (0.001 = 0.1 percentage points).
    public var ratioFloor = 0.001
    /// Whether single-run changes were judged against an A/A noise profile (else they can only be inconclusive).
    public var noiseProfileRuns = 0
    /// Metrics with an interval: the family Holm's correction spans.
    public var familySize = 0
    public var metrics: [MetricComparison] = []
    /// Per group: the geometric mean of candidate ÷ base over its metrics.
    public var geomeans: [String: Double] = [:]
    public var shapes: [ShapeComparison] = []
    /// What differs between the sides (scenario hash, host, kind), when compared anyway.
    public var mismatches: [String] = []

    public init() {}

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", kind, baseFiles = "base_files", candidateFiles = "candidate_files", alpha
        case noiseFloorPercent = "noise_floor_percent", ratioFloor = "ratio_floor", noiseProfileRuns = "noise_profile_runs", familySize = "family_size", metrics, geomeans, shapes, mismatches
    }

    public var regressions: [MetricComparison] { metrics.filter { $0.verdict == .regression } }
}
