/// A threshold's comparison, parsed from text such as `< 750ms`, `>= 0.99`, `== 0` or `contains configured`.
public struct ThresholdCondition: Sendable, Equatable {
    /// How the metric is compared with the value.
    public enum Operator: String, Sendable, Codable, CaseIterable {
        case lessThan = "<", atMost = "<=", greaterThan = ">", atLeast = ">=", equal = "==", notEqual = "!="
        /// The metric's interval must contain the value (a two-sided test that passes unless the value is excluded).
        case contains
    }

    /// A regular expression every condition matches: an operator, then (after optional spaces) a value; whether
    /// the value reads in the metric's unit is the loader's to say.
    public static var pattern: String {
        let symbols = Operator.allCases.map(\.rawValue).sorted { $0.count > $1.count }
        return "^\\s*(" + symbols.joined(separator: "|") + ")\\s*\\S"
    }

    public var op: Operator
    /// The value in the metric's unit; nil for `contains configured` (resolved against the results).
    public var value: Double?
    /// `contains configured`: the value is the run's configured sampling ratio.
    public var referencesConfigured: Bool
    /// The text as written.
    public var text: String

    /// Parses `text` for a metric in `unit`.
    public init(parsing text: String, unit: MetricUnit) throws(QuantityError) {
        self.text = text
        let trimmed = text.trimmingWhitespace()
        if trimmed.hasPrefix("contains") {
            op = .contains
            let rest = String(trimmed.dropFirst("contains".count)).trimmingWhitespace()
            if rest == "configured" {
                referencesConfigured = true
                value = nil
            } else {
                referencesConfigured = false
                guard !rest.isEmpty else { throw QuantityError("'contains' needs a value or 'configured'") }
                value = try unit.convert(rest)
            }
            return
        }
        referencesConfigured = false
        let symbols: [(String, Operator)] = [("<=", .atMost), (">=", .atLeast), ("==", .equal), ("!=", .notEqual), ("<", .lessThan), (">", .greaterThan)]
        guard let (symbol, found) = symbols.first(where: { trimmed.hasPrefix($0.0) }) else {
            throw QuantityError("expected a condition such as '< 750ms', '>= 0.99', '== 0' or 'contains configured', got '\(text)'")
        }
        op = found
        let rest = String(trimmed.dropFirst(symbol.count)).trimmingWhitespace()
        guard !rest.isEmpty else { throw QuantityError("'\(symbol)' needs a value, e.g. '\(symbol) 100'") }
        value = try unit.convert(rest)
    }

    /// Whether `estimate` satisfies the condition against `target` (the value, or the configured ratio).
    public func holds(_ estimate: Double, target: Double) -> Bool {
        switch op {
        case .lessThan: estimate < target
        case .atMost: estimate <= target
        case .greaterThan: estimate > target
        case .atLeast: estimate >= target
        case .equal, .contains: estimate == target
        case .notEqual: estimate != target
        }
    }
}

/// One threshold: a metric path and a condition, with k6's options.
public struct ThresholdSpec: Sendable, Equatable, Codable {
    /// A path from ``MetricCatalog``.
    public var metric: String
    public var condition: ThresholdCondition
    /// Stop the run as soon as this threshold fails (evaluated during the run on what is known live).
    public var abortOnFail = false
    /// With `abort_on_fail`: seconds into the load before the threshold is first evaluated.
    public var delayAbortEvalSeconds = 0.0
    /// Judge the metric on every sliding window of this many seconds (from the per-interval series): the threshold
    /// must hold in each; nil = over the whole run.
    public var overSeconds: Double?
    /// Who owns the limit when it breaks (`sender` for the capacity sweep's own-load check; empty otherwise).
    public var owner = ""
    /// Where the threshold was written (`file:line`), for messages; empty for built-in thresholds.
    public var source = ""

    public init(metric: String, condition: ThresholdCondition, abortOnFail: Bool = false, delayAbortEvalSeconds: Double = 0,
                overSeconds: Double? = nil, owner: String = "", source: String = "") {
        self.metric = metric
        self.condition = condition
        self.abortOnFail = abortOnFail
        self.delayAbortEvalSeconds = delayAbortEvalSeconds
        self.overSeconds = overSeconds
        self.owner = owner
        self.source = source
    }

    /// A built-in threshold (capacity limits): a catalog path written in the code, and a condition made from a
    /// loaded scenario's number (any finite number reads, exponents included). Neither can fail for valid input, so a
    /// failure is a programming error, stopped loudly — never a limit that silently vanishes (a test builds every
    /// built-in set at the edges of the scenario ranges).
    public static func builtIn(_ metric: String, _ condition: String, owner: String = "") -> ThresholdSpec {
        do {
            let resolved = try MetricCatalog.resolve(metric)
            return ThresholdSpec(metric: metric, condition: try ThresholdCondition(parsing: condition, unit: resolved.unit), owner: owner)
        } catch {
            preconditionFailure("built-in threshold \(metric) \(condition): \(error)")
        }
    }

    enum CodingKeys: String, CodingKey {
        case metric, condition, abortOnFail = "abort_on_fail", delayAbortEvalSeconds = "delay_abort_eval_s", overSeconds = "over_s"
        case owner, source
    }

    /// Reads a stored threshold, checking its metric and condition again (a file naming a metric this version does
    /// not know is an error, not a threshold that silently never fires).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metric = try c.decode(String.self, forKey: .metric)
        let text = try c.decode(String.self, forKey: .condition)
        do {
            let resolved = try MetricCatalog.resolve(metric)
            condition = try ThresholdCondition(parsing: text, unit: resolved.unit)
        } catch {
            throw DecodingError.dataCorruptedError(forKey: .condition, in: c, debugDescription: "\(metric): \(error)")
        }
        abortOnFail = try c.decodeIfPresent(Bool.self, forKey: .abortOnFail) ?? false
        delayAbortEvalSeconds = try c.decodeIfPresent(Double.self, forKey: .delayAbortEvalSeconds) ?? 0
        overSeconds = try c.decodeIfPresent(Double.self, forKey: .overSeconds)
        owner = try c.decodeIfPresent(String.self, forKey: .owner) ?? ""
        source = try c.decodeIfPresent(String.self, forKey: .source) ?? ""
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(metric, forKey: .metric)
        try c.encode(condition.text, forKey: .condition)
        try c.encode(abortOnFail, forKey: .abortOnFail)
        try c.encode(delayAbortEvalSeconds, forKey: .delayAbortEvalSeconds)
        try c.encodeIfPresent(overSeconds, forKey: .overSeconds)
        try c.encode(owner, forKey: .owner)
        try c.encode(source, forKey: .source)
    }

    /// `metric condition` as written, e.g. `latency.end_to_end.p99 < 750ms`.
    public var label: String {
        metric + " " + condition.text.trimmingWhitespace() + (overSeconds.map { " over \(String(format1: $0)) s" } ?? "")
    }
}

/// The thresholds of one gate and the false-alarm rate of the family.
public struct ThresholdSet: Sendable, Equatable, Codable {
    public var thresholds: [ThresholdSpec]
    /// The family-wise error rate (Holm): the chance that any threshold of the family is wrongly judged.
    public var alpha: Double

    public static let defaultAlpha = 0.05

    enum CodingKeys: String, CodingKey { case thresholds, alpha }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        thresholds = try c.decodeIfPresent([ThresholdSpec].self, forKey: .thresholds) ?? []
        alpha = try c.decodeIfPresent(Double.self, forKey: .alpha) ?? Self.defaultAlpha
    }

    public init(thresholds: [ThresholdSpec] = [], alpha: Double = ThresholdSet.defaultAlpha) {
        self.thresholds = thresholds
        self.alpha = alpha
    }
}
