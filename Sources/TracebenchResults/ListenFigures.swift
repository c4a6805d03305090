import TracebenchMeasure

/// `tracebench listen`: what arrived at the sink with no load and no ground truth, judged on its structure alone.
public struct ListenFigures: Codable, Sendable, Equatable {
    /// How long the sink listened, in seconds.
    public var windowSeconds = 0.0
    /// Spans with no parent (trace roots).
    public var roots = 0
    /// Traces none of whose spans is a root (their root never arrived, or is still to come).
    public var tracesWithoutRoot = 0
    /// Spans received twice or more: counted once, the extra copies here.
    public var duplicateSpans = 0
    /// Distinct spans per `service.name`.
    public var services: [String: Int] = [:]
    /// With `--expect`: per `service/span`, the traces that lacked it (absent without an expectation).
    public var missing: [String: Int]?

    /// Empty figures.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case windowSeconds = "window_s", roots, tracesWithoutRoot = "traces_without_root", duplicateSpans = "duplicate_spans", services, missing
    }

    /// Reads any schema version; absent keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        windowSeconds = try c(.windowSeconds, 0)
        roots = try c(.roots, 0)
        tracesWithoutRoot = try c(.tracesWithoutRoot, 0)
        duplicateSpans = try c(.duplicateSpans, 0)
        services = try c(.services, [:])
        missing = try c.decodeIfPresent([String: Int].self, forKey: .missing)
    }
}
