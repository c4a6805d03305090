import TracebenchMeasure
import TracebenchVocabulary

/// Black-box runs (`target:`): every accepted job's one trace outcome, with evidence.
public struct TargetFigures: Codable, Sendable, Equatable {
    /// Jobs per outcome (every accepted job has exactly one; every outcome is listed, 0 included).
    public var outcomes: [String: Int] = Dictionary(uniqueKeysWithValues: TraceOutcome.allCases.map { ($0.rawValue, 0) })
    /// Up to ``exampleLimit`` job ids per outcome other than `complete`, so a person can look them up.
    public var examples: [String: [String]] = [:]
    /// For `partial` jobs: how often each expected `service/span` was missing.
    public var missing: [String: Int] = [:]
    /// Jobs without a trace id on the correlation channel (no ledger field, no response header).
    public var uncorrelated = 0
    /// Spans received twice or more (same trace id and span id): counted once in the figures, the extra copies here.
    public var duplicateSpans = 0
    /// Spans of traces no job owns (background traffic), kept out of every figure.
    public var unownedSpans = 0

    /// How many example job ids are kept per outcome.
    public static let exampleLimit = 20

    /// Empty figures: every outcome 0.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case outcomes, examples, missing, uncorrelated, duplicateSpans = "duplicate_spans", unownedSpans = "unowned_spans"
    }

    /// Reads any schema version; absent keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        outcomes = try c(.outcomes, outcomes)
        examples = try c(.examples, [:])
        missing = try c(.missing, [:])
        uncorrelated = try c(.uncorrelated, 0)
        duplicateSpans = try c(.duplicateSpans, 0)
        unownedSpans = try c(.unownedSpans, 0)
    }

    /// Jobs with `outcome`.
    public func count(_ outcome: TraceOutcome) -> Int { outcomes[outcome.rawValue] ?? 0 }
}
