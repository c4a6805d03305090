/// A measured proportion (e.g. the share of traces that arrived complete) with its Wilson score interval.
///
/// The Wilson interval stays inside [0, 1] and behaves well for ratios near 0 or 1 and for small samples, where the
/// textbook normal ("Wald") interval collapses to a point or spills outside [0, 1].
public struct ProportionEstimate: Codable, Sendable, Equatable {
    public var successes: Int
    public var trials: Int
    /// `successes / trials`, or 0 when there were no trials.
    public var ratio: Double
    /// Lower bound of the confidence interval.
    public var ciLow: Double
    /// Upper bound of the confidence interval.
    public var ciHigh: Double

    enum CodingKeys: String, CodingKey {
        case successes, trials, ratio, ciLow = "ci_low", ciHigh = "ci_high"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(successes: try c(.successes, 0), trials: try c(.trials, 0), ratio: try c(.ratio, 0),
                  ciLow: try c(.ciLow, 0), ciHigh: try c(.ciHigh, 1))
    }

    /// An estimate with explicitly given values (no computation; see ``wilson(successes:trials:z:)``).
    public init(successes: Int, trials: Int, ratio: Double, ciLow: Double, ciHigh: Double) {
        self.successes = successes
        self.trials = trials
        self.ratio = ratio
        self.ciLow = ciLow
        self.ciHigh = ciHigh
    }

    /// The exact (Clopper–Pearson) 95 % interval for `successes` of `trials`: never below its nominal coverage,
    /// which a promise of "100 %" needs (Wilson's is shorter but can undercover at the extremes).
    public static func clopperPearson(successes: Int, trials: Int, level: Double = 0.95) -> ProportionEstimate {
        let bounds = Distributions.clopperPearson(successes: successes, trials: trials, level: level)
        let ratio = trials > 0 ? Double(Swift.min(Swift.max(successes, 0), trials)) / Double(trials) : 0
        return ProportionEstimate(successes: successes, trials: trials, ratio: ratio, ciLow: bounds.low, ciHigh: bounds.high)
    }

    /// The Wilson score interval for `successes` out of `trials`; `z` = 1.959964 gives a 95 % interval.
    ///
    /// With no trials the ratio is 0 and the interval is [0, 1] (nothing is known). Counts outside the meaningful
    /// range (negative, or more successes than trials) are clamped into it for the computation and reported as given.
    public static func wilson(successes: Int, trials: Int, z: Double = 1.959964) -> ProportionEstimate {
        guard trials > 0 else {
            return ProportionEstimate(successes: successes, trials: trials, ratio: 0, ciLow: 0, ciHigh: 1)
        }
        let n = Double(trials)
        let p = Double(Swift.min(Swift.max(successes, 0), trials)) / n
        let z2 = z * z
        let denominator = 1 + z2 / n
        let center = (p + z2 / (2 * n)) / denominator
        let halfWidth = (z / denominator) * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        // At p = 0 or p = 1 the bound is exactly 0 or 1 mathematically; rounding may leave a few ulps either side.
        let low = p == 0 ? 0 : Swift.max(0, center - halfWidth)
        let high = p == 1 ? 1 : Swift.min(1, center + halfWidth)
        return ProportionEstimate(successes: successes, trials: trials, ratio: p, ciLow: low, ciHigh: high)
    }
}
