import TracebenchMeasure
import TracebenchMetrics
import TracebenchResults

/// A metric as measured in one results file: the estimate and the evidence behind it, from which an interval at
/// any confidence level (and so a p-value against any value) follows.
public struct MetricObservation: Sendable {
    /// What the estimate rests on.
    public enum Evidence: Sendable {
        /// Taken as measured: the interval is the point.
        case exact
        /// successes of trials: Clopper–Pearson.
        case proportion(successes: Int, trials: Int)
        /// The q-quantile of a histogram: order-statistic ranks of Binomial(n, q).
        case quantile(LatencyHistogram, q: Double)
        /// A stored 95 % interval [low, high]: a normal approximation on each side.
        case interval95(low: Double, high: Double)
        /// A count of independent events times `scale`: a Poisson score interval on the count.
        case poisson(count: Int, scale: Double)
    }

    public var estimate: Double
    public var evidence: Evidence
    /// A caveat shown with the verdict (e.g. a schema 1 file without histograms).
    public var note = ""

    public init(estimate: Double, evidence: Evidence, note: String = "") {
        self.estimate = estimate
        self.evidence = evidence
        self.note = note
    }

    /// Whether the figure carries sampling uncertainty (and so belongs to the Holm family).
    public var isStatistical: Bool {
        if case .exact = evidence { return false }
        return true
    }

    /// The two-sided interval at confidence `level`.
    public func interval(level: Double) -> (low: Double, high: Double) {
        switch evidence {
        case .exact:
            return (estimate, estimate)
        case let .proportion(successes, trials):
            return Distributions.clopperPearson(successes: successes, trials: trials, level: level)
        case let .quantile(histogram, q):
            let n = Int(clamping: histogram.count)
            let ranks = Distributions.quantileRankInterval(q: q, n: n, level: level)
            return (Double(histogram.value(atRank: ranks.lowRank)), Double(histogram.value(atRank: ranks.highRank)))
        case let .interval95(low, high):
            let z = Distributions.normalQuantile(1 - (1 - level) / 2) / Distributions.normalQuantile(0.975)
            return (estimate - (estimate - low) * z, estimate + (high - estimate) * z)
        case let .poisson(count, scale):
            // Wilson-style score interval for a Poisson mean: N + z²/2 ± z·√(N + z²/4).
            let z = Distributions.normalQuantile(1 - (1 - level) / 2)
            let n = Double(count)
            let center = n + z * z / 2, half = z * (n + z * z / 4).squareRoot()
            return (Swift.max(0, center - half) * scale, (center + half) * scale)
        }
    }

    /// The smallest α at which the (1 − α) interval lies wholly on one side of `value` (0 for exact figures that
    /// differ from it, 1 when even the narrowest interval touches it): the p-value dual to ``interval(level:)``.
    public func pValue(against value: Double) -> Double {
        func excludes(_ alpha: Double) -> Bool {
            let bounds = interval(level: 1 - alpha)
            return bounds.low > value || bounds.high < value
        }
        switch evidence {
        case .exact:
            return estimate == value ? 1 : 0
        case let .proportion(successes, trials):
            // Clopper–Pearson at 1 − α excludes p₀ exactly when twice the smaller binomial tail is at most α.
            return Distributions.binomialTwoSidedPValue(successes: successes, trials: trials, p0: value)
        case let .interval95(low, high):
            let z95 = Distributions.normalQuantile(0.975)
            let side = value >= estimate ? high - estimate : estimate - low
            return Distributions.normalTwoSidedPValue(estimate: estimate, null: value, standardError: side / z95)
        case .quantile, .poisson:
            break
        }
        if excludes(1e-12) { return 0 }
        if !excludes(0.999_999) { return 1 }
        var low = 1e-12, high = 0.999_999  // excludes(high) is true, excludes(low) false; intervals shrink as α grows
        for _ in 0..<60 {
            let mid = (low + high) / 2
            if excludes(mid) { high = mid } else { low = mid }
        }
        return high
    }
}

extension LatencyHistogram {
    /// The value of the `rank`-th smallest recording (1-based; clamped), as HdrHistogram reports percentiles: the
    /// highest equivalent of its bucket, capped at the largest recording.
    func value(atRank rank: Int) -> UInt64 {
        var seen: UInt64 = 0
        let target = UInt64(Swift.max(rank, 1))
        for bucket in buckets {
            seen += bucket.count
            if seen >= target { return Swift.min(bucket.value, maxRecorded) }
        }
        return maxRecorded
    }
}
