import Foundation
import TracebenchMeasure
import TracebenchMetrics

/// The outcome of one threshold.
public enum ThresholdOutcomeKind: String, Codable, Sendable {
    /// The whole interval (at the threshold's Holm level) is on the good side.
    case pass
    /// The whole interval is on the bad side.
    case fail
    /// The interval straddles the limit: this run cannot tell.
    case inconclusive
    /// The run did not produce the figure: an empty figure never passes.
    case notMeasured = "not_measured"
}

/// One threshold as judged against one results file.
public struct ThresholdOutcome: Codable, Sendable {
    /// The threshold as written: metric, condition and options.
    public var spec: ThresholdSpec
    /// `pass`, `fail`, `inconclusive` or `not_measured`.
    public var outcome: ThresholdOutcomeKind
    /// Which results file (gate over several files); empty for a run's own verdict.
    public var resultsFile = ""
    /// The measured figure (with `over_s`, the worst window's), in `unit`; nil when not measured.
    public var estimate: Double?
    /// Lower bound of its interval at `confidence`, in `unit` (the figure itself when exact); nil when not measured.
    public var ciLow: Double?
    /// Upper bound of its interval at `confidence`, in `unit` (the figure itself when exact); nil when not measured.
    public var ciHigh: Double?
    /// The confidence of the interval shown: 1 − (Holm's level for this threshold); 1 for exact figures.
    public var confidence = 1.0
    /// The p-value against the limit (dual to the interval); nil for exact figures.
    public var pValue: Double?
    /// The value compared with, in the metric's unit (the condition's, or the configured ratio).
    public var target: Double?
    /// The metric's unit: of `estimate`, its bounds and `target`.
    public var unit: MetricUnit
    /// How the figure is judged: `exact`, `proportion`, `quantile`, `interval` or `poisson`.
    public var evidence: MetricEvidence
    /// One sentence: the measured value, its interval and why the outcome.
    public var message = ""

    enum CodingKeys: String, CodingKey {
        case spec, outcome, resultsFile = "results_file", estimate, ciLow = "ci_low", ciHigh = "ci_high", confidence
        case pValue = "p_value", target, unit, evidence, message
    }

    /// An outcome with no figures yet; the judge fills them in.
    public init(spec: ThresholdSpec, outcome: ThresholdOutcomeKind, unit: MetricUnit, evidence: MetricEvidence) {
        self.spec = spec
        self.outcome = outcome
        self.unit = unit
        self.evidence = evidence
    }

    /// Reads any schema version; `spec` is required, other absent keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        spec = try c.decode(ThresholdSpec.self, forKey: .spec)
        outcome = try c(.outcome, .notMeasured)
        resultsFile = try c(.resultsFile, "")
        estimate = try c.decodeIfPresent(Double.self, forKey: .estimate)
        ciLow = try c.decodeIfPresent(Double.self, forKey: .ciLow)
        ciHigh = try c.decodeIfPresent(Double.self, forKey: .ciHigh)
        confidence = try c(.confidence, 1)
        pValue = try c.decodeIfPresent(Double.self, forKey: .pValue)
        target = try c.decodeIfPresent(Double.self, forKey: .target)
        unit = try c(.unit, .count)
        evidence = try c(.evidence, .exact)
        message = try c(.message, "")
    }
}

/// A gate's verdict: every threshold's outcome, the family's size and false-alarm rate, and the overall outcome
/// (`fail` if any threshold failed or was not measured, else `inconclusive` if any was, else `pass`).
public struct GateVerdict: Codable, Sendable {
    /// The family-wise false-alarm rate Holm's correction holds (default 0.05).
    public var alpha = ThresholdSet.defaultAlpha
    /// Thresholds on figures with sampling uncertainty: the family Holm's correction spans.
    public var familySize = 0
    /// `fail` if any threshold failed or was not measured, else `inconclusive` if any was, else `pass`.
    public var outcome = ThresholdOutcomeKind.pass
    /// Every threshold's outcome, in the order judged.
    public var thresholds: [ThresholdOutcome] = []

    /// An empty verdict (it passes).
    public init() {}

    enum CodingKeys: String, CodingKey { case alpha, familySize = "family_size", outcome, thresholds }

    /// Reads any schema version; absent keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        alpha = try c(.alpha, ThresholdSet.defaultAlpha)
        familySize = try c(.familySize, 0)
        outcome = try c(.outcome, .pass)
        thresholds = try c(.thresholds, [])
    }

    /// How many thresholds had outcome `kind`.
    public func count(_ kind: ThresholdOutcomeKind) -> Int { thresholds.count { $0.outcome == kind } }

    /// The specs behind the verdict (to judge other results files the same way).
    public var thresholdSet: ThresholdSet { ThresholdSet(thresholds: thresholds.map(\.spec), alpha: alpha) }
}
